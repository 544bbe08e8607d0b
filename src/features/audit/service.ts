// Reading the audit trail: who changed what, when and from where. Nothing here writes; each
// feature records its own events through `recordAudit` inside its own transactions.
import { addDays, londonMidnight } from '../../platform/time.ts';
import type { Database } from '../../platform/db/client.ts';
import { can } from '../../platform/auth/permissions.ts';
import type { CurrentUser } from '../../platform/auth/roles.ts';
import { ForbiddenError } from '../../platform/http/errors.ts';
import { AuditRepository, type AuditEventRow, type AuditQuery } from './repository.ts';

/** Events read per query while downloading: enough to be quick, few enough to keep memory flat. */
export const EXPORT_BATCH = 1000;
/** How much of a changed value the page shows; the download has all of it. */
const SHOWN_VALUE_LENGTH = 80;

export interface AuditFilters {
  /** Part of the actor's label (case ignored), or exactly their id. */
  person?: string | undefined;
  /** The organisation of the person or token that acted. */
  organisationId?: number | undefined;
  objectType?: string | undefined;
  objectId?: string | undefined;
  /** The start of the action's name. */
  action?: string | undefined;
  /** First day (YYYY-MM-DD, UK time) to include. */
  from?: string | undefined;
  /** Last day (YYYY-MM-DD, UK time) to include, all of it. */
  to?: string | undefined;
}

export interface AuditPage {
  rows: AuditEventRow[];
  total: number;
  pages: number;
}

/**
 * Days are UK days, as times are shown on the site: `from` starts at its midnight, and `to`
 * runs up to the next midnight, so the whole of that day is included.
 */
export function auditQuery(filters: AuditFilters): AuditQuery {
  return {
    person: filters.person,
    organisationId: filters.organisationId,
    objectType: filters.objectType,
    objectId: filters.objectId,
    action: filters.action,
    since: filters.from ? londonMidnight(filters.from) : undefined,
    until: filters.to ? londonMidnight(addDays(filters.to, 1)) : undefined,
  };
}

function shown(value: unknown): string {
  const text = value === undefined ? '(none)' : JSON.stringify(value);
  const characters = [...text];
  return characters.length > SHOWN_VALUE_LENGTH ? `${characters.slice(0, SHOWN_VALUE_LENGTH - 1).join('')}…` : text;
}

/** An event's snapshot as fields; a bare value (not an object) is one field, `value`. */
function fields(snapshot: unknown): Record<string, unknown> | undefined {
  if (snapshot === null || snapshot === undefined) return undefined;
  return typeof snapshot === 'object' && !Array.isArray(snapshot) ? (snapshot as Record<string, unknown>) : { value: snapshot };
}

/**
 * What an event changed, one line per field: `role: "viewer" → "administrator"` for each field
 * that differs. A creation has only an after (every field is listed with its new value), a
 * deletion only a before.
 */
export function describeChanges(before: unknown, after: unknown): string[] {
  const was = fields(before);
  const now = fields(after);
  if (!was || !now) return Object.entries(was ?? now ?? {}).map(([key, value]) => `${key}: ${shown(value)}`);
  const keys = new Set([...Object.keys(was), ...Object.keys(now)]);
  return [...keys].filter((key) => JSON.stringify(was[key]) !== JSON.stringify(now[key])).map((key) => `${key}: ${shown(was[key])} → ${shown(now[key])}`);
}

export class AuditService {
  constructor(private readonly database: Database) {}

  private repo(): AuditRepository {
    return new AuditRepository(this.database.db);
  }

  async list(viewer: CurrentUser, filters: AuditFilters, page: number, perPage: number): Promise<AuditPage> {
    if (!can(viewer, 'audit.view')) throw new ForbiddenError();
    const { rows, total } = await this.repo().list(auditQuery(filters), perPage, (page - 1) * perPage);
    return { rows, total, pages: Math.max(1, Math.ceil(total / perPage)) };
  }

  /**
   * Every matching event, newest first, read a batch at a time so a download of millions
   * of events holds one batch in memory. Permission is checked now, not at the first read,
   * so a refusal comes before anything is sent.
   */
  exportRows(viewer: CurrentUser, filters: AuditFilters): AsyncIterable<AuditEventRow> {
    if (!can(viewer, 'audit.view')) throw new ForbiddenError();
    return this.walk(auditQuery(filters));
  }

  private async *walk(query: AuditQuery): AsyncGenerator<AuditEventRow> {
    let beforeId: number | undefined;
    for (;;) {
      const batch = await this.repo().batchBefore(query, beforeId, EXPORT_BATCH);
      yield* batch;
      if (batch.length < EXPORT_BATCH) return;
      beforeId = batch[batch.length - 1]!.id;
    }
  }

  /** The object types that occur in the trail, for the filter's list. */
  async objectTypes(viewer: CurrentUser): Promise<string[]> {
    if (!can(viewer, 'audit.view')) throw new ForbiddenError();
    return this.repo().objectTypes();
  }
}
