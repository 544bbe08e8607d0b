// Reporting cycles, their reminders, and the facts about reports that compliance needs.
import { and, asc, desc, eq, gte, isNull, lte, ne, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import { queryRows } from '../../platform/db/client.ts';
import { reportingCycles, reportingReminders, type ReminderKind } from './schema.ts';

export type CycleRecord = typeof reportingCycles.$inferSelect;
export type ReminderRecord = typeof reportingReminders.$inferSelect;

/** What one organisation has done on one item, ever. */
export interface ReportFact {
  itemId: number;
  organisationId: number;
  lastSubmittedAt: Date | null;
  lastPublishedAt: Date | null;
}

const asDate = (v: string | Date | null): Date | null => (v === null ? null : new Date(v));

export class CyclesRepository {
  constructor(private readonly db: Executor) {}

  async list(): Promise<CycleRecord[]> {
    return this.db.select().from(reportingCycles).orderBy(desc(reportingCycles.opensOn));
  }

  async byId(id: number): Promise<CycleRecord | undefined> {
    const [row] = await this.db.select().from(reportingCycles).where(eq(reportingCycles.id, id));
    return row;
  }

  /** The cycle open on `day`, if any. */
  async openOn(day: string): Promise<CycleRecord | undefined> {
    const [row] = await this.db
      .select()
      .from(reportingCycles)
      .where(and(lte(reportingCycles.opensOn, day), gte(reportingCycles.closesOn, day)))
      .orderBy(desc(reportingCycles.opensOn))
      .limit(1);
    return row;
  }

  /** The first cycle opening after `day`. */
  async nextAfter(day: string): Promise<CycleRecord | undefined> {
    const [row] = await this.db.select().from(reportingCycles).where(sql`${reportingCycles.opensOn} > ${day}`).orderBy(asc(reportingCycles.opensOn)).limit(1);
    return row;
  }

  /** Cycles whose dates meet [opensOn, closesOn], other than `exceptId`. */
  async overlapping(opensOn: string, closesOn: string, exceptId?: number): Promise<CycleRecord[]> {
    return this.db
      .select()
      .from(reportingCycles)
      .where(and(lte(reportingCycles.opensOn, closesOn), gte(reportingCycles.closesOn, opensOn), exceptId ? ne(reportingCycles.id, exceptId) : undefined));
  }

  async byName(name: string): Promise<CycleRecord | undefined> {
    const [row] = await this.db.select().from(reportingCycles).where(sql`lower(${reportingCycles.name}) = lower(${name})`);
    return row;
  }

  /** Serialises writes to cycles, so two people cannot create overlapping ones at once. */
  async lockForWrite(): Promise<void> {
    await this.db.execute(sql`lock table ${reportingCycles} in share row exclusive mode`);
  }

  async insert(values: typeof reportingCycles.$inferInsert): Promise<CycleRecord> {
    const [row] = await this.db.insert(reportingCycles).values(values).returning();
    return row!;
  }

  async update(id: number, version: number, values: Pick<CycleRecord, 'name' | 'opensOn' | 'dueOn' | 'closesOn'>): Promise<CycleRecord | undefined> {
    const [row] = await this.db
      .update(reportingCycles)
      .set({ ...values, version: sql`${reportingCycles.version} + 1`, updatedAt: sql`now()` })
      .where(and(eq(reportingCycles.id, id), eq(reportingCycles.version, version)))
      .returning();
    return row;
  }

  async delete(id: number, version: number): Promise<CycleRecord | undefined> {
    const [row] = await this.db.delete(reportingCycles).where(and(eq(reportingCycles.id, id), eq(reportingCycles.version, version))).returning();
    return row;
  }

  /** Every (item, organisation) pair's latest submission and publication (one organisation's, if given). */
  async reportFacts(organisationId?: number): Promise<ReportFact[]> {
    const rows = await queryRows<{ item_id: number; organisation_id: number; last_submitted: string | Date | null; last_published: string | Date | null }>(
      this.db,
      sql`select item_id, organisation_id,
                 max(submitted_at) as last_submitted,
                 max(published_at) filter (where state = 'published') as last_published
            from progress_updates
           ${organisationId === undefined ? sql`` : sql`where organisation_id = ${organisationId}`}
           group by item_id, organisation_id`,
    );
    return rows.map((r) => ({ itemId: Number(r.item_id), organisationId: Number(r.organisation_id), lastSubmittedAt: asDate(r.last_submitted), lastPublishedAt: asDate(r.last_published) }));
  }

  /** Claims a reminder; undefined when this one was claimed before (it is sent once). */
  async claimReminder(cycleId: number, organisationId: number, kind: ReminderKind): Promise<ReminderRecord | undefined> {
    const [row] = await this.db.insert(reportingReminders).values({ cycleId, organisationId, kind }).onConflictDoNothing().returning();
    return row;
  }

  async unsentReminders(): Promise<ReminderRecord[]> {
    return this.db.select().from(reportingReminders).where(isNull(reportingReminders.sentAt)).orderBy(asc(reportingReminders.id));
  }

  async reminder(id: number): Promise<ReminderRecord | undefined> {
    const [row] = await this.db.select().from(reportingReminders).where(eq(reportingReminders.id, id));
    return row;
  }

  async markSent(id: number, recipients: number): Promise<void> {
    await this.db.update(reportingReminders).set({ sentAt: sql`now()`, recipients }).where(eq(reportingReminders.id, id));
  }

  async remindersOf(cycleId: number): Promise<ReminderRecord[]> {
    return this.db.select().from(reportingReminders).where(eq(reportingReminders.cycleId, cycleId)).orderBy(asc(reportingReminders.id));
  }
}
