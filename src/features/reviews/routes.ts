// The public annual reviews: the list of published reviews, each review's "N years on" report
// as a page (with a print stylesheet), CSV and XLSX, and the same report in the API. A review
// that is not published is a 404: nobody outside the strategy team sees it until then.
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { NotFoundError } from '../../platform/http/errors.ts';
import type { OpenApiRegistry } from '../../platform/http/openapi.ts';
import { PageCache, type PublicReads } from '../../platform/http/conditional.ts';
import { parseInput } from '../../platform/http/validation.ts';
import { spreadsheetSafe, toCsv, toWorkbook } from '../../platform/files/spreadsheet.ts';
import { GOVERNMENT_ROLE_LABELS, KIND_LABELS, statusLabel } from '../strategy/labels.ts';
import { SNAPSHOT_STATUSES } from './figures.ts';
import { reviewListResponse, reviewResponse, reviewYearParams } from './forms.ts';
import { OUTCOME_LABELS } from './labels.ts';
import type { ReviewReport, ReviewsService } from './service.ts';

/** The report's columns in the CSV and the spreadsheet: one row per item. */
export const REPORT_COLUMNS = [
  'code',
  'title',
  'type',
  'area',
  'lead_organisations',
  'partner_organisations',
  'government_role',
  'target',
  'status',
  'status_at_previous_review',
  'decision',
  'rationale',
] as const;

/** One row per item, every cell made safe to open in a spreadsheet program. */
export function reportRows(report: ReviewReport): Record<string, string>[] {
  return report.lines.map((l) => {
    const row: Record<(typeof REPORT_COLUMNS)[number], string> = {
      code: l.code,
      title: l.title,
      type: l.kind ? KIND_LABELS[l.kind] : '',
      area: l.area.name,
      lead_organisations: l.leads.join('; '),
      partner_organisations: l.partners.join('; '),
      government_role: l.governmentRole ? GOVERNMENT_ROLE_LABELS[l.governmentRole].text : '',
      target: l.targetText ?? '',
      status: statusLabel(l.status).text,
      status_at_previous_review: l.previousStatus === undefined ? '' : statusLabel(l.previousStatus).text,
      decision: l.decision ? OUTCOME_LABELS[l.decision.outcome].text : '',
      rationale: l.decision?.rationale ?? '',
    };
    return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, spreadsheetSafe(v)]));
  });
}

/** The headline figures as rows of a second sheet: what they count, and how many. */
function figureRows(report: ReviewReport): Record<string, string>[] {
  const f = report.figures;
  return [
    { figure: 'Items', value: String(f.total) },
    { figure: 'Active items (not retired)', value: String(f.active) },
    { figure: 'Active items in progress or complete', value: String(f.moving.count) },
    { figure: 'Share in progress or complete (%)', value: f.moving.percent === null ? '' : String(f.moving.percent) },
    ...SNAPSHOT_STATUSES.map((s) => ({ figure: `Status: ${statusLabel(s === 'not_reported' ? null : s).text}`, value: String(f.byStatus[s]) })),
    ...f.byArea.map((a) => ({ figure: `Area: ${a.name} (active items)`, value: String(a.active) })),
  ].map((r) => ({ figure: spreadsheetSafe(r.figure), value: r.value }));
}

function reportJson(report: ReviewReport): z.output<typeof reviewResponse> {
  const figures = (f: ReviewReport['figures']) => ({ total: f.total, active: f.active, by_status: f.byStatus, moving: f.moving, by_area: f.byArea });
  return {
    year: report.year,
    title: report.title,
    summary: report.summary,
    years_on: report.yearsOn,
    published_at: report.publishedAt.toISOString(),
    figures: figures(report.figures),
    previous_review: report.previous ? { year: report.previous.year, title: report.previous.title, figures: figures(report.previous.figures) } : null,
    items: report.lines.map((l) => ({
      code: l.code,
      type: l.kind,
      title: l.title,
      area: l.area.slug,
      lead_organisations: l.leads,
      partner_organisations: l.partners,
      government_role: l.governmentRole,
      target: l.targetText,
      status: l.status,
      ...(l.previousStatus === undefined ? {} : { status_at_previous_review: l.previousStatus }),
      outcome: l.decision?.outcome ?? null,
      rationale: l.decision?.rationale ?? null,
    })),
  };
}

/** Paragraphs of the team's introduction: blank lines separate them. */
function paragraphs(text: string): string[] {
  return text
    .split(/\r?\n\s*\r?\n/)
    .map((p) => p.trim())
    .filter(Boolean);
}

export async function reviewRoutes(
  app: FastifyInstance,
  { reviews, openapi, baseUrl, publicReads }: { reviews: ReviewsService; openapi: OpenApiRegistry; baseUrl: string; /** How /reviews is served to readers with no cookies (decisions 29 and 30). */ publicReads?: PublicReads | undefined },
): Promise<void> {
  const pages = new PageCache(publicReads, 10);
  const fileName = (year: number, ext: string) => `workforce-strategy-review-${year}.${ext}`;

  app.get('/reviews', async (request, reply) =>
    pages.recent(request, reply, '/reviews', async (options) => reply.render('reviews/views/reviews.njk', { title: 'Annual reviews', published: await reviews.publishedReviews() }, options)),
  );

  // One route for the page and its downloads: /reviews/2025, /reviews/2025.csv, /reviews/2025.xlsx.
  app.get<{ Params: { year: string } }>('/reviews/:year', async (request, reply) => {
    const match = /^(\d{4})(?:\.(csv|xlsx))?$/.exec(request.params.year);
    if (!match) throw new NotFoundError('review');
    const year = Number(match[1]);
    const format = match[2];
    const report = await reviews.report(year);
    if (!report) throw new NotFoundError('review');
    reply.header('cache-control', 'no-cache');
    if (format === 'csv') {
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${fileName(year, 'csv')}"`)
        .send(toCsv(REPORT_COLUMNS, reportRows(report)));
    }
    if (format === 'xlsx') {
      const workbook = await toWorkbook([
        { name: `Review ${year}`, columns: REPORT_COLUMNS, rows: reportRows(report) },
        { name: 'Figures', columns: ['figure', 'value'], rows: figureRows(report) },
      ]);
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="${fileName(year, 'xlsx')}"`)
        .send(workbook);
    }
    return reply.page('reviews/views/review.njk', {
      title: `${report.title}: the ${year} review`,
      report,
      introduction: paragraphs(report.summary),
      statuses: SNAPSHOT_STATUSES,
      pageUrl: `${baseUrl.replace(/\/$/, '')}/reviews/${year}`,
      csvHref: `/reviews/${year}.csv`,
      xlsxHref: `/reviews/${year}.xlsx`,
    });
  });

  /* ----- API ----- */

  app.get('/api/v1/reviews', async (_request, reply) => {
    const published = await reviews.publishedReviews();
    const body: z.output<typeof reviewListResponse> = {
      data: published.map(({ review }) => ({ year: review.year, title: review.title, published_at: review.publishedAt!.toISOString(), url: `/api/v1/reviews/${review.year}` })),
    };
    return reply.header('cache-control', 'no-cache').send(body);
  });

  app.get<{ Params: { year: string } }>('/api/v1/reviews/:year', async (request, reply) => {
    const { year } = parseInput(reviewYearParams, request.params);
    const report = await reviews.report(Number(year));
    if (!report) throw new NotFoundError('review');
    return reply.header('cache-control', 'no-cache').send(reportJson(report));
  });

  openapi.add({
    method: 'get',
    path: '/api/v1/reviews',
    operationId: 'listReviews',
    summary: 'Published annual reviews, newest first',
    tags: ['Reviews'],
    responses: { 200: { description: 'Every published review', schema: reviewListResponse } },
  });
  openapi.add({
    method: 'get',
    path: '/api/v1/reviews/{year}',
    operationId: 'getReview',
    summary: 'A published annual review: its figures, each item as it stood, and the decision on it',
    tags: ['Reviews'],
    params: reviewYearParams,
    responses: { 200: { description: 'The review', schema: reviewResponse }, 404: { description: 'No review for this year has been published' } },
  });
}
