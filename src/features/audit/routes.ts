// The audit trail for administrators and the strategy team: every recorded write, filtered by
// who acted, their organisation, the object and the day, a page at a time or as one CSV file.
import { londonDay } from '../../platform/time.ts';
import { pipeline, Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import type { FastifyInstance } from 'fastify';
import { spreadsheetSafe } from '../../platform/files/spreadsheet.ts';
import { NotFoundError } from '../../platform/http/errors.ts';
import { pagination, queryString } from '../../platform/http/pagination.ts';
import { InputError, parseInput } from '../../platform/http/validation.ts';
import type { Catalogue, StrategyService } from '../strategy/service.ts';
import { auditExportQuery, auditFiltersQuery, type AuditFiltersQuery } from './forms.ts';
import type { AuditEventRow } from './repository.ts';
import { describeChanges, type AuditFilters, type AuditService } from './service.ts';

const PER_PAGE = 50;

/** How each kind of actor is named beside its label; people need no note. */
const ACTOR_KINDS: Record<string, string> = { api_token: 'API token', cli: 'Command line', system: 'System' };

export const EXPORT_COLUMNS = [
  'occurred_at',
  'actor_type',
  'actor_id',
  'actor_label',
  'organisation',
  'action',
  'object_type',
  'object_id',
  'before',
  'after',
  'request_id',
  'ip',
] as const;


function csvRecord(event: AuditEventRow): string[] {
  const json = (value: unknown) => (value === null || value === undefined ? '' : JSON.stringify(value));
  return [
    event.occurredAt.toISOString(),
    event.actorType,
    event.actorId ?? '',
    event.actorLabel,
    event.organisationName ?? '',
    event.action,
    event.objectType,
    event.objectId,
    json(event.before),
    json(event.after),
    event.requestId ?? '',
    event.ip ?? '',
  ].map(spreadsheetSafe);
}

async function* csvRecords(events: AsyncIterable<AuditEventRow>): AsyncGenerator<string[]> {
  for await (const event of events) yield csvRecord(event);
}

/** What one row of the page shows; the template only lays it out. */
function eventView(event: AuditEventRow) {
  return {
    occurredAt: event.occurredAt,
    actorLabel: event.actorLabel,
    actorKind: ACTOR_KINDS[event.actorType],
    organisationName: event.organisationName,
    action: event.action,
    objectType: event.objectType,
    objectId: event.objectId,
    changes: describeChanges(event.before, event.after),
    requestId: event.requestId,
    ip: event.ip,
  };
}

/** The service's filters from a checked query string. An unknown organisation is a 400, as on /admin/users. */
function filtersFrom(query: AuditFiltersQuery, catalogue: Catalogue): AuditFilters {
  const organisation = query.organisation ? catalogue.organisations.find((o) => o.slug === query.organisation) : undefined;
  if (query.organisation && !organisation) throw new InputError([{ field: 'organisation', message: `"${query.organisation}" is not an organisation` }]);
  return {
    person: query.person || undefined,
    organisationId: organisation?.id,
    objectType: query.objectType || undefined,
    objectId: query.objectId || undefined,
    action: query.action || undefined,
    from: query.from || undefined,
    to: query.to || undefined,
  };
}

export async function auditRoutes(app: FastifyInstance, { audit, strategy }: { audit: AuditService; strategy: StrategyService }): Promise<void> {
  app.get('/admin/audit', { config: { access: 'audit.view' } }, async (request, reply) => {
    const query = parseInput(auditFiltersQuery, request.query);
    const catalogue = await strategy.catalogue();
    const result = await audit.list(request.user!, filtersFrom(query, catalogue), query.page, PER_PAGE);
    if (query.page > result.pages) throw new NotFoundError('page');
    const objectTypes = await audit.objectTypes(request.user!);
    // A type typed into the address that no event has yet stays selected, so the filter shows.
    if (query.objectType && !objectTypes.includes(query.objectType)) objectTypes.push(query.objectType);
    const { page: _page, ...filters } = query;
    return reply.page('audit/views/audit.njk', {
      title: 'Audit trail',
      result,
      events: result.rows.map(eventView),
      query,
      filtered: queryString(filters) !== '',
      organisations: catalogue.organisations.map((o) => ({ value: o.slug, text: o.name, selected: query.organisation === o.slug })),
      objectTypes: objectTypes.map((t) => ({ value: t, text: t, selected: query.objectType === t })),
      exportHref: `/admin/audit/export${queryString(filters)}`,
      paginationParams: pagination(query.page, result.pages, (n) => `/admin/audit${queryString({ ...filters, page: n > 1 ? n : undefined })}`, 'audit events'),
    });
  });

  app.get('/admin/audit/export', { config: { access: 'audit.view' } }, async (request, reply) => {
    const query = parseInput(auditExportQuery, request.query);
    const events = audit.exportRows(request.user!, filtersFrom(query, await strategy.catalogue()));
    // Streamed a batch at a time: the file is never whole in memory. A failure part way is
    // logged and cuts the download short, so it cannot pass for a complete file.
    const csv = pipeline(Readable.from(csvRecords(events)), stringify({ header: true, columns: [...EXPORT_COLUMNS] }), (error) => {
      if (error) request.log.error({ err: error }, 'audit export stopped part way');
    });
    return reply
      .header('content-disposition', `attachment; filename="audit-${londonDay(new Date())}.csv"`)
      .header('cache-control', 'no-store')
      .type('text/csv; charset=utf-8')
      .send(csv);
  });
}
