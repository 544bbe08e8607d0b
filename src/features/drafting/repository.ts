// SQL for the drafting pipeline's tables. It takes ids the service has resolved and decides nothing.
import { and, asc, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import { users } from '../accounts/schema.ts';
import { draftComments, draftDecisions, draftReviews, drafts, draftVersions, type DraftState } from './schema.ts';

export type DraftRecord = typeof drafts.$inferSelect;
export type VersionRecord = typeof draftVersions.$inferSelect;
export type ReviewRecord = typeof draftReviews.$inferSelect;
export type CommentRecord = typeof draftComments.$inferSelect;
export type DecisionRecord = typeof draftDecisions.$inferSelect;

/** A draft as lists show it: its latest version's title and who started it. */
export interface DraftListRow extends DraftRecord {
  title: string;
  authorName: string;
}

type DraftChange = Partial<Omit<typeof drafts.$inferInsert, 'id' | 'groupId' | 'authorId' | 'version'>>;

export interface DraftFilter {
  groupIds?: number[] | undefined;
  state?: DraftState | undefined;
  /** Only drafts sent back (state draft, sent_back). */
  sentBack?: boolean | undefined;
}

export class DraftingRepository {
  constructor(private readonly db: Executor) {}

  async byId(id: number, lock = false): Promise<DraftRecord | undefined> {
    const query = this.db.select().from(drafts).where(eq(drafts.id, id));
    const [row] = lock ? await query.for('update') : await query;
    return row;
  }

  async insertDraft(values: typeof drafts.$inferInsert): Promise<DraftRecord> {
    const [row] = await this.db.insert(drafts).values(values).returning();
    return row!;
  }

  /** Applies the change only if the draft is still at `version`; undefined if not. */
  async updateDraft(id: number, version: number, values: DraftChange): Promise<DraftRecord | undefined> {
    const [row] = await this.db
      .update(drafts)
      .set({ ...values, version: sql`${drafts.version} + 1`, updatedAt: sql`now()` })
      .where(and(eq(drafts.id, id), eq(drafts.version, version)))
      .returning();
    return row;
  }

  async insertVersion(values: typeof draftVersions.$inferInsert): Promise<VersionRecord> {
    const [row] = await this.db.insert(draftVersions).values(values).returning();
    return row!;
  }

  /** A draft's versions, oldest first. */
  async versions(draftId: number): Promise<(VersionRecord & { savedByName: string })[]> {
    const rows = await this.db
      .select({ version: draftVersions, savedByName: users.name })
      .from(draftVersions)
      .innerJoin(users, eq(users.id, draftVersions.savedBy))
      .where(eq(draftVersions.draftId, draftId))
      .orderBy(asc(draftVersions.number));
    return rows.map((r) => ({ ...r.version, savedByName: r.savedByName }));
  }

  async version(draftId: number, number: number): Promise<VersionRecord | undefined> {
    const [row] = await this.db
      .select()
      .from(draftVersions)
      .where(and(eq(draftVersions.draftId, draftId), eq(draftVersions.number, number)));
    return row;
  }

  private where(filter: DraftFilter): SQL | undefined {
    const conditions: SQL[] = [];
    if (filter.groupIds) conditions.push(filter.groupIds.length ? inArray(drafts.groupId, filter.groupIds) : sql`false`);
    if (filter.state) conditions.push(eq(drafts.state, filter.state));
    if (filter.sentBack !== undefined) conditions.push(eq(drafts.sentBack, filter.sentBack));
    return conditions.length ? and(...conditions) : undefined;
  }

  /** Drafts matching the filter, most recently changed first, with their latest titles. */
  async list(filter: DraftFilter, limit: number, offset: number): Promise<DraftListRow[]> {
    const rows = await this.db
      .select({ draft: drafts, title: draftVersions.title, authorName: users.name })
      .from(drafts)
      .innerJoin(draftVersions, and(eq(draftVersions.draftId, drafts.id), eq(draftVersions.number, drafts.currentVersion)))
      .innerJoin(users, eq(users.id, drafts.authorId))
      .where(this.where(filter))
      .orderBy(desc(drafts.updatedAt), desc(drafts.id))
      .limit(limit)
      .offset(offset);
    return rows.map((r) => ({ ...r.draft, title: r.title, authorName: r.authorName }));
  }

  async listRow(id: number): Promise<DraftListRow | undefined> {
    const [row] = await this.db
      .select({ draft: drafts, title: draftVersions.title, authorName: users.name })
      .from(drafts)
      .innerJoin(draftVersions, and(eq(draftVersions.draftId, drafts.id), eq(draftVersions.number, drafts.currentVersion)))
      .innerJoin(users, eq(users.id, drafts.authorId))
      .where(eq(drafts.id, id));
    return row && { ...row.draft, title: row.title, authorName: row.authorName };
  }

  async count(filter: DraftFilter): Promise<number> {
    const [row] = await this.db.select({ n: sql<number>`count(*)::int` }).from(drafts).where(this.where(filter));
    return Number(row?.n ?? 0);
  }

  /** How many drafts each group has in each state; "sent back" drafts counted apart from other drafts. */
  async counts(): Promise<{ groupId: number; state: DraftState; sentBack: boolean; n: number }[]> {
    const rows = await this.db
      .select({ groupId: drafts.groupId, state: drafts.state, sentBack: drafts.sentBack, n: sql<number>`count(*)::int` })
      .from(drafts)
      .groupBy(drafts.groupId, drafts.state, drafts.sentBack);
    return rows.map((r) => ({ ...r, n: Number(r.n) }));
  }

  /* ----- reviews ----- */

  async reviews(draftId: number): Promise<(ReviewRecord & { reviewerName: string })[]> {
    const rows = await this.db
      .select({ review: draftReviews, reviewerName: users.name })
      .from(draftReviews)
      .innerJoin(users, eq(users.id, draftReviews.reviewerId))
      .where(eq(draftReviews.draftId, draftId))
      .orderBy(asc(draftReviews.startedAt), asc(draftReviews.id));
    return rows.map((r) => ({ ...r.review, reviewerName: r.reviewerName }));
  }

  async openReview(draftId: number): Promise<ReviewRecord | undefined> {
    const [row] = await this.db
      .select()
      .from(draftReviews)
      .where(and(eq(draftReviews.draftId, draftId), isNull(draftReviews.completedAt)));
    return row;
  }

  async insertReview(values: typeof draftReviews.$inferInsert): Promise<ReviewRecord> {
    const [row] = await this.db.insert(draftReviews).values(values).returning();
    return row!;
  }

  async completeReview(id: number, values: Partial<typeof draftReviews.$inferInsert>): Promise<ReviewRecord> {
    const [row] = await this.db
      .update(draftReviews)
      .set({ ...values, completedAt: sql`now()` })
      .where(eq(draftReviews.id, id))
      .returning();
    return row!;
  }

  /** The latest completed review of a draft, if any. */
  async latestCompletedReview(draftId: number): Promise<ReviewRecord | undefined> {
    const [row] = await this.db
      .select()
      .from(draftReviews)
      .where(and(eq(draftReviews.draftId, draftId), sql`${draftReviews.completedAt} is not null`))
      .orderBy(desc(draftReviews.completedAt), desc(draftReviews.id))
      .limit(1);
    return row;
  }

  /* ----- comments and decisions ----- */

  async comments(draftId: number): Promise<(CommentRecord & { authorName: string })[]> {
    const rows = await this.db
      .select({ comment: draftComments, authorName: users.name })
      .from(draftComments)
      .innerJoin(users, eq(users.id, draftComments.authorId))
      .where(eq(draftComments.draftId, draftId))
      .orderBy(asc(draftComments.createdAt), asc(draftComments.id));
    return rows.map((r) => ({ ...r.comment, authorName: r.authorName }));
  }

  async insertComment(values: typeof draftComments.$inferInsert): Promise<CommentRecord> {
    const [row] = await this.db.insert(draftComments).values(values).returning();
    return row!;
  }

  async decisions(draftId: number): Promise<(DecisionRecord & { recordedByName: string })[]> {
    const rows = await this.db
      .select({ decision: draftDecisions, recordedByName: users.name })
      .from(draftDecisions)
      .innerJoin(users, eq(users.id, draftDecisions.recordedBy))
      .where(eq(draftDecisions.draftId, draftId))
      .orderBy(asc(draftDecisions.recordedAt), asc(draftDecisions.id));
    return rows.map((r) => ({ ...r.decision, recordedByName: r.recordedByName }));
  }

  async insertDecision(values: typeof draftDecisions.$inferInsert): Promise<DecisionRecord> {
    const [row] = await this.db.insert(draftDecisions).values(values).returning();
    return row!;
  }

  /** The draft that became this item, with the decision that made it. */
  async originOf(itemId: number): Promise<{ draft: DraftRecord; decision: DecisionRecord } | undefined> {
    const [row] = await this.db
      .select({ draft: drafts, decision: draftDecisions })
      .from(drafts)
      .innerJoin(draftDecisions, and(eq(draftDecisions.draftId, drafts.id), eq(draftDecisions.itemId, itemId)))
      .where(eq(drafts.itemId, itemId))
      .limit(1);
    return row;
  }
}
