// Champions and "get involved": the public pages (/champions, joining, the champion's own
// record behind an emailed sign-in link), the stats API, and the strategy team's pages
// (/admin/champions, /admin/enquiries). Routes parse, call the service, render.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { spreadsheetSafe, toCsv } from '../../platform/files/spreadsheet.ts';
import { NotFoundError } from '../../platform/http/errors.ts';
import { formBody, formState, parseForm, postedValues } from '../../platform/http/forms.ts';
import type { OpenApiRegistry } from '../../platform/http/openapi.ts';
import { PageCache, type PublicReads } from '../../platform/http/conditional.ts';
import { pagination, queryString } from '../../platform/http/pagination.ts';
import { InputError, parseInput } from '../../platform/http/validation.ts';
import { dateFromParts } from '../../platform/http/validation.ts';
import { actorFor } from '../accounts/routes.ts';
import type { AccountsService } from '../accounts/service.ts';
import { growthChart } from './charts.ts';
import {
  actionForm,
  autoApproveForm,
  championDetailsForm,
  championFiltersQuery,
  decisionForm,
  DETAIL_LABELS,
  directoryQuery,
  ENQUIRY_LABELS,
  enquiryFiltersQuery,
  enquiryForm,
  enquiryUpdateForm,
  honeypotFilled,
  idParams,
  joinForm,
  pledgeForm,
  replyForm,
  sealedLinkQuery,
  signInForm,
  statsQuery,
  tokenParams,
  type ChampionFilters,
} from './forms.ts';
import { ACTION_LABELS, CHAMPION_STATUS_LABELS, ENQUIRY_KIND_LABELS, ENQUIRY_STATUS_LABELS, REGION_LABELS, SETTING_LABELS } from './labels.ts';
import type { ChampionRecord } from './repository.ts';
import { championActor, CONFIRM_HOURS, SIGN_IN_MINUTES, type CommunityService } from './service.ts';
import { CHAMPION_SETTINGS } from './schema.ts';

const PER_PAGE = 25;
const labels = { SETTING_LABELS, REGION_LABELS, CHAMPION_STATUS_LABELS, ACTION_LABELS, ENQUIRY_KIND_LABELS, ENQUIRY_STATUS_LABELS };

export interface CommunityRoutesOptions {
  community: CommunityService;
  accounts: AccountsService;
  openapi: OpenApiRegistry;
  /** Form posts per minute per address on the public forms (the bench raises it). */
  rateLimit: number;
  production: boolean;
  /** How /champions is served to readers with no cookies (decisions 29 and 30); undefined renders it every time. */
  publicReads?: PublicReads | undefined;
}

const statsResponse = z
  .object({
    active: z.number().int(),
    by_region: z.array(z.object({ region: z.string(), label: z.string(), champions: z.number().int() })),
    by_setting: z.array(z.object({ setting: z.string(), label: z.string(), champions: z.number().int() })),
    growth: z.array(z.object({ month: z.string(), joined: z.number().int(), left: z.number().int(), total: z.number().int() })),
    most_pledged: z.array(z.object({ code: z.string(), title: z.string(), pledges: z.number().int() })),
    actions: z.object({ logged: z.number().int(), people_reached: z.number().int() }),
  })
  .meta({ id: 'ChampionStats' });


/** The action form's date boxes as one YYYY-MM-DD string for the schema. */
function actionInput(body: Record<string, unknown>): Record<string, unknown> {
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  const parts = { day: text(body['happenedOn-day']), month: text(body['happenedOn-month']), year: text(body['happenedOn-year']) };
  const date = dateFromParts('Date of the action', parts);
  return { ...body, happenedOn: 'date' in date ? (date.date ?? '') : 'invalid', _dateMessage: 'message' in date ? date.message : date.date ? undefined : 'Enter the date of the action' };
}

export async function communityRoutes(app: FastifyInstance, { community, accounts, openapi, rateLimit, production, publicReads }: CommunityRoutesOptions): Promise<void> {
  const pages = new PageCache(publicReads, 50);
  const cookieName = production ? '__Host-hub_champion' : 'hub_champion';
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: production };
  const limited = (access: 'champions.join' | 'champions.self' | 'enquiries.submit') => ({ access, rateLimit: { max: rateLimit, timeWindow: '1 minute' } });

  /** The signed-in champion, or a redirect to the sign-in page. Every /champions/me page checks it. */
  async function signedInChampion(request: FastifyRequest, reply: FastifyReply): Promise<ChampionRecord | undefined> {
    const token = request.cookies[cookieName];
    const champion = token ? await community.sessionChampion(token) : undefined;
    if (!champion) {
      if (token) reply.clearCookie(cookieName, cookieOptions);
      reply.redirect('/champions/sign-in', 303);
      return undefined;
    }
    reply.header('cache-control', 'no-store');
    return champion;
  }
  const meta = (request: FastifyRequest) => ({ requestId: request.id, ip: request.ip });
  const asChampion = (request: FastifyRequest, champion: ChampionRecord) => championActor(champion.id, meta(request));

  /* ----- public: /champions and the stats API ----- */

  app.get('/champions', { config: { access: 'public' } }, async (request, reply) => {
    const { page } = parseInput(directoryQuery, request.query);
    return pages.recent(request, reply, `/champions ${page}`, async (options) => {
      const [stats, directory, actions] = [await community.publicStats(), await community.directory(page, PER_PAGE), await community.recentPublicActions(10)];
      if (page > directory.pages) throw new NotFoundError('page');
      const chart = await growthChart(stats.growth);
      return reply.render(
        'community/views/champions.njk',
        {
          title: 'Champions of the strategy',
          stats,
          chart,
          directory,
          actions,
          page,
          pagination: pagination(page, directory.pages, (n) => `/champions${queryString({ page: n > 1 ? n : undefined })}#directory`, 'the directory'),
          ...labels,
        },
        options,
      );
    });
  });

  app.get('/api/v1/champions/stats', { config: { access: 'public' } }, async (request, reply) => {
    const { format } = parseInput(statsQuery, request.query);
    const stats = await community.publicStats();
    if (format === 'csv') {
      const rows = [
        { measure: 'active', key: '', label: 'Active champions', value: String(stats.active) },
        ...stats.byRegion.map((r) => ({ measure: 'region', key: r.region, label: REGION_LABELS[r.region as keyof typeof REGION_LABELS] ?? r.region, value: String(r.count) })),
        ...stats.bySetting.map((s) => ({ measure: 'setting', key: s.setting, label: SETTING_LABELS[s.setting as keyof typeof SETTING_LABELS] ?? s.setting, value: String(s.count) })),
        ...stats.growth.map((g) => ({ measure: 'total_at_month', key: g.month.slice(0, 7), label: `Champions at the end of ${g.month.slice(0, 7)}`, value: String(g.total) })),
        ...stats.mostPledged.map((p) => ({ measure: 'pledges', key: p.code, label: spreadsheetSafe(p.title), value: String(p.pledges) })),
        { measure: 'actions_logged', key: '', label: 'Actions logged', value: String(stats.actions.logged) },
        { measure: 'people_reached', key: '', label: 'People reached by actions', value: String(stats.actions.peopleReached) },
      ];
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'inline; filename="champion-stats.csv"').send(toCsv(['measure', 'key', 'label', 'value'], rows));
    }
    return reply.type('application/json; charset=utf-8').send({
      active: stats.active,
      by_region: stats.byRegion.map((r) => ({ region: r.region, label: REGION_LABELS[r.region as keyof typeof REGION_LABELS] ?? r.region, champions: r.count })),
      by_setting: stats.bySetting.map((s) => ({ setting: s.setting, label: SETTING_LABELS[s.setting as keyof typeof SETTING_LABELS] ?? s.setting, champions: s.count })),
      growth: stats.growth,
      most_pledged: stats.mostPledged,
      actions: { logged: stats.actions.logged, people_reached: stats.actions.peopleReached },
    } satisfies z.input<typeof statsResponse>);
  });
  openapi.add({
    method: 'get',
    path: '/api/v1/champions/stats',
    operationId: 'championStats',
    summary: 'Champions of the strategy: active count, counts by region and setting, growth by month, most-pledged items, actions logged',
    tags: ['Champions'],
    query: statsQuery,
    responses: { 200: { description: 'The figures (no personal data)', schema: statsResponse, csv: true } },
  });

  /* ----- joining ----- */

  const joinPage = (reply: FastifyReply, values: Record<string, unknown>, problems: { field: string; message: string }[], status = 200) =>
    reply.page('community/views/join.njk', { title: 'Become a champion', confirmHours: CONFIRM_HOURS, settings: CHAMPION_SETTINGS, ...labels, ...formState(values, problems) }, { status });

  app.get('/champions/join', { config: { access: 'champions.join' } }, async (_request, reply) => joinPage(reply, {}, []));

  app.post('/champions/join', { config: limited('champions.join') }, async (request, reply) => {
    const body = formBody(request);
    if (!honeypotFilled(body)) {
      const { data, problems } = parseForm(joinForm, body, DETAIL_LABELS);
      if (!data) return joinPage(reply, postedValues(body), problems, 400);
      await community.join(actorFor(request), data);
    }
    // The same page whether the address is new, waiting, a champion already, or a bot's.
    return reply.page('community/views/message.njk', { title: 'Check your email', kind: 'join-sent', confirmHours: CONFIRM_HOURS });
  });

  app.get('/champions/join/confirm', { config: { access: 'champions.join' } }, async (request, reply) => {
    const parsed = sealedLinkQuery.safeParse(request.query);
    const signup = parsed.success ? await community.signupFromLink(parsed.data.token) : undefined;
    if (!parsed.success || !signup) return reply.page('community/views/message.njk', { title: 'This link has expired or has been used', kind: 'confirm-gone', confirmHours: CONFIRM_HOURS }, { status: 404 });
    return reply.page('community/views/confirm.njk', { title: 'Confirm your sign-up', signup, token: parsed.data.token, ...labels });
  });

  app.post('/champions/join/confirm', { config: limited('champions.join') }, async (request, reply) => {
    const parsed = sealedLinkQuery.safeParse(request.query);
    const champion = parsed.success ? await community.confirmJoin(actorFor(request), parsed.data.token) : undefined;
    if (!champion) return reply.page('community/views/message.njk', { title: 'This link has expired or has been used', kind: 'confirm-gone', confirmHours: CONFIRM_HOURS }, { status: 404 });
    return reply.page('community/views/message.njk', { title: 'Your email address is confirmed', kind: champion.status === 'active' ? 'confirmed-active' : 'confirmed-pending' });
  });

  /* ----- signing in by link ----- */

  app.get('/champions/sign-in', { config: { access: 'champions.join' } }, async (_request, reply) =>
    reply.page('community/views/sign-in.njk', { title: 'Sign in as a champion', minutes: SIGN_IN_MINUTES, ...formState({}, []) }),
  );

  app.post('/champions/sign-in', { config: limited('champions.join') }, async (request, reply) => {
    const body = formBody(request);
    const { data, problems } = parseForm(signInForm, body);
    if (!data) return reply.page('community/views/sign-in.njk', { title: 'Sign in as a champion', minutes: SIGN_IN_MINUTES, ...formState(postedValues(body), problems) }, { status: 400 });
    await community.requestSignIn(data.email);
    return reply.page('community/views/message.njk', { title: 'Check your email', kind: 'sign-in-sent', minutes: SIGN_IN_MINUTES });
  });

  const linkToken = (params: unknown) => {
    const parsed = tokenParams.safeParse(params);
    return parsed.success ? parsed.data.token : undefined;
  };
  const signInGone = (reply: FastifyReply) => reply.page('community/views/message.njk', { title: 'This sign-in link has expired or has been used', kind: 'sign-in-gone', minutes: SIGN_IN_MINUTES }, { status: 404 });

  app.get('/champions/sign-in/:token', { config: { access: 'champions.join' } }, async (request, reply) => {
    const token = linkToken(request.params);
    // A button, not the link itself, signs in: mail scanners opening links use up nothing.
    if (!token || !(await community.signInLinkWorks(token))) return signInGone(reply);
    return reply.page('community/views/sign-in-link.njk', { title: 'Sign in as a champion', action: `/champions/sign-in/${token}` });
  });

  app.post('/champions/sign-in/:token', { config: limited('champions.join') }, async (request, reply) => {
    const token = linkToken(request.params);
    const session = token ? await community.signInWithLink(token, meta(request)) : undefined;
    if (!session) return signInGone(reply);
    reply.setCookie(cookieName, session, cookieOptions);
    return reply.redirect('/champions/me', 303);
  });

  app.post('/champions/sign-out', { config: { access: 'champions.self' } }, async (request, reply) => {
    const token = request.cookies[cookieName];
    if (token) await community.signOut(token);
    reply.clearCookie(cookieName, cookieOptions);
    return reply.flash('You have signed out').redirect('/champions', 303);
  });

  /* ----- a champion's own record ----- */

  const mePage = async (reply: FastifyReply, champion: ChampionRecord, extra: Record<string, unknown> = {}, status = 200) => {
    const record = await community.ownRecord(champion.id);
    const items = await community.pledgeableItems();
    const pledged = new Set(record.pledges.map((p) => p.code));
    return reply.page(
      'community/views/me.njk',
      { title: 'Your champion record', record, itemOptions: items.filter((i) => !pledged.has(i.code)), ...labels, ...formState({}, []), ...extra },
      { status },
    );
  };

  app.get('/champions/me', { config: { access: 'champions.self' } }, async (request, reply) => {
    const champion = await signedInChampion(request, reply);
    if (!champion) return reply;
    return mePage(reply, champion);
  });

  const detailsPage = (reply: FastifyReply, values: Record<string, unknown>, problems: { field: string; message: string }[], status = 200) =>
    reply.page('community/views/details.njk', { title: 'Change your details', settings: CHAMPION_SETTINGS, ...labels, ...formState(values, problems) }, { status });

  app.get('/champions/me/details', { config: { access: 'champions.self' } }, async (request, reply) => {
    const champion = await signedInChampion(request, reply);
    if (!champion) return reply;
    return detailsPage(reply, { ...champion, contactConsent: champion.contactConsent ? 'yes' : 'no', directoryConsent: champion.directoryConsent ? 'yes' : 'no' }, []);
  });

  app.post('/champions/me/details', { config: limited('champions.self') }, async (request, reply) => {
    const champion = await signedInChampion(request, reply);
    if (!champion) return reply;
    const body = formBody(request);
    const { data, problems } = parseForm(championDetailsForm, body, DETAIL_LABELS);
    if (!data) return detailsPage(reply, postedValues(body), problems, 400);
    await community.updateDetails(asChampion(request, champion), champion.id, data);
    return reply.flash('Your details have been updated').redirect('/champions/me', 303);
  });

  app.post('/champions/me/pledges', { config: limited('champions.self') }, async (request, reply) => {
    const champion = await signedInChampion(request, reply);
    if (!champion) return reply;
    const body = formBody(request);
    const remove = body.remove === 'yes';
    const { data, problems } = parseForm(pledgeForm, body);
    try {
      if (!data) throw new InputError(problems.length ? problems : [{ field: 'item', message: 'Select an item from the list' }]);
      await community.pledge(asChampion(request, champion), champion.id, data.item, !remove);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      return mePage(reply, champion, formState(postedValues(body), error.problems.map((p) => ({ field: 'item', message: p.message.startsWith('Select') ? p.message : 'Select an item from the list' }))), 400);
    }
    return reply.flash(remove ? `Your pledge to ${data.item} has been removed` : `You have pledged to champion ${data.item}`).redirect('/champions/me', 303);
  });

  const actionPage = async (reply: FastifyReply, values: Record<string, unknown>, problems: { field: string; message: string }[], status = 200) =>
    reply.page('community/views/action.njk', { title: 'Log an action', items: await community.pledgeableItems(), ...labels, ...formState(values, problems, { happenedOn: 'happenedOn-day' }) }, { status });

  app.get('/champions/me/actions/new', { config: { access: 'champions.self' } }, async (request, reply) => {
    const champion = await signedInChampion(request, reply);
    if (!champion) return reply;
    return actionPage(reply, {}, []);
  });

  app.post('/champions/me/actions', { config: limited('champions.self') }, async (request, reply) => {
    const champion = await signedInChampion(request, reply);
    if (!champion) return reply;
    const body = formBody(request);
    const input = actionInput(body);
    const { data, problems } = parseForm(actionForm, input, { title: 'Title', description: 'Description' });
    const all = problems.filter((p) => p.field !== 'happenedOn');
    if (typeof input._dateMessage === 'string') all.push({ field: 'happenedOn', message: input._dateMessage });
    else if (problems.some((p) => p.field === 'happenedOn')) all.push({ field: 'happenedOn', message: 'Date of the action must be a real date' });
    if (!data || all.length) return actionPage(reply, postedValues(body), all, 400);
    try {
      await community.logAction(asChampion(request, champion), champion.id, data);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      return actionPage(reply, postedValues(body), error.problems, 400);
    }
    return reply.flash('Your action has been logged').redirect('/champions/me', 303);
  });

  app.post('/champions/me/actions/:id/delete', { config: limited('champions.self') }, async (request, reply) => {
    const champion = await signedInChampion(request, reply);
    if (!champion) return reply;
    const { id } = parseInput(idParams, request.params);
    await community.deleteAction(asChampion(request, champion), champion.id, id);
    return reply.flash('The action has been deleted').redirect('/champions/me', 303);
  });

  app.get('/champions/me/data.json', { config: { access: 'champions.self' } }, async (request, reply) => {
    const champion = await signedInChampion(request, reply);
    if (!champion) return reply;
    return reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', 'attachment; filename="my-champion-data.json"')
      .send(JSON.stringify(await community.exportData(champion.id), null, 2));
  });

  for (const step of ['withdraw', 'erase'] as const) {
    app.get(`/champions/me/${step}`, { config: { access: 'champions.self' } }, async (request, reply) => {
      const champion = await signedInChampion(request, reply);
      if (!champion) return reply;
      return reply.page('community/views/leave.njk', { title: step === 'withdraw' ? 'Stop being a champion' : 'Delete your data', step, champion });
    });
    app.post(`/champions/me/${step}`, { config: limited('champions.self') }, async (request, reply) => {
      const champion = await signedInChampion(request, reply);
      if (!champion) return reply;
      if (step === 'withdraw') {
        await community.withdraw(asChampion(request, champion), champion.id);
        return reply.flash('You are no longer a champion. Your record is kept until you delete it.').redirect('/champions/me', 303);
      }
      await community.erase(asChampion(request, champion), champion.id);
      reply.clearCookie(cookieName, cookieOptions);
      return reply.page('community/views/message.njk', { title: 'Your data has been deleted', kind: 'erased' });
    });
  }

  /* ----- get involved ----- */

  const enquiryPage = (reply: FastifyReply, values: Record<string, unknown>, problems: { field: string; message: string }[], status = 200) =>
    reply.page('community/views/get-involved.njk', { title: 'Get involved', ...labels, ...formState(values, problems) }, { status });

  app.get('/get-involved', { config: { access: 'enquiries.submit' } }, async (_request, reply) => enquiryPage(reply, {}, []));

  app.post('/get-involved', { config: limited('enquiries.submit') }, async (request, reply) => {
    const body = formBody(request);
    if (!honeypotFilled(body)) {
      const { data, problems } = parseForm(enquiryForm, body, ENQUIRY_LABELS);
      if (!data) return enquiryPage(reply, postedValues(body), problems, 400);
      await community.submitEnquiry(actorFor(request), { kind: data.kind, name: data.name, email: data.email, organisation: data.organisation, message: data.message });
    }
    return reply.page('community/views/message.njk', { title: 'Thank you: we have your enquiry', kind: 'enquiry-sent' });
  });

  /* ----- the strategy team: champions ----- */

  const filterHref = (f: ChampionFilters, extra: Record<string, string | number | undefined> = {}) =>
    queryString({ q: f.q, status: f.status, region: f.region, setting: f.setting, item: f.item, ...extra });

  app.get('/admin/champions', { config: { access: 'champions.manage' } }, async (request, reply) => {
    const { page, ...filters } = parseInput(championFiltersQuery, request.query);
    const list = await community.list(request.user!, filters, page, PER_PAGE);
    return reply.page('community/views/admin-champions.njk', {
      title: 'Champions',
      filters,
      list,
      items: await community.pledgeableItems(),
      exportHref: `/admin/champions.csv${filterHref(filters)}`,
      messageHref: `/admin/bulletins/new${queryString({ region: filters.region, setting: filters.setting, item: filters.item })}`,
      pagination: pagination(page, list.pages, (n) => `/admin/champions${filterHref(filters, { page: n > 1 ? n : undefined })}`, 'champions'),
      ...labels,
    });
  });

  app.get('/admin/champions.csv', { config: { access: 'champions.manage' } }, async (request, reply) => {
    const { page: _page, ...filters } = parseInput(championFiltersQuery, request.query);
    const rows = await community.exportRows(request.user!, filters);
    const columns = ['id', 'name', 'email', 'job_role', 'employer', 'setting', 'region', 'status', 'contact_consent', 'directory_consent', 'confirmed_at', 'pledges', 'actions'] as const;
    const csv = toCsv(
      columns,
      rows.map(({ champion: c, pledges, actions }) => ({
        id: String(c.id),
        name: spreadsheetSafe(c.name),
        email: spreadsheetSafe(c.email),
        job_role: spreadsheetSafe(c.jobRole),
        employer: spreadsheetSafe(c.employer),
        setting: c.setting,
        region: c.region,
        status: c.status,
        contact_consent: c.contactConsent ? 'yes' : 'no',
        directory_consent: c.directoryConsent ? 'yes' : 'no',
        confirmed_at: c.confirmedAt.toISOString(),
        pledges: pledges.join(' '),
        actions: String(actions),
      })),
    );
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="champions.csv"').header('cache-control', 'no-store').send(csv);
  });

  const settingsPage = async (reply: FastifyReply, status = 200) =>
    reply.page('community/views/admin-settings.njk', { title: 'Settings approved automatically', chosen: await community.autoApproveSettings(), settings: CHAMPION_SETTINGS, ...labels, ...formState({}, []) }, { status });

  app.get('/admin/champions/settings', { config: { access: 'champions.manage' } }, async (_request, reply) => settingsPage(reply));

  app.post('/admin/champions/settings', { config: { access: 'champions.manage' } }, async (request, reply) => {
    const { data } = parseForm(autoApproveForm, formBody(request));
    if (!data) return settingsPage(reply, 400);
    await community.setAutoApproveSettings(actorFor(request), request.user!, data.settings);
    return reply.flash('The settings approved automatically have been saved').redirect('/admin/champions/settings', 303);
  });

  app.get('/admin/champions/:id', { config: { access: 'champions.manage' } }, async (request, reply) => {
    const { id } = parseInput(idParams, request.params);
    const record = await community.champion(request.user!, id);
    return reply.page('community/views/admin-champion.njk', { title: record.champion.name, record, ...labels });
  });

  app.post('/admin/champions/:id/decision', { config: { access: 'champions.manage' } }, async (request, reply) => {
    const { id } = parseInput(idParams, request.params);
    const { data } = parseForm(decisionForm, formBody(request));
    if (!data) throw new InputError([{ field: 'decision', message: 'Choose approve or reject' }]);
    const champion = await community.decide(actorFor(request), request.user!, id, data.decision);
    return reply.flash(data.decision === 'approve' ? `${champion.name} is approved: a welcome email is on its way` : `${champion.name} has not been approved`).redirect(`/admin/champions/${id}`, 303);
  });

  /* ----- the strategy team: enquiries ----- */

  app.get('/admin/enquiries', { config: { access: 'enquiries.manage' } }, async (request, reply) => {
    const { status, page } = parseInput(enquiryFiltersQuery, request.query);
    const list = await community.enquiries(request.user!, status, page, PER_PAGE);
    return reply.page('community/views/admin-enquiries.njk', {
      title: 'Enquiries',
      status,
      list,
      retentionDays: community.retentionDays,
      pagination: pagination(page, list.pages, (n) => `/admin/enquiries${queryString({ status, page: n > 1 ? n : undefined })}`, 'enquiries'),
      ...labels,
    });
  });

  /** The strategy team and administrators: the people an enquiry can be assigned to. */
  const staff = async (request: FastifyRequest) => {
    const viewer = request.user!;
    const lists = await Promise.all((['strategy_team', 'administrator'] as const).map((role) => accounts.listUsers(viewer, { role, status: 'active' }, 1, 500)));
    return lists.flatMap((l) => l.rows).sort((a, b) => a.name.localeCompare(b.name));
  };

  const enquiryDetail = async (request: FastifyRequest, reply: FastifyReply, id: number, problems: { field: string; message: string }[] = [], values: Record<string, unknown> = {}, status = 200) => {
    const { enquiry, replies } = await community.enquiry(request.user!, id);
    const people = await staff(request);
    return reply.page('community/views/admin-enquiry.njk', { title: `Enquiry from ${enquiry.name}`, enquiry, replies, people, ...labels, ...formState(values, problems) }, { status });
  };

  app.get('/admin/enquiries/:id', { config: { access: 'enquiries.manage' } }, async (request, reply) => enquiryDetail(request, reply, parseInput(idParams, request.params).id));

  app.post('/admin/enquiries/:id', { config: { access: 'enquiries.manage' } }, async (request, reply) => {
    const { id } = parseInput(idParams, request.params);
    const { data, problems } = parseForm(enquiryUpdateForm, formBody(request));
    if (!data) return enquiryDetail(request, reply, id, problems, postedValues(formBody(request)), 400);
    const ids = new Set((await staff(request)).map((p) => p.id));
    try {
      await community.updateEnquiry(actorFor(request), request.user!, id, { status: data.status, assigneeId: data.assignee }, (userId) => ids.has(userId));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      return enquiryDetail(request, reply, id, error.problems, postedValues(formBody(request)), 400);
    }
    return reply.flash('The enquiry has been updated').redirect(`/admin/enquiries/${id}`, 303);
  });

  app.post('/admin/enquiries/:id/reply', { config: { access: 'enquiries.manage' } }, async (request, reply) => {
    const { id } = parseInput(idParams, request.params);
    const { data, problems } = parseForm(replyForm, formBody(request), { body: 'Reply' });
    if (!data) return enquiryDetail(request, reply, id, problems, postedValues(formBody(request)), 400);
    await community.replyToEnquiry(actorFor(request), request.user!, id, data.body);
    return reply.flash('Your reply has been sent').redirect(`/admin/enquiries/${id}`, 303);
  });
}

