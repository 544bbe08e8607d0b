// SQL for engagement: activities with their themes, feedback with its themes, and the counts
// the "what we heard" page shows.
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import { engagementActivities, engagementActivityThemes, engagementFeedback, engagementFeedbackThemes } from './schema.ts';

export type ActivityRecord = typeof engagementActivities.$inferSelect;
export type FeedbackRecord = typeof engagementFeedback.$inferSelect;
export type ActivityValues = Omit<typeof engagementActivities.$inferInsert, 'id' | 'version' | 'createdAt' | 'updatedAt'>;

export class EngagementRepository {
  constructor(private readonly db: Executor) {}

  async count(): Promise<number> {
    const [row] = await this.db.select({ n: sql<number>`count(*)::int` }).from(engagementActivities);
    return row?.n ?? 0;
  }

  /** Latest first. */
  async page(limit: number, offset: number): Promise<ActivityRecord[]> {
    return this.db.select().from(engagementActivities).orderBy(desc(engagementActivities.heldOn), desc(engagementActivities.id)).limit(limit).offset(offset);
  }

  async byId(id: number, lock = false): Promise<ActivityRecord | undefined> {
    const query = this.db.select().from(engagementActivities).where(eq(engagementActivities.id, id));
    const [row] = lock ? await query.for('update') : await query;
    return row;
  }

  async insert(values: ActivityValues): Promise<ActivityRecord> {
    const [row] = await this.db.insert(engagementActivities).values(values).returning();
    return row!;
  }

  async update(id: number, values: ActivityValues): Promise<ActivityRecord> {
    const [row] = await this.db
      .update(engagementActivities)
      .set({ ...values, version: sql`${engagementActivities.version} + 1`, updatedAt: new Date() })
      .where(eq(engagementActivities.id, id))
      .returning();
    return row!;
  }

  async delete(id: number): Promise<void> {
    await this.db.delete(engagementActivities).where(eq(engagementActivities.id, id));
  }

  /** Marks the activity changed (its feedback changed) so a stale form is noticed. */
  async touch(id: number): Promise<void> {
    await this.db
      .update(engagementActivities)
      .set({ version: sql`${engagementActivities.version} + 1`, updatedAt: new Date() })
      .where(eq(engagementActivities.id, id));
  }

  async themesOf(activityIds: number[]): Promise<Array<{ activityId: number; termId: number }>> {
    if (activityIds.length === 0) return [];
    return this.db.select().from(engagementActivityThemes).where(inArray(engagementActivityThemes.activityId, activityIds));
  }

  async setThemes(activityId: number, termIds: number[]): Promise<void> {
    await this.db.delete(engagementActivityThemes).where(eq(engagementActivityThemes.activityId, activityId));
    if (termIds.length) await this.db.insert(engagementActivityThemes).values(termIds.map((termId) => ({ activityId, termId })));
  }

  async feedback(activityId: number): Promise<Array<FeedbackRecord & { termIds: number[] }>> {
    const rows = await this.db.select().from(engagementFeedback).where(eq(engagementFeedback.activityId, activityId)).orderBy(asc(engagementFeedback.id));
    const tags = rows.length ? await this.db.select().from(engagementFeedbackThemes).where(inArray(engagementFeedbackThemes.feedbackId, rows.map((r) => r.id))) : [];
    return rows.map((r) => ({ ...r, termIds: tags.filter((t) => t.feedbackId === r.id).map((t) => t.termId) }));
  }

  async feedbackCounts(activityIds: number[]): Promise<Map<number, number>> {
    if (activityIds.length === 0) return new Map();
    const rows = await this.db
      .select({ activityId: engagementFeedback.activityId, n: sql<number>`count(*)::int` })
      .from(engagementFeedback)
      .where(inArray(engagementFeedback.activityId, activityIds))
      .groupBy(engagementFeedback.activityId);
    return new Map(rows.map((r) => [r.activityId, r.n]));
  }

  async insertFeedback(activityId: number, text: string, termIds: number[]): Promise<FeedbackRecord> {
    const [row] = await this.db.insert(engagementFeedback).values({ activityId, text }).returning();
    if (termIds.length) await this.db.insert(engagementFeedbackThemes).values(termIds.map((termId) => ({ feedbackId: row!.id, termId })));
    return row!;
  }

  async deleteFeedback(activityId: number, feedbackId: number): Promise<FeedbackRecord | undefined> {
    const [row] = await this.db.delete(engagementFeedback).where(and(eq(engagementFeedback.id, feedbackId), eq(engagementFeedback.activityId, activityId))).returning();
    return row;
  }

  /** Feedback items and the activities they came from, per theme. */
  async countsByTheme(): Promise<Array<{ termId: number; feedback: number; activities: number }>> {
    return this.db
      .select({
        termId: engagementFeedbackThemes.termId,
        feedback: sql<number>`count(distinct ${engagementFeedback.id})::int`,
        activities: sql<number>`count(distinct ${engagementFeedback.activityId})::int`,
      })
      .from(engagementFeedbackThemes)
      .innerJoin(engagementFeedback, eq(engagementFeedback.id, engagementFeedbackThemes.feedbackId))
      .groupBy(engagementFeedbackThemes.termId);
  }

  async totals(): Promise<{ activities: number; participants: number; feedback: number; untagged: number }> {
    const [a] = await this.db.select({ activities: sql<number>`count(*)::int`, participants: sql<number>`coalesce(sum(${engagementActivities.participants}), 0)::int` }).from(engagementActivities);
    const [f] = await this.db
      .select({
        feedback: sql<number>`count(*)::int`,
        untagged: sql<number>`count(*) filter (where not exists (select 1 from ${engagementFeedbackThemes} where ${engagementFeedbackThemes.feedbackId} = ${engagementFeedback.id}))::int`,
      })
      .from(engagementFeedback);
    return { activities: a?.activities ?? 0, participants: a?.participants ?? 0, feedback: f?.feedback ?? 0, untagged: f?.untagged ?? 0 };
  }

  async countsByKind(): Promise<Array<{ kind: ActivityRecord['kind']; activities: number; participants: number }>> {
    return this.db
      .select({ kind: engagementActivities.kind, activities: sql<number>`count(*)::int`, participants: sql<number>`sum(${engagementActivities.participants})::int` })
      .from(engagementActivities)
      .groupBy(engagementActivities.kind);
  }
}
