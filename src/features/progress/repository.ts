// SQL for progress updates.
import { and, asc, desc, eq, gte, inArray, lt, ne, sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../../platform/db/client.ts';
import { users } from '../accounts/schema.ts';
import { items, organisations } from '../strategy/schema.ts';
import { progressEvidenceFiles, progressUpdates, type ReportedStatus, type UpdateState } from './schema.ts';

export type UpdateRecord = typeof progressUpdates.$inferSelect;
/** An evidence file without its bytes: what lists and audit events carry. */
export type EvidenceFileRecord = Omit<typeof progressEvidenceFiles.$inferSelect, 'content'>;

/** Every column but the bytes. */
const fileColumns = {
  id: progressEvidenceFiles.id,
  updateId: progressEvidenceFiles.updateId,
  organisationId: progressEvidenceFiles.organisationId,
  filename: progressEvidenceFiles.filename,
  contentType: progressEvidenceFiles.contentType,
  size: progressEvidenceFiles.size,
  sha256: progressEvidenceFiles.sha256,
  uploadedBy: progressEvidenceFiles.uploadedBy,
  uploadedAt: progressEvidenceFiles.uploadedAt,
};
type UpdateChange = Partial<Omit<typeof progressUpdates.$inferInsert, 'id' | 'itemId' | 'organisationId' | 'version'>>;

export interface UpdateListRow extends UpdateRecord {
  itemCode: string;
  itemTitle: string;
  organisationName: string;
  organisationSlug: string;
  authorName: string | null;
}

function flatten(r: { update: UpdateRecord; itemCode: string; itemTitle: string; organisationName: string; organisationSlug: string; authorName: string | null }): UpdateListRow {
  return { ...r.update, itemCode: r.itemCode, itemTitle: r.itemTitle, organisationName: r.organisationName, organisationSlug: r.organisationSlug, authorName: r.authorName };
}

export class ProgressRepository {
  constructor(private readonly db: Executor) {}

  async byId(id: number): Promise<UpdateRecord | undefined> {
    const [row] = await this.db.select().from(progressUpdates).where(eq(progressUpdates.id, id));
    return row;
  }

  /**
   * The open update on the item with this code, found by the code, so a save can ask for it in
   * the same round trip as the item itself. Any strategy's item: check it is the one meant.
   */
  async openForCode(code: string, organisationId: number): Promise<UpdateRecord | undefined> {
    const [row] = await this.db
      .select()
      .from(progressUpdates)
      .where(
        and(
          inArray(progressUpdates.itemId, this.db.select({ id: items.id }).from(items).where(eq(items.code, code))),
          eq(progressUpdates.organisationId, organisationId),
          ne(progressUpdates.state, 'published'),
        ),
      )
      .orderBy(asc(progressUpdates.id))
      .limit(1);
    return row;
  }

  /** The update in the works (not yet published) for an item and organisation, if any. */
  async openFor(itemId: number, organisationId: number): Promise<UpdateRecord | undefined> {
    const [row] = await this.db
      .select()
      .from(progressUpdates)
      .where(and(eq(progressUpdates.itemId, itemId), eq(progressUpdates.organisationId, organisationId), ne(progressUpdates.state, 'published')));
    return row;
  }

  /** One organisation's open updates and latest publication per item, keyed by item code. */
  async organisationState(organisationId: number): Promise<{ open: Map<string, UpdateRecord>; lastPublished: Map<string, Date> }> {
    const open = await this.db
      .select({ code: items.code, update: progressUpdates })
      .from(progressUpdates)
      .innerJoin(items, eq(items.id, progressUpdates.itemId))
      .where(and(eq(progressUpdates.organisationId, organisationId), ne(progressUpdates.state, 'published')));
    const published = await this.db
      .select({ code: items.code, at: sql<Date>`max(${progressUpdates.publishedAt})`.mapWith((v: string | Date) => new Date(v)) })
      .from(progressUpdates)
      .innerJoin(items, eq(items.id, progressUpdates.itemId))
      .where(and(eq(progressUpdates.organisationId, organisationId), eq(progressUpdates.state, 'published')))
      .groupBy(items.code);
    return { open: new Map(open.map((r) => [r.code, r.update])), lastPublished: new Map(published.map((p) => [p.code, p.at])) };
  }

  async insert(values: typeof progressUpdates.$inferInsert): Promise<UpdateRecord> {
    const [row] = await this.db.insert(progressUpdates).values(values).returning();
    return row!;
  }

  /** Applies the change only if the update is still at `version` and in one of `states`. */
  async update(id: number, version: number, states: readonly UpdateState[], values: UpdateChange): Promise<UpdateRecord | undefined> {
    const [row] = await this.db
      .update(progressUpdates)
      .set({ ...values, version: sql`${progressUpdates.version} + 1`, updatedAt: sql`now()` })
      .where(and(eq(progressUpdates.id, id), eq(progressUpdates.version, version), inArray(progressUpdates.state, [...states])))
      .returning();
    return row;
  }

  private listQuery() {
    return this.db
      .select({
        update: progressUpdates,
        itemCode: items.code,
        itemTitle: items.title,
        organisationName: organisations.name,
        organisationSlug: organisations.slug,
        authorName: users.name,
      })
      .from(progressUpdates)
      .innerJoin(items, eq(items.id, progressUpdates.itemId))
      .innerJoin(organisations, eq(organisations.id, progressUpdates.organisationId))
      .leftJoin(users, eq(users.id, progressUpdates.updatedBy));
  }


  async listByState(state: UpdateState, limit: number, offset: number): Promise<UpdateListRow[]> {
    const rows = await this.listQuery()
      .where(eq(progressUpdates.state, state))
      .orderBy(asc(progressUpdates.submittedAt), asc(progressUpdates.id))
      .limit(limit)
      .offset(offset);
    return rows.map(flatten);
  }

  async countByState(): Promise<Map<UpdateState, number>> {
    const rows = await this.db.select({ state: progressUpdates.state, n: sql<number>`count(*)::int` }).from(progressUpdates).groupBy(progressUpdates.state);
    return new Map(rows.map((r) => [r.state, Number(r.n)]));
  }

  async listRow(id: number): Promise<UpdateListRow | undefined> {
    const [row] = await this.listQuery().where(eq(progressUpdates.id, id));
    return row ? flatten(row) : undefined;
  }

  /**
   * The status history behind "status over time": for each item, the status of its last
   * published update in each calendar quarter (UTC), keeping only quarters where it changed.
   * Worked out in the database, so 200,000 updates come back as a few rows per item.
   */
  async statusChanges(): Promise<{ itemId: number; period: string; status: ReportedStatus }[]> {
    return queryRows<{ itemId: number; period: string; status: ReportedStatus }>(
      this.db,
      sql`select item_id as "itemId", period, status from (
            select item_id, period, status, lag(status) over (partition by item_id order by period) as previous
            from (
              select distinct on (item_id, period) item_id, to_char(published_at at time zone 'UTC', 'YYYY-"Q"Q') as period, status
              from ${progressUpdates}
              where state = 'published'
              order by item_id, period, published_at desc, id desc
            ) as last_in_quarter
          ) as changes
          where previous is distinct from status
          order by item_id, period`,
    );
  }

  /** Each organisation's published updates: how many, and when the latest was published. */
  async organisationActivity(): Promise<{ organisationId: number; published: number; latest: Date }[]> {
    const rows = await this.db
      .select({
        organisationId: progressUpdates.organisationId,
        published: sql<number>`count(*)::int`,
        latest: sql<Date>`max(${progressUpdates.publishedAt})`.mapWith((v: string | Date) => new Date(v)),
      })
      .from(progressUpdates)
      .where(eq(progressUpdates.state, 'published'))
      .groupBy(progressUpdates.organisationId);
    return rows.map((r) => ({ ...r, published: Number(r.published) }));
  }

  /** The most recently published updates, newest first. */
  async latestPublished(limit: number): Promise<UpdateListRow[]> {
    const rows = await this.listQuery()
      .where(eq(progressUpdates.state, 'published'))
      .orderBy(desc(progressUpdates.publishedAt), desc(progressUpdates.id))
      .limit(limit);
    return rows.map(flatten);
  }

  /** Updates published from `from` (inclusive) to `to` (exclusive), oldest first. */
  async publishedBetween(from: Date, to: Date): Promise<UpdateListRow[]> {
    const rows = await this.listQuery()
      .where(and(eq(progressUpdates.state, 'published'), gte(progressUpdates.publishedAt, from), lt(progressUpdates.publishedAt, to)))
      .orderBy(asc(progressUpdates.publishedAt), asc(progressUpdates.id));
    return rows.map(flatten);
  }

  /** An item's published updates, newest first. */
  async timeline(itemId: number): Promise<UpdateListRow[]> {
    const rows = await this.listQuery()
      .where(and(eq(progressUpdates.itemId, itemId), eq(progressUpdates.state, 'published')))
      .orderBy(desc(progressUpdates.publishedAt), desc(progressUpdates.id));
    return rows.map(flatten);
  }

  /* ----- evidence files ----- */

  /** The files of these updates, oldest first, without their bytes. */
  async filesFor(updateIds: number[]): Promise<EvidenceFileRecord[]> {
    if (updateIds.length === 0) return [];
    return this.db
      .select(fileColumns)
      .from(progressEvidenceFiles)
      .where(inArray(progressEvidenceFiles.updateId, updateIds))
      .orderBy(asc(progressEvidenceFiles.updateId), asc(progressEvidenceFiles.id));
  }

  async insertFile(values: typeof progressEvidenceFiles.$inferInsert): Promise<EvidenceFileRecord> {
    const [row] = await this.db.insert(progressEvidenceFiles).values(values).returning(fileColumns);
    return row!;
  }

  async deleteFiles(updateId: number, ids: number[]): Promise<EvidenceFileRecord[]> {
    if (ids.length === 0) return [];
    return this.db
      .delete(progressEvidenceFiles)
      .where(and(eq(progressEvidenceFiles.updateId, updateId), inArray(progressEvidenceFiles.id, ids)))
      .returning(fileColumns);
  }

  /** One file with its bytes, and the state of the update it belongs to. */
  async fileWithContent(id: number): Promise<{ file: typeof progressEvidenceFiles.$inferSelect; state: UpdateState } | undefined> {
    const [row] = await this.db
      .select({ file: progressEvidenceFiles, state: progressUpdates.state })
      .from(progressEvidenceFiles)
      .innerJoin(progressUpdates, eq(progressUpdates.id, progressEvidenceFiles.updateId))
      .where(eq(progressEvidenceFiles.id, id));
    return row;
  }
}
