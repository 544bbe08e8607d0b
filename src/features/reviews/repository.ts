// SQL for annual reviews, their decisions and their frozen snapshots.
import { and, asc, desc, eq, lt, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import { users } from '../accounts/schema.ts';
import { reviewDecisions, reviewItems, reviews, type Outcome } from './schema.ts';

export type ReviewRecord = typeof reviews.$inferSelect;
export type DecisionRecord = typeof reviewDecisions.$inferSelect;
export type SnapshotRow = typeof reviewItems.$inferSelect;

/** A decision with the name of who made it. */
export interface DecisionRow extends DecisionRecord {
  decidedByName: string | null;
}

export class ReviewsRepository {
  constructor(private readonly db: Executor) {}

  async all(): Promise<ReviewRecord[]> {
    return this.db.select().from(reviews).orderBy(desc(reviews.year));
  }

  async published(): Promise<ReviewRecord[]> {
    return this.db.select().from(reviews).where(eq(reviews.state, 'published')).orderBy(desc(reviews.year));
  }

  /** The review for a year; `lock` holds its row until the transaction ends, so writes to one review take turns. */
  async byYear(year: number, lock = false): Promise<ReviewRecord | undefined> {
    const query = this.db.select().from(reviews).where(eq(reviews.year, year));
    const [row] = lock ? await query.for('update') : await query;
    return row;
  }

  /** The latest published review before `year`: the one a review is compared with. */
  async previousPublished(year: number): Promise<ReviewRecord | undefined> {
    const [row] = await this.db
      .select()
      .from(reviews)
      .where(and(eq(reviews.state, 'published'), lt(reviews.year, year)))
      .orderBy(desc(reviews.year))
      .limit(1);
    return row;
  }

  /**
   * Makes opening reviews take turns (until the transaction ends): two people opening different
   * years at once would otherwise both see no open review. Reads and decisions are not held up.
   */
  async lockForOpening(): Promise<void> {
    await this.db.execute(sql`lock table ${reviews} in share row exclusive mode`);
  }

  async insert(values: typeof reviews.$inferInsert): Promise<ReviewRecord> {
    const [row] = await this.db.insert(reviews).values(values).returning();
    return row!;
  }

  /** Changes an open review only if it is still at `version`. */
  async updateOpen(id: number, version: number, values: Partial<Pick<ReviewRecord, 'title' | 'summary' | 'state' | 'publishedAt' | 'publishedBy' | 'figures'>>): Promise<ReviewRecord | undefined> {
    const [row] = await this.db
      .update(reviews)
      .set({ ...values, version: sql`${reviews.version} + 1`, updatedAt: sql`now()` })
      .where(and(eq(reviews.id, id), eq(reviews.version, version), eq(reviews.state, 'open')))
      .returning();
    return row;
  }

  /** Decisions recorded per review, for the list of reviews. */
  async decisionCounts(): Promise<Map<number, number>> {
    const rows = await this.db
      .select({ reviewId: reviewDecisions.reviewId, n: sql<number>`count(*)::int` })
      .from(reviewDecisions)
      .groupBy(reviewDecisions.reviewId);
    return new Map(rows.map((r) => [r.reviewId, Number(r.n)]));
  }

  async decisions(reviewId: number): Promise<DecisionRow[]> {
    const rows = await this.db
      .select({ decision: reviewDecisions, decidedByName: users.name })
      .from(reviewDecisions)
      .leftJoin(users, eq(users.id, reviewDecisions.decidedBy))
      .where(eq(reviewDecisions.reviewId, reviewId));
    return rows.map((r) => ({ ...r.decision, decidedByName: r.decidedByName }));
  }

  async decision(reviewId: number, itemId: number): Promise<DecisionRow | undefined> {
    const [row] = await this.db
      .select({ decision: reviewDecisions, decidedByName: users.name })
      .from(reviewDecisions)
      .leftJoin(users, eq(users.id, reviewDecisions.decidedBy))
      .where(and(eq(reviewDecisions.reviewId, reviewId), eq(reviewDecisions.itemId, itemId)));
    return row ? { ...row.decision, decidedByName: row.decidedByName } : undefined;
  }

  async insertDecision(values: typeof reviewDecisions.$inferInsert): Promise<DecisionRecord> {
    const [row] = await this.db.insert(reviewDecisions).values(values).returning();
    return row!;
  }

  /** Replaces a decision only if it is still at `version`. */
  async updateDecision(id: number, version: number, values: { outcome: Outcome; rationale: string; decidedBy: number | null }): Promise<DecisionRecord | undefined> {
    const [row] = await this.db
      .update(reviewDecisions)
      .set({ ...values, decidedAt: sql`now()`, version: sql`${reviewDecisions.version} + 1` })
      .where(and(eq(reviewDecisions.id, id), eq(reviewDecisions.version, version)))
      .returning();
    return row;
  }

  async insertSnapshot(rows: (typeof reviewItems.$inferInsert)[]): Promise<void> {
    for (let i = 0; i < rows.length; i += 500) await this.db.insert(reviewItems).values(rows.slice(i, i + 500));
  }

  async snapshot(reviewId: number): Promise<SnapshotRow[]> {
    return this.db.select().from(reviewItems).where(eq(reviewItems.reviewId, reviewId)).orderBy(asc(reviewItems.position));
  }

  async inSnapshot(reviewId: number, itemId: number): Promise<boolean> {
    const [row] = await this.db
      .select({ itemId: reviewItems.itemId })
      .from(reviewItems)
      .where(and(eq(reviewItems.reviewId, reviewId), eq(reviewItems.itemId, itemId)));
    return row !== undefined;
  }
}
