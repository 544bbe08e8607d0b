// SQL for governance: bodies, people, memberships, meetings, papers and decisions.
import { and, asc, countDistinct, desc, eq, gte, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../../platform/db/client.ts';
import { organisations } from '../strategy/schema.ts';
import { governanceBodies, governanceMeetings, governanceMemberships, governancePeople, meetingDecisions, meetingPapers } from './schema.ts';

export type BodyRecord = typeof governanceBodies.$inferSelect;
export type PersonRecord = typeof governancePeople.$inferSelect;
export type MembershipRecord = typeof governanceMemberships.$inferSelect;
export type MeetingRecord = typeof governanceMeetings.$inferSelect;
export type PaperRecord = typeof meetingPapers.$inferSelect;
export type DecisionRecord = typeof meetingDecisions.$inferSelect;

/** A membership with who holds it and for which organisation. */
export interface MemberRow extends MembershipRecord {
  personName: string;
  userId: number | null;
  organisationName: string | null;
  organisationSlug: string | null;
}

/** Whether a membership (or body) is current on `day` (YYYY-MM-DD): started, not yet ended. */
const currentOn = (starts: typeof governanceMemberships.startsOn, ends: typeof governanceMemberships.endsOn, day: string) =>
  and(or(isNull(starts), sql`${starts} <= ${day}`), or(isNull(ends), sql`${ends} >= ${day}`));

export class GovernanceRepository {
  constructor(private readonly db: Executor) {}

  /* ----- bodies ----- */

  async bodies(): Promise<BodyRecord[]> {
    return this.db.select().from(governanceBodies).orderBy(asc(governanceBodies.position), asc(governanceBodies.name));
  }

  async bodyBySlug(slug: string): Promise<BodyRecord | undefined> {
    const [row] = await this.db.select().from(governanceBodies).where(eq(governanceBodies.slug, slug));
    return row;
  }

  async bodyById(id: number, lock = false): Promise<BodyRecord | undefined> {
    const query = this.db.select().from(governanceBodies).where(eq(governanceBodies.id, id));
    const [row] = lock ? await query.for('update') : await query;
    return row;
  }

  async insertBody(values: typeof governanceBodies.$inferInsert): Promise<BodyRecord> {
    const [row] = await this.db.insert(governanceBodies).values(values).returning();
    return row!;
  }

  async updateBody(id: number, values: Partial<typeof governanceBodies.$inferInsert>): Promise<BodyRecord> {
    const [row] = await this.db
      .update(governanceBodies)
      .set({ ...values, version: sql`${governanceBodies.version} + 1`, updatedAt: new Date() })
      .where(eq(governanceBodies.id, id))
      .returning();
    return row!;
  }

  async countBodies(): Promise<number> {
    const [row] = await this.db.select({ n: sql<number>`count(*)::int` }).from(governanceBodies);
    return row?.n ?? 0;
  }

  /** Per body: distinct current people and the distinct organisations they sit for. */
  async memberCounts(day: string): Promise<Map<number, { people: number; organisations: number }>> {
    const rows = await this.db
      .select({
        bodyId: governanceMemberships.bodyId,
        people: countDistinct(governanceMemberships.personId),
        organisations: countDistinct(governanceMemberships.organisationId),
      })
      .from(governanceMemberships)
      .where(currentOn(governanceMemberships.startsOn, governanceMemberships.endsOn, day))
      .groupBy(governanceMemberships.bodyId);
    return new Map(rows.map((r) => [r.bodyId, { people: Number(r.people), organisations: Number(r.organisations) }]));
  }

  /* ----- people and memberships ----- */

  async insertPerson(values: typeof governancePeople.$inferInsert): Promise<PersonRecord> {
    const [row] = await this.db.insert(governancePeople).values(values).returning();
    return row!;
  }

  async personById(id: number): Promise<PersonRecord | undefined> {
    const [row] = await this.db.select().from(governancePeople).where(eq(governancePeople.id, id));
    return row;
  }

  async personByUser(userId: number): Promise<PersonRecord | undefined> {
    const [row] = await this.db.select().from(governancePeople).where(eq(governancePeople.userId, userId));
    return row;
  }

  async insertMembership(values: typeof governanceMemberships.$inferInsert): Promise<MembershipRecord> {
    const [row] = await this.db.insert(governanceMemberships).values(values).returning();
    return row!;
  }

  async membershipById(id: number): Promise<MembershipRecord | undefined> {
    const [row] = await this.db.select().from(governanceMemberships).where(eq(governanceMemberships.id, id));
    return row;
  }

  async updateMembership(id: number, values: Partial<typeof governanceMemberships.$inferInsert>): Promise<MembershipRecord> {
    const [row] = await this.db.update(governanceMemberships).set(values).where(eq(governanceMemberships.id, id)).returning();
    return row!;
  }

  async deleteMembership(id: number): Promise<void> {
    await this.db.delete(governanceMemberships).where(eq(governanceMemberships.id, id));
  }

  /** A body's memberships (current and past when `day` is not given), with names. */
  async members(bodyIds: number[], day?: string): Promise<MemberRow[]> {
    if (bodyIds.length === 0) return [];
    const rows = await this.db
      .select({
        membership: governanceMemberships,
        personName: governancePeople.name,
        userId: governancePeople.userId,
        organisationName: organisations.name,
        organisationSlug: organisations.slug,
      })
      .from(governanceMemberships)
      .innerJoin(governancePeople, eq(governancePeople.id, governanceMemberships.personId))
      .leftJoin(organisations, eq(organisations.id, governanceMemberships.organisationId))
      .where(and(inArray(governanceMemberships.bodyId, bodyIds), day ? currentOn(governanceMemberships.startsOn, governanceMemberships.endsOn, day) : undefined))
      .orderBy(
        sql`case ${governanceMemberships.position} when 'chair' then 0 when 'co_chair' then 1 when 'member' then 2 else 3 end`,
        asc(organisations.name),
        asc(governancePeople.name),
      );
    return rows.map((r) => ({ ...r.membership, personName: r.personName, userId: r.userId, organisationName: r.organisationName, organisationSlug: r.organisationSlug }));
  }

  /** The bodies a signed-in person currently sits on, through their linked person record. */
  async membershipsOfUser(userId: number, day: string): Promise<Array<MembershipRecord & { body: BodyRecord }>> {
    const rows = await this.db
      .select({ membership: governanceMemberships, body: governanceBodies })
      .from(governanceMemberships)
      .innerJoin(governancePeople, eq(governancePeople.id, governanceMemberships.personId))
      .innerJoin(governanceBodies, eq(governanceBodies.id, governanceMemberships.bodyId))
      .where(and(eq(governancePeople.userId, userId), currentOn(governanceMemberships.startsOn, governanceMemberships.endsOn, day)))
      .orderBy(asc(governanceBodies.position), asc(governanceBodies.name));
    return rows.map((r) => ({ ...r.membership, body: r.body }));
  }

  /* ----- meetings ----- */

  async insertMeeting(values: typeof governanceMeetings.$inferInsert): Promise<MeetingRecord> {
    const [row] = await this.db.insert(governanceMeetings).values(values).returning();
    return row!;
  }

  async meetingById(id: number, lock = false): Promise<MeetingRecord | undefined> {
    const query = this.db.select().from(governanceMeetings).where(eq(governanceMeetings.id, id));
    const [row] = lock ? await query.for('update') : await query;
    return row;
  }

  async updateMeeting(id: number, values: Partial<typeof governanceMeetings.$inferInsert>): Promise<MeetingRecord> {
    const [row] = await this.db
      .update(governanceMeetings)
      .set({ ...values, version: sql`${governanceMeetings.version} + 1`, updatedAt: new Date() })
      .where(eq(governanceMeetings.id, id))
      .returning();
    return row!;
  }

  /** Meetings, soonest first from `from` (upcoming) or latest first before it (past). */
  async meetings(filter: { bodyIds?: number[]; from?: Date; before?: Date; limit?: number; offset?: number }): Promise<MeetingRecord[]> {
    const where = and(
      filter.bodyIds ? inArray(governanceMeetings.bodyId, filter.bodyIds.length ? filter.bodyIds : [-1]) : undefined,
      filter.from ? gte(governanceMeetings.endsAt, filter.from) : undefined,
      filter.before ? lt(governanceMeetings.endsAt, filter.before) : undefined,
    );
    const order = filter.before ? desc(governanceMeetings.startsAt) : asc(governanceMeetings.startsAt);
    let query = this.db.select().from(governanceMeetings).where(where).orderBy(order, asc(governanceMeetings.id)).$dynamic();
    if (filter.limit !== undefined) query = query.limit(filter.limit);
    if (filter.offset) query = query.offset(filter.offset);
    return query;
  }

  async countMeetings(filter: { bodyIds?: number[]; from?: Date; before?: Date }): Promise<number> {
    const [row] = await this.db
      .select({ n: sql<number>`count(*)::int` })
      .from(governanceMeetings)
      .where(
        and(
          filter.bodyIds ? inArray(governanceMeetings.bodyId, filter.bodyIds.length ? filter.bodyIds : [-1]) : undefined,
          filter.from ? gte(governanceMeetings.endsAt, filter.from) : undefined,
          filter.before ? lt(governanceMeetings.endsAt, filter.before) : undefined,
        ),
      );
    return row?.n ?? 0;
  }

  async papers(meetingIds: number[]): Promise<PaperRecord[]> {
    if (meetingIds.length === 0) return [];
    return this.db.select().from(meetingPapers).where(inArray(meetingPapers.meetingId, meetingIds)).orderBy(asc(meetingPapers.position), asc(meetingPapers.id));
  }

  async replacePapers(meetingId: number, papers: Array<Omit<typeof meetingPapers.$inferInsert, 'meetingId'>>): Promise<void> {
    await this.db.delete(meetingPapers).where(eq(meetingPapers.meetingId, meetingId));
    if (papers.length) await this.db.insert(meetingPapers).values(papers.map((p, position) => ({ ...p, meetingId, position })));
  }

  async decisions(meetingIds: number[]): Promise<DecisionRecord[]> {
    if (meetingIds.length === 0) return [];
    return this.db.select().from(meetingDecisions).where(inArray(meetingDecisions.meetingId, meetingIds)).orderBy(asc(meetingDecisions.id));
  }

  async decisionsOnItem(itemId: number): Promise<Array<DecisionRecord & { meeting: MeetingRecord; body: BodyRecord }>> {
    const rows = await this.db
      .select({ decision: meetingDecisions, meeting: governanceMeetings, body: governanceBodies })
      .from(meetingDecisions)
      .innerJoin(governanceMeetings, eq(governanceMeetings.id, meetingDecisions.meetingId))
      .innerJoin(governanceBodies, eq(governanceBodies.id, governanceMeetings.bodyId))
      .where(eq(meetingDecisions.itemId, itemId))
      .orderBy(desc(governanceMeetings.startsAt));
    return rows.map((r) => ({ ...r.decision, meeting: r.meeting, body: r.body }));
  }

  async insertDecision(values: typeof meetingDecisions.$inferInsert): Promise<DecisionRecord> {
    const [row] = await this.db.insert(meetingDecisions).values(values).returning();
    return row!;
  }

  /** Changes whenever a body, meeting or decision does: what cached pages showing them key on. */
  async stateKey(): Promise<string> {
    const rows = await queryRows<{ key: string }>(this.db, sql`
      select concat_ws(':',
        (select count(*) from ${meetingDecisions}), (select max(${meetingDecisions.id}) from ${meetingDecisions}),
        (select count(*) from ${governanceMeetings}), (select max(${governanceMeetings.updatedAt}) from ${governanceMeetings}),
        (select count(*) from ${governanceBodies}), (select max(${governanceBodies.updatedAt}) from ${governanceBodies})) as key`);
    return String(rows[0]?.key ?? '');
  }

  async deleteDecision(id: number, meetingId: number): Promise<DecisionRecord | undefined> {
    const [row] = await this.db.delete(meetingDecisions).where(and(eq(meetingDecisions.id, id), eq(meetingDecisions.meetingId, meetingId))).returning();
    return row;
  }
}
