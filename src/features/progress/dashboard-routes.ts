// The public progress dashboard: /progress (headline figures, charts with their tables),
// /progress/organisations (each organisation's record) and /api/v1/progress/summary (the same
// figures as JSON). Figures come from ProgressService.dashboard(); pages, charts and JSON are
// cached per strategy revision and quarter, and carry ETags.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { RevisionMemo } from '../../platform/cache.ts';
import { PageCache, type PublicReads } from '../../platform/http/conditional.ts';
import { NotFoundError } from '../../platform/http/errors.ts';
import type { OpenApiRegistry } from '../../platform/http/openapi.ts';
import { pagination, queryString } from '../../platform/http/pagination.ts';
import { parseInput } from '../../platform/http/validation.ts';
import { STATUS_LABELS } from '../strategy/labels.ts';
import { dashboardCharts, STATUS_COLOURS } from './charts.ts';
import { DASHBOARD_STATUSES, quarterOf, type GroupRow, type OrganisationRow, type ProgressFigures, type StatusCounts } from './figures.ts';
import { dashboardQuery, organisationProgressQuery, progressSummaryResponse, type OrganisationSort } from './forms.ts';
import type { Dashboard, ProgressService } from './service.ts';

const HTML = 'text/html; charset=utf-8';
const JSON_TYPE = 'application/json; charset=utf-8';
const ORGANISATIONS_PER_PAGE = 50;

const SORTS: Record<OrganisationSort, { text: string; compare: (a: OrganisationRow, b: OrganisationRow) => number }> = {
  name: { text: 'Organisation', compare: () => 0 },
  led: { text: 'Items led', compare: (a, b) => b.led - a.led },
  moving: { text: 'Led items in progress or complete', compare: (a, b) => (b.ledMoving.percent ?? -1) - (a.ledMoving.percent ?? -1) },
  updates: { text: 'Published updates', compare: (a, b) => b.publishedUpdates - a.publishedUpdates },
  latest: { text: 'Latest published update', compare: (a, b) => (b.latestUpdate?.getTime() ?? 0) - (a.latestUpdate?.getTime() ?? 0) },
};

function countsJson(counts: StatusCounts) {
  return { not_started: counts.not_started, in_progress: counts.in_progress, complete: counts.complete, not_reported: counts.not_reported };
}

function groupJson(rows: GroupRow[]) {
  return rows.map((r) => ({ slug: r.slug, name: r.name, counts: countsJson(r.counts), total: r.total }));
}

export function summaryJson(dashboard: Dashboard): z.output<typeof progressSummaryResponse> {
  const f: ProgressFigures = dashboard.figures;
  return {
    items: { total: f.total, active: f.active, retired: f.retired },
    in_progress_or_complete: f.moving,
    needs_government_action: f.governmentAny,
    government_only: f.governmentOnly,
    government_role_not_stated: f.governmentUnknown,
    by_status: countsJson(f.byStatus),
    by_area: groupJson(f.byArea),
    by_lead_organisation_kind: groupJson(f.byLeadKind),
    by_theme: groupJson(f.byTheme),
    by_government_shift: groupJson(f.byShift),
    status_over_time: f.overTime.map((p) => ({ period: p.period, starts_on: p.startsOn, ends_on: p.endsOn, counts: countsJson(p.counts), total: p.total })),
    latest_update_published_at: dashboard.latest[0]?.publishedAt.toISOString() ?? null,
  };
}

/**
 * What the charts are drawn from, summarised: they are drawn again only when these change, not
 * at every revision (an item's title edited, an update published with the same status).
 */
function chartInputs(f: ProgressFigures): string {
  return createHash('sha1').update(JSON.stringify([f.currentPeriod, f.active, f.byStatus, f.overTime, f.byArea, f.byLeadKind, f.byTheme, f.byShift])).digest('base64url');
}

export async function progressDashboardRoutes(
  app: FastifyInstance,
  { progress, openapi, publicReads }: { progress: ProgressService; openapi: OpenApiRegistry; /** As for the strategy's pages (decisions 29 and 30). */ publicReads?: PublicReads | undefined },
): Promise<void> {
  const pages = new PageCache(publicReads, 200);
  const charts = new RevisionMemo();
  const statuses = DASHBOARD_STATUSES.map((s) => ({ key: s, text: STATUS_LABELS[s].text, colour: STATUS_COLOURS[s] }));

  /**
   * A page or JSON body, cached per revision and quarter (status over time ends in the current
   * quarter). The figures are worked out only when a body is built: a reader given a body built
   * a little earlier (`publicReads`) does not make them be worked out again at every revision.
   */
  const cached = async (request: FastifyRequest, reply: FastifyReply, kind: 'html' | 'json', build: (dashboard: Dashboard) => Promise<string>) => {
    const today = new Date();
    const key = `${kind} ${quarterOf(today)} ${request.url}`;
    return pages.send(request, reply, key, () => progress.dashboardRevision(), async () => build(await progress.dashboard(today)), kind === 'html' ? HTML : JSON_TYPE);
  };

  app.get('/progress', async (request, reply) => {
    parseInput(dashboardQuery, request.query);
    return cached(request, reply, 'html', async (dashboard) => {
      const svg = await charts.get('charts', chartInputs(dashboard.figures), () => dashboardCharts(dashboard.figures));
      return reply.render('progress/views/dashboard.njk', { title: 'Progress on the strategy', figures: dashboard.figures, latest: dashboard.latest, charts: svg, statuses }, { forCache: true });
    });
  });

  app.get('/progress/organisations', async (request, reply) => {
    const query = parseInput(organisationProgressQuery, request.query);
    return cached(request, reply, 'html', async (dashboard) => {
      const all = [...dashboard.figures.organisations];
      // Array.sort is stable, and the rows come sorted by name: ties stay in name order.
      if (query.sort !== 'name') all.sort(SORTS[query.sort].compare);
      const pages = Math.max(1, Math.ceil(all.length / ORGANISATIONS_PER_PAGE));
      if (query.page > pages) throw new NotFoundError('page');
      const href = (sort: OrganisationSort, page = 1) => `/progress/organisations${queryString({ sort: sort === 'name' ? undefined : sort, page: page > 1 ? page : undefined })}`;
      return reply.render(
        'progress/views/organisations.njk',
        {
          title: query.page > 1 ? `Progress by organisation (page ${query.page})` : 'Progress by organisation',
          rows: all.slice((query.page - 1) * ORGANISATIONS_PER_PAGE, query.page * ORGANISATIONS_PER_PAGE),
          total: all.length,
          sort: query.sort,
          sorts: Object.entries(SORTS).map(([key, s]) => ({ key, text: s.text, href: href(key as OrganisationSort), current: key === query.sort })),
          paginationParams: pagination(query.page, pages, (n) => href(query.sort, n), 'organisations'),
        },
        { forCache: true },
      );
    });
  });

  app.get('/api/v1/progress/summary', async (request, reply) => {
    parseInput(dashboardQuery, request.query);
    return cached(request, reply, 'json', async (dashboard) => JSON.stringify(summaryJson(dashboard)));
  });

  openapi.add({
    method: 'get',
    path: '/api/v1/progress/summary',
    operationId: 'progressSummary',
    summary: 'The progress dashboard’s figures: shares, counts by status, area, lead-organisation kind, theme and government shift, and status over time',
    tags: ['Progress'],
    query: dashboardQuery,
    responses: { 200: { description: 'The figures, worked out from the items and their published progress updates', schema: progressSummaryResponse } },
  });
}
