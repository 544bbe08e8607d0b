// Governance's public pages and read API: the bodies (`/governance`), one body with its people
// and meetings, its iCalendar feed, the meetings across bodies (`/meetings`) and one meeting.
// Private minutes and members-only papers reach only the strategy team and the body's members.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PageCache, sendCached, type PublicReads } from '../../platform/http/conditional.ts';
import { NotFoundError } from '../../platform/http/errors.ts';
import type { OpenApiRegistry } from '../../platform/http/openapi.ts';
import { pagination, queryString } from '../../platform/http/pagination.ts';
import { parseInput } from '../../platform/http/validation.ts';
import { spreadsheetSafe, toCsv } from '../../platform/files/spreadsheet.ts';
import { londonDay } from '../../platform/time.ts';
import { BODY_COLUMNS, apiBodiesQuery, apiMeetingsQuery, bodyListResponse, bodyPageQuery, meetingListResponse, meetingsQuery } from './forms.ts';
import { calendar } from './ical.ts';
import { KIND_LABELS, POSITION_LABELS, meetingTimes } from './labels.ts';
import type { MemberRow } from './repository.ts';
import { BODY_KINDS } from './schema.ts';
import { PUBLIC_VIEWER, type BodySummary, type GovernanceService, type MeetingView } from './service.ts';

const PER_PAGE = 10;
const MEETINGS_PER_PAGE = 20;

/** A number from a path segment, or a 404. */
export function idFrom(raw: string, what: string): number {
  if (!/^\d{1,9}$/.test(raw)) throw new NotFoundError(what);
  return Number(raw);
}

/** Members grouped by the organisation they sit for, independent members in their own group last. */
export function byOrganisation(members: MemberRow[]): Array<{ name: string; members: MemberRow[] }> {
  const groups = new Map<string, MemberRow[]>();
  for (const m of members) {
    const key = m.organisationName ?? '';
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)))
    .map(([name, list]) => ({ name: name || 'Independent members', members: list }));
}

/** "12 people from 9 organisations". */
export function headCount(people: number, organisations: number): string {
  if (people === 0) return 'No members listed';
  const p = `${people} ${people === 1 ? 'person' : 'people'}`;
  return organisations ? `${p} from ${organisations} ${organisations === 1 ? 'organisation' : 'organisations'}` : p;
}

export async function governanceRoutes(
  app: FastifyInstance,
  { governance, openapi, baseUrl, publicReads }: { governance: GovernanceService; openapi: OpenApiRegistry; baseUrl: string; /** How /governance is served to readers with no cookies (decisions 29 and 30). */ publicReads?: PublicReads | undefined },
): Promise<void> {
  const pages = new PageCache(publicReads, 10);
  app.views.addGlobal('governanceLabels', { kind: KIND_LABELS, position: POSITION_LABELS });
  app.views.addFilter('meetingTimes', (m: { startsAt: Date; endsAt: Date }) => meetingTimes(m.startsAt, m.endsAt));
  const host = new URL(baseUrl).hostname;
  const absolute = (p: string) => new URL(p, baseUrl).toString();

  const viewerOf = (request: FastifyRequest) => governance.viewer(request.user);
  const today = () => londonDay(governance.currentTime());

  /* ----- the bodies ----- */

  app.get('/governance', async (request, reply) =>
    pages.recent(request, reply, '/governance', async (options) => {
      const bodies = await governance.bodies();
      const ids = new Set(bodies.map((b) => b.id));
      // Sub-groups sit under their parent; every other body under its kind.
      const nested = (b: BodySummary) => b.kind === 'sub_group' && b.parentId !== null && ids.has(b.parentId);
      const withSubGroups = (b: BodySummary) => ({ ...b, headCount: headCount(b.people, b.organisations), subGroups: bodies.filter((s) => nested(s) && s.parentId === b.id).map((s) => ({ ...s, headCount: headCount(s.people, s.organisations) })) });
      const groups = BODY_KINDS.map((kind) => ({ kind, label: KIND_LABELS[kind].many, bodies: bodies.filter((b) => b.kind === kind && !nested(b)).map(withSubGroups) })).filter((g) => g.bodies.length);
      return reply.render('governance/views/governance.njk', { title: 'How the strategy is governed', groups, empty: bodies.length === 0 }, options);
    }),
  );

  app.get<{ Params: { body: string } }>('/governance/:body', async (request, reply) => {
    const { page } = parseInput(bodyPageQuery, request.query);
    const body = await governance.body(request.params.body);
    if (!body) throw new NotFoundError('body');
    const all = await governance.bodies();
    const summary = all.find((b) => b.id === body.id)!;
    const [current, everyone] = [await governance.members(body.id), await governance.members(body.id, 'all')];
    const day = today();
    const past = everyone.filter((m) => m.endsOn !== null && m.endsOn < day);
    const upcoming = await governance.meetings({ bodyIds: [body.id], when: 'upcoming', limit: 50 });
    const held = await governance.meetings({ bodyIds: [body.id], when: 'past', limit: PER_PAGE, offset: (page - 1) * PER_PAGE });
    const pages = Math.max(1, Math.ceil(held.total / PER_PAGE));
    if (page > pages) throw new NotFoundError('page');
    return reply.header('cache-control', 'no-cache').page('governance/views/body.njk', {
      title: body.name,
      body: summary,
      headCount: headCount(summary.people, summary.organisations),
      parent: summary.parent,
      children: all.filter((b) => b.parentId === body.id),
      groups: byOrganisation(current),
      past,
      upcoming: upcoming.meetings,
      held: held.meetings,
      heldTotal: held.total,
      page,
      paginationParams: pagination(page, pages, (n) => `/governance/${body.slug}${queryString({ page: n > 1 ? n : undefined })}#past-meetings`, 'past meetings'),
    });
  });

  app.get<{ Params: { body: string } }>('/governance/:body/meetings.ics', async (request, reply) => {
    const body = await governance.body(request.params.body);
    if (!body) throw new NotFoundError('body');
    const [upcoming, past] = [await governance.meetings({ bodyIds: [body.id], when: 'upcoming' }), await governance.meetings({ bodyIds: [body.id], when: 'past' })];
    const meetings = [...past.meetings.reverse(), ...upcoming.meetings];
    const text = calendar({
      prodId: '-//Workforce Strategy Hub//Governance meetings//EN',
      name: `${body.name}: meetings`,
      events: meetings.map((m) => ({
        uid: `meeting-${m.id}@${host}`,
        stamp: m.updatedAt,
        start: m.startsAt,
        end: m.endsAt,
        summary: m.title,
        location: [m.place, m.onlineUrl].filter(Boolean).join(', ') || null,
        url: absolute(`/meetings/${m.id}`),
        description: m.agenda,
        sequence: m.version - 1,
        cancelled: m.cancelled,
      })),
    });
    const etag = `"${createHash('sha1').update(text).digest('base64url').slice(0, 22)}"`;
    reply.header('content-disposition', `inline; filename="${body.slug}-meetings.ics"`);
    return sendCached(request, reply, { body: text, etag }, 'text/calendar; charset=utf-8');
  });

  /* ----- meetings ----- */

  app.get('/meetings', async (request, reply) => {
    const query = parseInput(meetingsQuery, request.query);
    const bodies = await governance.bodies();
    const body = query.body ? bodies.find((b) => b.slug === query.body) : undefined;
    if (query.body && !body) throw new NotFoundError('body');
    const filter = body ? { bodyIds: [body.id] } : {};
    const result = await governance.meetings({ ...filter, when: query.when, limit: MEETINGS_PER_PAGE, offset: (query.page - 1) * MEETINGS_PER_PAGE });
    const other = await governance.meetings({ ...filter, when: query.when === 'upcoming' ? 'past' : 'upcoming', limit: 0 });
    const pages = Math.max(1, Math.ceil(result.total / MEETINGS_PER_PAGE));
    if (query.page > pages) throw new NotFoundError('page');
    const href = (when: string, page?: number) => `/meetings${queryString({ body: body?.slug, when: when === 'upcoming' ? undefined : when, page: page && page > 1 ? page : undefined })}`;
    const bodyById = new Map(bodies.map((b) => [b.id, b]));
    return reply.header('cache-control', 'no-cache').page('governance/views/meetings.njk', {
      title: query.when === 'upcoming' ? 'Upcoming meetings' : 'Past meetings',
      when: query.when,
      body,
      meetings: result.meetings.map((m) => ({ ...m, body: bodyById.get(m.bodyId)! })),
      total: result.total,
      counts: { [query.when]: result.total, [query.when === 'upcoming' ? 'past' : 'upcoming']: other.total },
      tabs: { upcoming: href('upcoming'), past: href('past') },
      bodyOptions: [{ value: '', text: 'All bodies' }, ...bodies.map((b) => ({ value: b.slug, text: b.name, selected: b.id === body?.id }))],
      paginationParams: pagination(query.page, pages, (n) => href(query.when, n), 'meetings'),
    });
  });

  app.get<{ Params: { meeting: string } }>('/meetings/:meeting', async (request, reply) => {
    const viewer = await viewerOf(request);
    const meeting = await governance.meetingView(idFrom(request.params.meeting, 'meeting'), viewer);
    if (!meeting) throw new NotFoundError('meeting');
    const mayKeepRecord = request.user ? await governance.mayKeepRecord(request.user, meeting.bodyId) : false;
    // The page differs by who is signed in, so no shared cache keeps it.
    return reply.header('cache-control', 'private, no-cache').page('governance/views/meeting.njk', {
      title: meeting.title,
      meeting,
      past: meeting.endsAt < governance.currentTime(),
      seesPrivate: governance.seesPrivate(viewer, meeting.bodyId),
      mayKeepRecord,
      mayManage: request.user?.role === 'administrator' || request.user?.role === 'strategy_team',
    });
  });

  /* ----- API ----- */

  const bodyRow = (b: BodySummary) => ({
    slug: b.slug,
    name: b.name,
    kind: b.kind,
    parent: b.parent?.slug ?? null,
    area_of_focus: b.areaOfFocus,
    purpose: b.purpose,
    starts_on: b.startsOn,
    ends_on: b.endsOn,
    people: b.people,
    organisations: b.organisations,
    url: absolute(`/governance/${b.slug}`),
    calendar_url: absolute(`/governance/${b.slug}/meetings.ics`),
  });

  app.get('/api/v1/governance/bodies', async (request, reply) => {
    const { format } = parseInput(apiBodiesQuery, request.query);
    const rows = (await governance.bodies()).map(bodyRow);
    reply.header('cache-control', 'no-cache');
    if (format === 'csv') {
      const cells = rows.map((r) => Object.fromEntries(BODY_COLUMNS.map((c) => [c, spreadsheetSafe(String(r[c] ?? ''))])));
      return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="governance-bodies.csv"').send(toCsv(BODY_COLUMNS, cells));
    }
    return { data: rows };
  });

  const meetingJson = (m: MeetingView) => ({
    id: m.id,
    body: m.body.slug,
    title: m.title,
    starts_at: m.startsAt.toISOString(),
    ends_at: m.endsAt.toISOString(),
    place: m.place,
    online_url: m.onlineUrl,
    agenda: m.agenda,
    cancelled: m.cancelled,
    papers: m.papers.map((p) => ({ title: p.title, url: p.url })),
    minutes: m.minutes,
    decisions: m.decisions.map((d) => ({ summary: d.summary, item: d.item?.code ?? null })),
    url: absolute(`/meetings/${m.id}`),
  });

  app.get('/api/v1/meetings', async (request, reply) => {
    const query = parseInput(apiMeetingsQuery, request.query);
    let bodyIds: number[] | undefined;
    if (query.body) {
      const body = await governance.body(query.body);
      if (!body) throw new NotFoundError('body');
      bodyIds = [body.id];
    }
    const result = await governance.meetings({ ...(bodyIds ? { bodyIds } : {}), when: query.when, limit: query.per_page, offset: (query.page - 1) * query.per_page });
    const pages = Math.max(1, Math.ceil(result.total / query.per_page));
    if (query.page > pages) throw new NotFoundError('page');
    // The API is public: what it shows is what anyone may see, whoever asks.
    const views = await governance.meetingViews(result.meetings, PUBLIC_VIEWER);
    reply.header('cache-control', 'no-cache');
    return { data: views.map(meetingJson), meta: { total: result.total, page: query.page, per_page: query.per_page, pages } };
  });

  openapi.add({
    method: 'get',
    path: '/api/v1/governance/bodies',
    operationId: 'listGovernanceBodies',
    summary: 'The bodies that make and oversee the strategy, with how many people sit on each',
    tags: ['Governance'],
    query: apiBodiesQuery,
    responses: { 200: { description: 'Every body', schema: bodyListResponse, csv: true } },
  });
  openapi.add({
    method: 'get',
    path: '/api/v1/meetings',
    operationId: 'listMeetings',
    summary: 'Meetings of the bodies, upcoming or past, with public papers, public minutes and decisions',
    tags: ['Governance'],
    query: apiMeetingsQuery,
    responses: { 200: { description: 'A page of meetings', schema: meetingListResponse }, 404: { description: 'No such body, or the page is past the last one' } },
  });
}
