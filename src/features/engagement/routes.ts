// Engagement pages: the public "what we heard" (feedback counted by theme, activities listed)
// with its JSON/CSV twin, and the strategy team's admin for activities and their feedback.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TopLevelSpec } from 'vega-lite';
import { z } from 'zod';
import { renderChart } from '../../platform/charts/svg-chart.ts';
import { spreadsheetSafe, toCsv } from '../../platform/files/spreadsheet.ts';
import { ConflictError, NotFoundError } from '../../platform/http/errors.ts';
import { formState, parseForm } from '../../platform/http/forms.ts';
import type { OpenApiRegistry } from '../../platform/http/openapi.ts';
import { pagination, queryString } from '../../platform/http/pagination.ts';
import { dateInputValues, InputError, parseInput, type FieldProblem } from '../../platform/http/validation.ts';
import { actorFor } from '../accounts/routes.ts';
import { activityForm, activityParams, feedbackForm, feedbackParams, listQuery, themesQuery, versionForm } from './forms.ts';
import { KIND_LABELS, REGION_LABELS } from './labels.ts';
import { ENGAGEMENT_KINDS, ENGAGEMENT_REGIONS } from './schema.ts';
import type { ActivityDetail, EngagementService, WhatWeHeard } from './service.ts';

const PER_PAGE = 20;
const FIELD_ORDER = ['kind', 'title', 'heldOn', 'region', 'organiser', 'participants', 'summary', 'themes', 'text', 'feedbackThemes'];
const ANCHORS = { heldOn: 'heldOn-day', kind: 'kind', region: 'region', themes: 'themes', feedbackThemes: 'feedbackThemes' };
const TEXT_FIELDS = ['kind', 'title', 'heldOn-day', 'heldOn-month', 'heldOn-year', 'region', 'organiser', 'participants', 'summary'];
const byFormOrder = (problems: FieldProblem[]) => [...problems].sort((a, b) => FIELD_ORDER.indexOf(a.field) - FIELD_ORDER.indexOf(b.field));

const THEME_COLUMNS = ['theme', 'feedback_items', 'activities'] as const;

const themeCountsResponse = z
  .object({
    totals: z.object({ activities: z.number().int(), participants: z.number().int(), feedback: z.number().int(), untagged: z.number().int() }),
    themes: z.array(z.object({ slug: z.string(), name: z.string(), feedback: z.number().int(), activities: z.number().int() })),
    kinds: z.array(z.object({ kind: z.enum(ENGAGEMENT_KINDS), activities: z.number().int(), participants: z.number().int() })),
  })
  .meta({ id: 'EngagementThemeCounts' });

function themeSpec(heard: WhatWeHeard): TopLevelSpec {
  const order = heard.byTheme.map((t) => t.theme.name);
  return {
    width: 560,
    height: { step: 34 },
    data: { values: heard.byTheme.map((t) => ({ theme: t.theme.name, feedback: t.feedback })) },
    encoding: {
      y: { field: 'theme', type: 'nominal', title: null, sort: order, axis: { labelLimit: 280 } },
      x: { field: 'feedback', type: 'quantitative', title: 'Feedback items', axis: { tickMinStep: 1, format: 'd' } },
    },
    layer: [{ mark: { type: 'bar', color: '#1d70b8' } }, { mark: { type: 'text', align: 'left', dx: 4, fontSize: 14, color: '#0b0c0c' }, encoding: { text: { field: 'feedback', type: 'quantitative' } } }],
  };
}

function submittedValues(body: Record<string, unknown>): Record<string, unknown> {
  const values: Record<string, unknown> = Object.fromEntries(TEXT_FIELDS.map((f) => [f, typeof body[f] === 'string' ? body[f] : '']));
  values.themes = ([] as unknown[]).concat(body.themes ?? []).filter((v) => typeof v === 'string');
  return values;
}

function activityValues(activity: ActivityDetail): Record<string, unknown> {
  return {
    kind: activity.kind,
    title: activity.title,
    ...dateInputValues('heldOn', activity.heldOn),
    region: activity.region,
    organiser: activity.organiser,
    participants: String(activity.participants),
    summary: activity.summary,
    themes: activity.themes.map((t) => t.slug),
  };
}

export async function engagementRoutes(app: FastifyInstance, { engagement, openapi }: { engagement: EngagementService; openapi: OpenApiRegistry }): Promise<void> {
  const labels = { kinds: KIND_LABELS, regions: REGION_LABELS, kindList: ENGAGEMENT_KINDS, regionList: ENGAGEMENT_REGIONS };

  const activityFor = async (params: unknown): Promise<ActivityDetail> => {
    const parsed = activityParams.safeParse(params);
    const activity = parsed.success ? await engagement.activity(parsed.data.id) : undefined;
    if (!activity) throw new NotFoundError('engagement activity');
    return activity;
  };

  /* ----- public ----- */

  app.get('/what-we-heard', async (request, reply) => {
    const { page } = parseInput(listQuery, request.query);
    const [heard, list] = [await engagement.whatWeHeard(), await engagement.list(page, PER_PAGE)];
    const pages = Math.max(1, Math.ceil(list.total / PER_PAGE));
    if (page > pages) throw new NotFoundError('page');
    const chart = heard.totals.feedback
      ? await renderChart(themeSpec(heard), { id: 'feedback-by-theme', title: 'Feedback heard, by theme', description: heard.byTheme.map((t) => `${t.theme.name}: ${t.feedback}`).join('; ') })
      : undefined;
    return reply.page('engagement/views/what-we-heard.njk', {
      title: page > 1 ? `What we heard (page ${page})` : 'What we heard',
      heard,
      chart,
      activities: list.activities,
      total: list.total,
      page,
      paginationParams: pagination(page, pages, (n) => `/what-we-heard${queryString({ page: n > 1 ? n : undefined })}`, 'activities'),
      ...labels,
    });
  });

  app.get('/what-we-heard/:id', async (request, reply) => {
    const activity = await activityFor(request.params);
    return reply.page('engagement/views/activity.njk', { title: activity.title, activity, ...labels });
  });

  app.get('/api/v1/engagement/themes', async (request, reply) => {
    const { format } = parseInput(themesQuery, request.query);
    const heard = await engagement.whatWeHeard();
    reply.header('cache-control', 'no-cache');
    if (format === 'csv') {
      const rows = heard.byTheme.map((t) => ({ theme: spreadsheetSafe(t.theme.name), feedback_items: String(t.feedback), activities: String(t.activities) }));
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="what-we-heard-by-theme.csv"').send(toCsv(THEME_COLUMNS, rows));
    }
    return {
      totals: heard.totals,
      themes: heard.byTheme.map((t) => ({ slug: t.theme.slug, name: t.theme.name, feedback: t.feedback, activities: t.activities })),
      kinds: heard.byKind,
    } satisfies z.infer<typeof themeCountsResponse>;
  });

  openapi.add({
    method: 'get',
    path: '/api/v1/engagement/themes',
    operationId: 'engagementThemes',
    summary: 'What we heard: feedback from engagement activities counted by theme, with activities and participants by kind',
    tags: ['Engagement'],
    query: themesQuery,
    responses: { 200: { description: 'Counts by theme (every theme, most heard first)', schema: themeCountsResponse, csv: true } },
  });

  /* ----- the strategy team's admin ----- */

  const access = { config: { access: 'engagement.manage' as const } };

  const formPage = (reply: FastifyReply, values: Record<string, unknown>, problems: FieldProblem[], options: { activity?: ActivityDetail; version?: number; status?: number; conflict?: string } = {}) =>
    engagement.themes().then((themes) =>
      reply.page(
        'engagement/views/activity-form.njk',
        {
          title: options.activity ? `Change ${options.activity.title}` : 'Add an engagement activity',
          activity: options.activity,
          version: options.version ?? options.activity?.version,
          conflict: options.conflict,
          themes,
          ...labels,
          ...formState(values, byFormOrder(problems), ANCHORS),
        },
        { status: options.status ?? 200 },
      ),
    );

  const adminPage = async (reply: FastifyReply, activity: ActivityDetail, feedback: { values: Record<string, unknown>; problems: FieldProblem[] } = { values: { themes: [] }, problems: [] }, status = 200) =>
    reply.page(
      'engagement/views/admin-activity.njk',
      { title: activity.title, activity, themes: await engagement.themes(), ...labels, ...formState(feedback.values, byFormOrder(feedback.problems), ANCHORS) },
      { status },
    );

  app.get('/admin/engagement', access, async (request, reply) => {
    const { page } = parseInput(listQuery, request.query);
    const list = await engagement.list(page, PER_PAGE);
    const pages = Math.max(1, Math.ceil(list.total / PER_PAGE));
    if (page > pages) throw new NotFoundError('page');
    return reply.page('engagement/views/admin-list.njk', {
      title: 'Engagement activities',
      activities: list.activities,
      total: list.total,
      paginationParams: pagination(page, pages, (n) => `/admin/engagement${queryString({ page: n > 1 ? n : undefined })}`, 'activities'),
      ...labels,
    });
  });

  app.get('/admin/engagement/new', access, async (_request, reply) => formPage(reply, submittedValues({}), []));

  app.post('/admin/engagement', access, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values = submittedValues(body);
    const { data, problems } = parseForm(activityForm, body);
    if (!data) return formPage(reply, values, problems, { status: 400 });
    try {
      const created = await engagement.create(actorFor(request), data);
      return reply.flash(`${created.title} is added. Now add what you heard.`).redirect(`/admin/engagement/${created.id}`, 303);
    } catch (error) {
      if (error instanceof InputError) return formPage(reply, values, error.problems, { status: 400 });
      throw error;
    }
  });

  app.get('/admin/engagement/:id', access, async (request, reply) => adminPage(reply, await activityFor(request.params)));

  app.get('/admin/engagement/:id/edit', access, async (request, reply) => {
    const activity = await activityFor(request.params);
    return formPage(reply, activityValues(activity), [], { activity });
  });

  app.post('/admin/engagement/:id/edit', access, async (request, reply) => {
    const activity = await activityFor(request.params);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const { version } = parseInput(versionForm, body);
    const values = submittedValues(body);
    const { data, problems } = parseForm(activityForm, body);
    if (!data) return formPage(reply, values, problems, { activity, version, status: 400 });
    try {
      const saved = await engagement.update(actorFor(request), activity.id, data, version);
      return reply.flash(`${saved.title} is saved`).redirect(`/admin/engagement/${saved.id}`, 303);
    } catch (error) {
      // Their changes stay in the form, which now carries the saved version: saving again replaces it knowingly.
      if (error instanceof ConflictError) return formPage(reply, values, [], { activity: await activityFor(request.params), status: 409, conflict: error.message });
      if (error instanceof InputError) return formPage(reply, values, error.problems, { activity, version, status: 400 });
      throw error;
    }
  });

  app.post('/admin/engagement/:id/feedback', access, async (request, reply) => {
    const activity = await activityFor(request.params);
    const body = (request.body ?? {}) as Record<string, unknown>;
    const values = { text: typeof body.text === 'string' ? body.text : '', feedbackThemes: ([] as unknown[]).concat(body.feedbackThemes ?? []).filter((v) => typeof v === 'string') };
    const { data, problems } = parseForm(feedbackForm, body);
    if (!data) return adminPage(reply, activity, { values, problems }, 400);
    try {
      await engagement.addFeedback(actorFor(request), activity.id, data);
      return reply.flash('Feedback added').redirect(`/admin/engagement/${activity.id}#feedback`, 303);
    } catch (error) {
      if (error instanceof InputError) return adminPage(reply, activity, { values, problems: error.problems }, 400);
      throw error;
    }
  });

  app.post('/admin/engagement/:id/feedback/:feedbackId/delete', access, async (request, reply) => {
    const parsed = feedbackParams.safeParse(request.params);
    if (!parsed.success) throw new NotFoundError('feedback');
    await engagement.removeFeedback(actorFor(request), parsed.data.id, parsed.data.feedbackId);
    return reply.flash('Feedback removed').redirect(`/admin/engagement/${parsed.data.id}#feedback`, 303);
  });

  app.get('/admin/engagement/:id/delete', access, async (request, reply) => {
    const activity = await activityFor(request.params);
    return reply.page('engagement/views/activity-delete.njk', { title: `Delete ${activity.title}?`, activity, ...labels });
  });

  app.post('/admin/engagement/:id/delete', access, async (request, reply) => {
    const activity = await activityFor(request.params);
    const { version } = parseInput(versionForm, request.body ?? {});
    try {
      await engagement.remove(actorFor(request), activity.id, version);
      return reply.flash(`${activity.title} is deleted`).redirect('/admin/engagement', 303);
    } catch (error) {
      if (error instanceof ConflictError) {
        return reply.page('engagement/views/activity-delete.njk', { title: `Delete ${activity.title}?`, activity: await activityFor(request.params), conflict: error.message, ...labels }, { status: 409 });
      }
      throw error;
    }
  });
}
