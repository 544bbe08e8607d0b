// SQL for reading the audit trail: filtered pages for people, and batches for the download.
// Writes go through `recordAudit` only; this table is never updated or deleted from.
import { and, count, desc, eq, gte, ilike, like, lt, or, sql, type SQL } from 'drizzle-orm';
import { auditEvents } from '../../platform/audit/schema.ts';
import { queryRows, type Executor } from '../../platform/db/client.ts';
import { organisations } from '../strategy/schema.ts';

export interface AuditQuery {
  person?: string | undefined;
  organisationId?: number | undefined;
  objectType?: string | undefined;
  objectId?: string | undefined;
  action?: string | undefined;
  /** Events at or after this instant. */
  since?: Date | undefined;
  /** Events before this instant (not at it). */
  until?: Date | undefined;
}

export type AuditEventRecord = typeof auditEvents.$inferSelect;

export interface AuditEventRow extends AuditEventRecord {
  organisationName: string | null;
}

/** A LIKE pattern that matches `text` literally, whatever % _ or \ it holds. */
function literal(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export class AuditRepository {
  constructor(private readonly db: Executor) {}

  private conditions(q: AuditQuery): SQL | undefined {
    const conditions: SQL[] = [];
    if (q.person) conditions.push(or(ilike(auditEvents.actorLabel, `%${literal(q.person)}%`), eq(auditEvents.actorId, q.person))!);
    if (q.organisationId) conditions.push(eq(auditEvents.organisationId, q.organisationId));
    if (q.objectType) conditions.push(eq(auditEvents.objectType, q.objectType));
    if (q.objectId) conditions.push(eq(auditEvents.objectId, q.objectId));
    if (q.action) conditions.push(like(auditEvents.action, `${literal(q.action)}%`));
    if (q.since) conditions.push(gte(auditEvents.occurredAt, q.since));
    if (q.until) conditions.push(lt(auditEvents.occurredAt, q.until));
    return conditions.length ? and(...conditions) : undefined;
  }

  private selectRows() {
    return this.db
      .select({ event: auditEvents, organisationName: organisations.name })
      .from(auditEvents)
      .leftJoin(organisations, eq(organisations.id, auditEvents.organisationId));
  }

  /** One page, newest first. */
  async list(q: AuditQuery, limit: number, offset: number): Promise<{ rows: AuditEventRow[]; total: number }> {
    const where = this.conditions(q);
    const [total] = await this.db.select({ n: count() }).from(auditEvents).where(where);
    const rows = await this.selectRows().where(where).orderBy(desc(auditEvents.occurredAt), desc(auditEvents.id)).limit(limit).offset(offset);
    return { rows: rows.map((r) => ({ ...r.event, organisationName: r.organisationName })), total: Number(total?.n ?? 0) };
  }

  /**
   * The next batch of matching events below `beforeId`, newest first. Walking by id (the
   * primary key) costs the same on the last batch as the first, unlike OFFSET, and events
   * recorded during the walk get higher ids, so they are not mixed in.
   */
  async batchBefore(q: AuditQuery, beforeId: number | undefined, limit: number): Promise<AuditEventRow[]> {
    const where = and(this.conditions(q), beforeId === undefined ? undefined : lt(auditEvents.id, beforeId));
    const rows = await this.selectRows().where(where).orderBy(desc(auditEvents.id)).limit(limit);
    return rows.map((r) => ({ ...r.event, organisationName: r.organisationName }));
  }

  /**
   * The object types that occur, in order. A plain DISTINCT reads every event; this hops
   * through the (object_type, object_id) index one type at a time, so it stays quick on
   * millions of events with a handful of types.
   */
  async objectTypes(): Promise<string[]> {
    const rows = await queryRows<{ object_type: string }>(
      this.db,
      sql`with recursive types(object_type) as (
            (select object_type from audit_events order by object_type limit 1)
            union all
            select (select e.object_type from audit_events e where e.object_type > types.object_type order by e.object_type limit 1)
            from types where types.object_type is not null
          )
          select object_type from types where object_type is not null`,
    );
    return rows.map((r) => r.object_type);
  }
}
