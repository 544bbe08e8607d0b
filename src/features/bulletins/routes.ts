// Bulletins: the public pages (subscribe, confirm, preferences and unsubscribe behind the
// signed link in every email, the archive and its Atom feed) and the strategy team's pages
// (/admin/bulletins: campaigns, subscribers, lists). Routes parse, call the service, render.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { spreadsheetSafe, toCsv } from '../../platform/files/spreadsheet.ts';
import { ConflictError, NotFoundError, pathId } from '../../platform/http/errors.ts';
import { formBody, formState, parseForm, postedValues } from '../../platform/http/forms.ts';
import { pagination, queryString } from '../../platform/http/pagination.ts';
import { acceptUploads } from '../../platform/http/uploads.ts';
import { dateFromParts, InputError, parseInput, type FieldProblem } from '../../platform/http/validation.ts';
import { renderMarkdownDocument } from '../../platform/text/markdown.ts';
import { londonMoment } from '../../platform/time.ts';
import { actorFor } from '../accounts/routes.ts';
import { honeypotFilled } from '../community/forms.ts';
import type { StrategyService } from '../strategy/service.ts';
import { REGION_LABELS, SETTING_LABELS } from '../community/labels.ts';
import { atomFeed } from './feed.ts';
import {
  CAMPAIGN_LABELS,
  campaignForm,
  championGroupForm,
  confirmLinkParams,
  importForm,
  listForm,
  pageQuery,
  preferencesForm,
  sendForm,
  signedLinkParams,
  subscribeForm,
  subscriberFilters,
  versionForm,
} from './forms.ts';
import type { ChampionGroup } from './schema.ts';
import { CONFIRM_HOURS, type BulletinsService } from './service.ts';

export interface BulletinsRoutesOptions {
  bulletins: BulletinsService;
  strategy: StrategyService;
  /** Form posts per minute per address on the public forms. */
  rateLimit: number;
  baseUrl: string;
}

const LIST_KIND_LABELS: Record<string, string> = { general: 'General', champions: 'Champions', area: 'Area', theme: 'Theme' };
const SUBSCRIBER_STATUS_LABELS: Record<string, { text: string; colour: string }> = {
  pending: { text: 'Waiting for confirmation', colour: 'yellow' },
  active: { text: 'Subscribed', colour: 'green' },
  unsubscribed: { text: 'Unsubscribed', colour: 'grey' },
  suspended: { text: 'Suspended (bounced)', colour: 'red' },
};
const CAMPAIGN_STATUS_LABELS: Record<string, { text: string; colour: string }> = {
  draft: { text: 'Draft', colour: 'grey' },
  scheduled: { text: 'Scheduled', colour: 'blue' },
  sending: { text: 'Sending', colour: 'yellow' },
  sent: { text: 'Sent', colour: 'green' },
};
const labels = { LIST_KIND_LABELS, SUBSCRIBER_STATUS_LABELS, CAMPAIGN_STATUS_LABELS, REGION_LABELS, SETTING_LABELS };
/** A CSV of subscribers: 5 MB is about 100,000 addresses. */
const IMPORT_LIMITS = { field: 'file', maxFiles: 1, maxFileBytes: 5 * 1_048_576 };

const idOf = (raw: unknown) => pathId(raw, 'bulletin');

export async function bulletinsRoutes(app: FastifyInstance, { bulletins, strategy, rateLimit, baseUrl }: BulletinsRoutesOptions): Promise<void> {
  await acceptUploads(app);
  const limited = { access: 'bulletins.subscribe' as const, rateLimit: { max: rateLimit, timeWindow: '1 minute' } };
  const expired = (reply: FastifyReply, kind: 'confirm' | 'link') =>
    reply.page('bulletins/views/message.njk', { title: kind === 'confirm' ? 'This confirmation link has expired or been used' : 'This link is not valid', kind: `${kind}-gone`, confirmHours: CONFIRM_HOURS }, { status: 404 });

  /* ----- public: subscribe and confirm ----- */

  const subscribePage = async (reply: FastifyReply, values: Record<string, unknown>, problems: FieldProblem[], status = 200) =>
    reply.page('bulletins/views/subscribe.njk', { title: 'Subscribe to bulletins', lists: await bulletins.lists(), confirmHours: CONFIRM_HOURS, ...labels, ...formState(values, problems) }, { status });

  app.get('/bulletins/subscribe', { config: { access: 'bulletins.subscribe' } }, async (request, reply) => {
    const wanted = typeof (request.query as Record<string, unknown>).list === 'string' ? String((request.query as Record<string, unknown>).list) : '';
    const lists = await bulletins.lists();
    const chosen = lists.filter((l) => l.slug === wanted || (!wanted && l.kind === 'general')).map((l) => String(l.id));
    return subscribePage(reply, { lists: chosen }, []);
  });

  app.post('/bulletins/subscribe', { config: limited }, async (request, reply) => {
    const body = formBody(request);
    if (!honeypotFilled(body)) {
      const { data, problems } = parseForm(subscribeForm, body, { email: 'Email address', lists: 'Bulletins' });
      if (!data) return subscribePage(reply, postedValues(body), problems, 400);
      try {
        await bulletins.subscribe(actorFor(request), data.email, data.lists);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        return subscribePage(reply, postedValues(body), error.problems, 400);
      }
    }
    return reply.page('bulletins/views/message.njk', { title: 'Check your email', kind: 'check-email', confirmHours: CONFIRM_HOURS });
  });

  app.get('/bulletins/confirm/:token', { config: { access: 'bulletins.subscribe' } }, async (request, reply) => {
    const params = confirmLinkParams.safeParse(request.params);
    const found = params.success ? await bulletins.confirmation(params.data.token) : undefined;
    if (!params.success || !found) return expired(reply, 'confirm');
    reply.header('cache-control', 'no-store');
    return reply.page('bulletins/views/confirm.njk', { title: 'Confirm your subscription', found, action: `/bulletins/confirm/${params.data.token}` });
  });

  app.post('/bulletins/confirm/:token', { config: limited }, async (request, reply) => {
    const params = confirmLinkParams.safeParse(request.params);
    const token = params.success ? await bulletins.confirm(actorFor(request), params.data.token) : undefined;
    if (!token) return expired(reply, 'confirm');
    return reply.page('bulletins/views/message.njk', { title: 'You are subscribed', kind: 'confirmed', preferencesHref: `/bulletins/preferences/${token}` });
  });

  /* ----- public: behind the signed link in every email ----- */

  const signed = (request: FastifyRequest): string | undefined => {
    const params = signedLinkParams.safeParse(request.params);
    return params.success ? params.data.token : undefined;
  };

  const preferencesPage = async (reply: FastifyReply, token: string, problems: FieldProblem[] = [], status = 200, chosen?: string[]) => {
    const prefs = await bulletins.preferences(token);
    if (!prefs) return expired(reply, 'link');
    reply.header('cache-control', 'no-store');
    return reply.page(
      'bulletins/views/preferences.njk',
      { title: 'Your bulletins', prefs, base: `/bulletins/preferences/${token}`, unsubscribeHref: `/bulletins/unsubscribe/${token}`, ...labels, ...formState({ lists: chosen ?? prefs.listIds.map(String) }, problems) },
      { status },
    );
  };

  app.get('/bulletins/preferences/:token', { config: { access: 'bulletins.subscribe' } }, async (request, reply) => {
    const token = signed(request);
    return token ? preferencesPage(reply, token) : expired(reply, 'link');
  });

  app.post('/bulletins/preferences/:token', { config: limited }, async (request, reply) => {
    const token = signed(request);
    if (!token) return expired(reply, 'link');
    const body = formBody(request);
    const { data, problems } = parseForm(preferencesForm, body, { lists: 'Bulletins' });
    if (!data) return preferencesPage(reply, token, problems, 400, postedValues(body).lists ? [postedValues(body).lists!].flat() : []);
    const status = await bulletins.updatePreferences(actorFor(request), token, data.lists);
    if (!status) return expired(reply, 'link');
    return reply.flash(status === 'unsubscribed' ? 'You have unsubscribed: you will get no more bulletins' : 'Your choices have been saved').redirect(`/bulletins/preferences/${token}`, 303);
  });

  app.get('/bulletins/preferences/:token/data.json', { config: { access: 'bulletins.subscribe' } }, async (request, reply) => {
    const token = signed(request);
    const data = token && (await bulletins.exportData(token));
    if (!data) return expired(reply, 'link');
    return reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', 'attachment; filename="my-bulletin-data.json"')
      .header('cache-control', 'no-store')
      .send(JSON.stringify(data, null, 2));
  });

  app.get('/bulletins/preferences/:token/erase', { config: { access: 'bulletins.subscribe' } }, async (request, reply) => {
    const token = signed(request);
    const prefs = token && (await bulletins.preferences(token));
    if (!token || !prefs) return expired(reply, 'link');
    reply.header('cache-control', 'no-store');
    return reply.page('bulletins/views/erase.njk', { title: 'Delete your data', prefs, action: `/bulletins/preferences/${token}/erase`, back: `/bulletins/preferences/${token}` });
  });

  app.post('/bulletins/preferences/:token/erase', { config: limited }, async (request, reply) => {
    const token = signed(request);
    if (!token || !(await bulletins.erase(actorFor(request), token))) return expired(reply, 'link');
    return reply.page('bulletins/views/message.njk', { title: 'Your data has been deleted', kind: 'erased' });
  });

  app.get('/bulletins/unsubscribe/:token', { config: { access: 'bulletins.subscribe' } }, async (request, reply) => {
    const token = signed(request);
    const prefs = token && (await bulletins.preferences(token));
    if (!token || !prefs) return expired(reply, 'link');
    reply.header('cache-control', 'no-store');
    return reply.page('bulletins/views/unsubscribe.njk', { title: 'Unsubscribe from bulletins', prefs, action: `/bulletins/unsubscribe/${token}`, preferencesHref: `/bulletins/preferences/${token}` });
  });

  // RFC 8058 one-click: mail clients post `List-Unsubscribe=One-Click` here with no form and no
  // cookie. The signature in the address is the proof, so this form has no CSRF token.
  app.post('/bulletins/unsubscribe/:token', { config: { ...limited, signedLink: true } }, async (request, reply) => {
    const token = signed(request);
    if (!token || !(await bulletins.unsubscribe(actorFor(request), token))) return expired(reply, 'link');
    return reply.page('bulletins/views/message.njk', { title: 'You have unsubscribed', kind: 'unsubscribed', preferencesHref: `/bulletins/preferences/${token}` });
  });

  /* ----- public: the archive and its feed ----- */

  app.get('/bulletins', { config: { access: 'public' } }, async (request, reply) => {
    const { page } = parseInput(pageQuery, request.query);
    const archive = await bulletins.published(page);
    const pages = Math.max(1, Math.ceil(archive.total / 20));
    if (page > pages) throw new NotFoundError('page');
    return reply.page('bulletins/views/archive.njk', {
      title: 'Bulletins',
      archive,
      pagination: pagination(page, pages, (n) => `/bulletins${queryString({ page: n > 1 ? n : undefined })}`, 'bulletins'),
    });
  });

  app.get('/bulletins/feed.xml', { config: { access: 'public' } }, async (_request, reply) => {
    const { rows } = await bulletins.published(1, 50);
    return reply
      .type('application/atom+xml; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .send(atomFeed(rows, baseUrl));
  });

  app.get('/bulletins/:slug', { config: { access: 'public' } }, async (request, reply) => {
    const slug = (request.params as { slug: string }).slug;
    const bulletin = /^[a-z0-9-]{1,100}$/.test(slug) ? await bulletins.publishedBySlug(slug) : undefined;
    if (!bulletin) throw new NotFoundError('bulletin');
    return reply.page('bulletins/views/bulletin.njk', { title: bulletin.subject, bulletin, bodyHtml: renderMarkdownDocument(bulletin.bodyMarkdown) });
  });

  /* ----- the strategy team: campaigns ----- */

  app.get('/admin/bulletins', { config: { access: 'bulletins.manage' } }, async (request, reply) => {
    const { page } = parseInput(pageQuery, request.query);
    const list = await bulletins.campaigns(request.user!, page);
    const pages = Math.max(1, Math.ceil(list.total / 25));
    if (page > pages) throw new NotFoundError('page');
    return reply.page('bulletins/views/admin-campaigns.njk', {
      title: 'Bulletins',
      list,
      pagination: pagination(page, pages, (n) => `/admin/bulletins${queryString({ page: n > 1 ? n : undefined })}`, 'bulletins'),
      ...labels,
    });
  });

  const groupFrom = (input: unknown): ChampionGroup | null => {
    const group = parseInput(championGroupForm, input);
    const out: ChampionGroup = {};
    if (group.region) out.region = group.region;
    if (group.setting) out.setting = group.setting;
    if (group.item) out.item = group.item;
    return Object.keys(out).length ? out : null;
  };

  const campaignFormPage = async (reply: FastifyReply, options: { id?: number; group: ChampionGroup | null; values: Record<string, unknown>; problems: FieldProblem[]; status?: number }) => {
    const lists = await bulletins.lists();
    return reply.page(
      'bulletins/views/admin-campaign-form.njk',
      { title: options.id ? 'Change the bulletin' : 'Write a bulletin', id: options.id, group: options.group, lists, groupQuery: queryString({ ...(options.group ?? {}) }), ...labels, ...formState(options.values, options.problems) },
      { status: options.status ?? 200 },
    );
  };

  app.get('/admin/bulletins/new', { config: { access: 'bulletins.manage' } }, async (request, reply) => {
    const group = groupFrom(request.query);
    const lists = await bulletins.lists();
    const champions = lists.find((l) => l.kind === 'champions');
    const preselect = group && champions ? [String(champions.id)] : [];
    return campaignFormPage(reply, { group, values: { public: group ? 'no' : 'yes', lists: preselect }, problems: [] });
  });

  app.post('/admin/bulletins/new', { config: { access: 'bulletins.manage' } }, async (request, reply) => {
    const group = groupFrom(request.query);
    const body = formBody(request);
    const { data, problems } = parseForm(campaignForm, body, CAMPAIGN_LABELS);
    if (!data) return campaignFormPage(reply, { group, values: postedValues(body), problems, status: 400 });
    try {
      const campaign = await bulletins.createCampaign(request.user!, actorFor(request), data, group);
      return reply.flash('The bulletin has been saved as a draft').redirect(`/admin/bulletins/${campaign.id}`, 303);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      return campaignFormPage(reply, { group, values: postedValues(body), problems: error.problems, status: 400 });
    }
  });

  app.get('/admin/bulletins/:id', { config: { access: 'bulletins.manage' } }, async (request, reply) => {
    const view = await bulletins.campaign(request.user!, idOf((request.params as { id: string }).id));
    const remaining = view.counts.queued + view.counts.sending;
    return reply.page('bulletins/views/admin-campaign.njk', { title: view.campaign.subject, view, remaining, ...labels, ...formState({}, []) });
  });

  app.get('/admin/bulletins/:id/edit', { config: { access: 'bulletins.manage' } }, async (request, reply) => {
    const id = idOf((request.params as { id: string }).id);
    const { campaign, listIds } = await bulletins.campaign(request.user!, id);
    if (campaign.status !== 'draft') return reply.flash('Only a draft can be changed').redirect(`/admin/bulletins/${id}`, 303);
    return campaignFormPage(reply, {
      id,
      group: campaign.championGroup,
      values: { subject: campaign.subject, summary: campaign.summary, body: campaign.bodyMarkdown, lists: listIds.map(String), public: campaign.public ? 'yes' : 'no', version: campaign.version },
      problems: [],
    });
  });

  app.post('/admin/bulletins/:id/edit', { config: { access: 'bulletins.manage' } }, async (request, reply) => {
    const id = idOf((request.params as { id: string }).id);
    const campaign = await bulletins.campaignRecord(request.user!, id);
    const body = formBody(request);
    const { data, problems } = parseForm(campaignForm, body, CAMPAIGN_LABELS);
    if (!data) return campaignFormPage(reply, { id, group: campaign.championGroup, values: postedValues(body), problems, status: 400 });
    try {
      await bulletins.updateCampaign(request.user!, actorFor(request), id, data);
    } catch (error) {
      if (error instanceof InputError) return campaignFormPage(reply, { id, group: campaign.championGroup, values: postedValues(body), problems: error.problems, status: 400 });
      if (error instanceof ConflictError) return campaignFormPage(reply, { id, group: campaign.championGroup, values: postedValues(body), problems: [{ field: 'subject', message: error.message }], status: 409 });
      throw error;
    }
    return reply.flash('Your changes have been saved').redirect(`/admin/bulletins/${id}`, 303);
  });

  app.get('/admin/bulletins/:id/preview', { config: { access: 'bulletins.manage' } }, async (request, reply) => {
    const id = idOf((request.params as { id: string }).id);
    const email = await bulletins.preview(request.user!, id);
    return reply.page('bulletins/views/admin-preview.njk', { title: `Preview: ${email.subject}`, campaign: { id, subject: email.subject }, email });
  });

  // The HTML part on its own, for the preview page's frame: nothing may run or load (default-src 'none'), inline styles
  // allowed (as in the email), shown only inside this hub's own pages.
  app.get('/admin/bulletins/:id/preview.html', { config: { access: 'bulletins.manage' } }, async (request, reply) => {
    const id = idOf((request.params as { id: string }).id);
    const email = await bulletins.preview(request.user!, id);
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'")
      .header('x-frame-options', 'SAMEORIGIN')
      .header('cache-control', 'no-store')
      .send(email.html);
  });

  app.post('/admin/bulletins/:id/test', { config: { access: 'bulletins.manage' } }, async (request, reply) => {
    const id = idOf((request.params as { id: string }).id);
    const to = await bulletins.sendTest(request.user!, actorFor(request), id);
    return reply.flash(`A test has been sent to ${to}`).redirect(`/admin/bulletins/${id}`, 303);
  });

  const sendPage = async (request: FastifyRequest, reply: FastifyReply, id: number, values: Record<string, unknown>, problems: FieldProblem[], status = 200) => {
    const view = await bulletins.campaign(request.user!, id);
    return reply.page('bulletins/views/admin-send.njk', { title: 'Send the bulletin', view, ...labels, ...formState({ version: view.campaign.version, ...values }, problems) }, { status });
  };

  app.get('/admin/bulletins/:id/send', { config: { access: 'bulletins.manage' } }, async (request, reply) => {
    const id = idOf((request.params as { id: string }).id);
    return sendPage(request, reply, id, { when: 'now' }, []);
  });

  app.post('/admin/bulletins/:id/send', { config: { access: 'bulletins.manage' } }, async (request, reply) => {
    const id = idOf((request.params as { id: string }).id);
    const body = formBody(request);
    const { data, problems } = parseForm(sendForm, body, { when: 'When to send' });
    if (!data) return sendPage(request, reply, id, postedValues(body), problems, 400);
    let at: Date | null = null;
    if (data.when === 'later') {
      const day = dateFromParts('The date to send', { day: data['at-day'], month: data['at-month'], year: data['at-year'] });
      const time = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(data['at-time'] ?? '');
      if ('message' in day || !day.date) return sendPage(request, reply, id, postedValues(body), [{ field: 'at', message: 'message' in day ? day.message : 'Enter the date to send' }], 400);
      if (!time) return sendPage(request, reply, id, postedValues(body), [{ field: 'at-time', message: 'Enter the time to send, like 09:30' }], 400);
      at = londonMoment(day.date, Number(time[1]) * 60 + Number(time[2]));
    }
    try {
      const campaign = await bulletins.schedule(request.user!, actorFor(request), id, data.version, at);
      return reply.flash(campaign.status === 'scheduled' ? 'The bulletin is scheduled' : 'The bulletin is being sent').redirect(`/admin/bulletins/${id}`, 303);
    } catch (error) {
      if (error instanceof InputError) return sendPage(request, reply, id, postedValues(body), error.problems, 400);
      if (error instanceof ConflictError) return sendPage(request, reply, id, postedValues(body), [{ field: 'when', message: error.message }], 409);
      throw error;
    }
  });

  app.post('/admin/bulletins/:id/unschedule', { config: { access: 'bulletins.manage' } }, async (request, reply) => {
    const id = idOf((request.params as { id: string }).id);
    const { data } = parseForm(versionForm, formBody(request));
    if (!data) throw new InputError([{ field: 'version', message: 'The form was not complete: reload the page' }]);
    await bulletins.cancelSchedule(request.user!, actorFor(request), id, data.version);
    return reply.flash('The schedule has been cancelled: the bulletin is a draft again').redirect(`/admin/bulletins/${id}`, 303);
  });

  app.post('/admin/bulletins/:id/delete', { config: { access: 'bulletins.manage' } }, async (request, reply) => {
    const id = idOf((request.params as { id: string }).id);
    const { data } = parseForm(versionForm, formBody(request));
    if (!data) throw new InputError([{ field: 'version', message: 'The form was not complete: reload the page' }]);
    await bulletins.deleteCampaign(request.user!, actorFor(request), id, data.version);
    return reply.flash('The draft has been deleted').redirect('/admin/bulletins', 303);
  });

  /* ----- the strategy team: subscribers and lists ----- */

  app.get('/admin/bulletins/subscribers', { config: { access: 'bulletins.manage' } }, async (request, reply) => {
    const { page, ...filters } = parseInput(subscriberFilters, request.query);
    const result = await bulletins.subscribers(request.user!, filters, page);
    const pages = Math.max(1, Math.ceil(result.total / 50));
    const href = (extra: Record<string, string | number | undefined> = {}) => queryString({ q: filters.q, list: filters.list, status: filters.status, ...extra });
    return reply.page('bulletins/views/admin-subscribers.njk', {
      title: 'Subscribers',
      filters,
      result,
      lists: await bulletins.lists(),
      exportHref: `/admin/bulletins/subscribers.csv${href()}`,
      pagination: pagination(page, pages, (n) => `/admin/bulletins/subscribers${href({ page: n > 1 ? n : undefined })}`, 'subscribers'),
      ...labels,
    });
  });

  app.get('/admin/bulletins/subscribers.csv', { config: { access: 'bulletins.manage' } }, async (request, reply) => {
    const { page: _page, ...filters } = parseInput(subscriberFilters, request.query);
    const rows = await bulletins.exportSubscribers(request.user!, filters);
    const columns = ['email', 'status', 'lists', 'source', 'lawful_basis', 'consent_at', 'consent_note', 'hard_bounces', 'subscribed_at', 'unsubscribed_at'] as const;
    const csv = toCsv(
      columns,
      rows.map((r) => ({
        email: spreadsheetSafe(r.email),
        status: r.status,
        lists: r.lists.join(' '),
        source: r.source,
        lawful_basis: r.lawfulBasis,
        consent_at: r.consentAt?.toISOString() ?? '',
        consent_note: spreadsheetSafe(r.consentNote),
        hard_bounces: String(r.hardBounces),
        subscribed_at: r.createdAt.toISOString(),
        unsubscribed_at: r.unsubscribedAt?.toISOString() ?? '',
      })),
    );
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="subscribers.csv"').header('cache-control', 'no-store').send(csv);
  });

  const importPage = async (reply: FastifyReply, values: Record<string, unknown>, problems: FieldProblem[], status = 200, summary?: unknown) =>
    reply.page('bulletins/views/admin-import.njk', { title: 'Import subscribers', lists: await bulletins.lists(), summary, ...labels, ...formState(values, problems) }, { status });

  app.get('/admin/bulletins/subscribers/import', { config: { access: 'bulletins.manage' } }, async (_request, reply) => importPage(reply, {}, []));

  app.post('/admin/bulletins/subscribers/import', { config: { access: 'bulletins.manage', uploads: IMPORT_LIMITS } }, async (request, reply) => {
    const body = formBody(request);
    const { data, problems } = parseForm(importForm, body, { lists: 'Lists', lawfulBasis: 'Lawful basis', note: 'Where the addresses came from' });
    const file = request.uploads?.files[0];
    const fileProblems: FieldProblem[] = !file ? [{ field: 'file', message: 'Choose a CSV file to import' }] : file.tooLarge ? [{ field: 'file', message: 'The file must be 5 MB or smaller' }] : [];
    if (!data || fileProblems.length) return importPage(reply, postedValues(body), [...problems, ...fileProblems], 400);
    try {
      const summary = await bulletins.importCsv(request.user!, actorFor(request), file!.bytes.toString('utf8'), data);
      return await importPage(reply, {}, [], 200, summary);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      return importPage(reply, postedValues(body), error.problems, 400);
    }
  });

  const topics = async () => {
    const catalogue = await strategy.catalogue();
    return { areas: catalogue.areas.map((a) => ({ slug: a.slug, name: a.name })), themes: catalogue.themes.map((t) => ({ slug: t.slug, name: t.name })) };
  };

  const listsPage = async (request: FastifyRequest, reply: FastifyReply, values: Record<string, unknown>, problems: FieldProblem[], status = 200) =>
    reply.page('bulletins/views/admin-lists.njk', { title: 'Mailing lists', lists: await bulletins.listsWithCounts(request.user!), topics: await topics(), ...labels, ...formState(values, problems) }, { status });

  app.post('/admin/bulletins/lists/standard', { config: { access: 'bulletins.manage' } }, async (request, reply) => {
    const added = await bulletins.ensureStandardLists(request.user, actorFor(request), await topics());
    return reply.flash(added ? `${added} ${added === 1 ? 'list has' : 'lists have'} been added` : 'Every standard list is already here').redirect('/admin/bulletins/lists', 303);
  });

  app.get('/admin/bulletins/lists', { config: { access: 'bulletins.manage' } }, async (request, reply) => listsPage(request, reply, { kind: 'general' }, []));

  app.post('/admin/bulletins/lists', { config: { access: 'bulletins.manage' } }, async (request, reply) => {
    const body = formBody(request);
    const { data, problems } = parseForm(listForm, body, { name: 'Name', slug: 'Web address', description: 'Description', kind: 'Kind', topic: 'Area or theme' });
    if (!data) return listsPage(request, reply, postedValues(body), problems, 400);
    const known = await topics();
    const topic = data.kind === 'area' ? data.areaTopic : data.kind === 'theme' ? data.themeTopic : undefined;
    if ((data.kind === 'area' || data.kind === 'theme') && !(data.kind === 'area' ? known.areas : known.themes).some((t) => t.slug === topic)) {
      return listsPage(request, reply, postedValues(body), [{ field: `${data.kind}Topic`, message: `Select the ${data.kind} this list is about` }], 400);
    }
    try {
      const list = await bulletins.createList(request.user!, actorFor(request), { name: data.name, slug: data.slug, description: data.description, kind: data.kind, topic });
      return reply.flash(`The list “${list.name}” has been added`).redirect('/admin/bulletins/lists', 303);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      return listsPage(request, reply, postedValues(body), error.problems, 400);
    }
  });
}
