// The community feature's SQL: champions, their pledges and actions, sign-ups waiting for
// confirmation, sign-in links and sessions, settings that approve automatically, growth
// tallies, and enquiries. Takes ids the service has resolved; decides nothing.
import { and, asc, count, desc, eq, exists, gt, ilike, isNotNull, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import type { ChampionFilters } from './forms.ts';
import {
  championActions,
  championAutoApprove,
  championGrowth,
  championPledges,
  champions,
  championSessions,
  championSignInLinks,
  championSignups,
  communityRevision,
  enquiries,
  enquiryReplies,
  type ChampionSetting,
  type EnquiryStatus,
} from './schema.ts';

export type ChampionRecord = typeof champions.$inferSelect;
export type ActionRecord = typeof championActions.$inferSelect;
export type PledgeRecord = typeof championPledges.$inferSelect;
export type SignupRecord = typeof championSignups.$inferSelect;
export type EnquiryRecord = typeof enquiries.$inferSelect;
export type ReplyRecord = typeof enquiryReplies.$inferSelect;

/** LIKE wildcards in a person's search are matched as themselves. */
const likeText = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export class CommunityRepository {
  constructor(private readonly db: Executor) {}

  /* ----- sign-ups waiting for confirmation ----- */

  async lockSignup(emailKey: string): Promise<SignupRecord | undefined> {
    const [row] = await this.db.select().from(championSignups).where(eq(championSignups.emailKey, emailKey)).for('update');
    return row;
  }

  async saveSignup(values: SignupRecord): Promise<void> {
    await this.db
      .insert(championSignups)
      .values(values)
      .onConflictDoUpdate({ target: championSignups.emailKey, set: { linkHash: values.linkHash, expiresAt: values.expiresAt, sentToday: values.sentToday, lastSentAt: values.lastSentAt } });
  }

  async signupByLink(linkHash: string, now: Date): Promise<SignupRecord | undefined> {
    const [row] = await this.db.select().from(championSignups).where(and(eq(championSignups.linkHash, linkHash), gt(championSignups.expiresAt, now)));
    return row;
  }

  async deleteSignup(linkHash: string): Promise<boolean> {
    return (await this.db.delete(championSignups).where(eq(championSignups.linkHash, linkHash)).returning({ h: championSignups.linkHash })).length > 0;
  }

  async deleteExpiredSignups(now: Date): Promise<number> {
    return (await this.db.delete(championSignups).where(lte(championSignups.expiresAt, now)).returning({ h: championSignups.linkHash })).length;
  }

  async countSignups(): Promise<{ rows: number; addresses: number }> {
    const [row] = await this.db.select({ rows: count(), addresses: sql<number>`count(distinct ${championSignups.emailKey})::int` }).from(championSignups);
    return { rows: Number(row?.rows ?? 0), addresses: Number(row?.addresses ?? 0) };
  }

  /* ----- champions ----- */

  async championByEmail(email: string, lock = false): Promise<ChampionRecord | undefined> {
    const query = this.db.select().from(champions).where(eq(champions.email, email));
    const [row] = lock ? await query.for('update') : await query;
    return row;
  }

  async championById(id: number, lock = false): Promise<ChampionRecord | undefined> {
    const query = this.db.select().from(champions).where(eq(champions.id, id));
    const [row] = lock ? await query.for('update') : await query;
    return row;
  }

  async countChampions(): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(champions);
    return Number(row?.n ?? 0);
  }

  async insertChampion(values: typeof champions.$inferInsert): Promise<ChampionRecord> {
    const [row] = await this.db.insert(champions).values(values).returning();
    return row!;
  }

  /** One record per address: a second confirmed sign-up updates the first. */
  async upsertChampion(values: typeof champions.$inferInsert): Promise<{ champion: ChampionRecord; created: boolean }> {
    const [row] = await this.db
      .insert(champions)
      .values(values)
      .onConflictDoUpdate({
        target: champions.email,
        set: {
          name: values.name,
          jobRole: values.jobRole,
          employer: values.employer,
          setting: values.setting,
          region: values.region,
          why: values.why,
          contactConsent: values.contactConsent,
          contactConsentAt: values.contactConsentAt,
          directoryConsent: values.directoryConsent,
          directoryConsentAt: values.directoryConsentAt,
          updatedAt: values.updatedAt,
        },
      })
      .returning();
    // An update keeps the first confirmation time, so a row with this one's was just inserted.
    return { champion: row!, created: row!.confirmedAt.getTime() === new Date(values.confirmedAt).getTime() };
  }

  async updateChampion(id: number, values: Partial<Omit<ChampionRecord, 'id' | 'email'>>): Promise<ChampionRecord> {
    const [row] = await this.db.update(champions).set(values).where(eq(champions.id, id)).returning();
    return row!;
  }

  async deleteChampion(id: number): Promise<void> {
    await this.db.delete(champions).where(eq(champions.id, id));
  }

  private filterWhere(filters: Partial<ChampionFilters> & { itemId?: number | undefined }): SQL | undefined {
    const conditions: (SQL | undefined)[] = [];
    if (filters.status) conditions.push(eq(champions.status, filters.status));
    if (filters.region) conditions.push(eq(champions.region, filters.region));
    if (filters.setting) conditions.push(eq(champions.setting, filters.setting));
    if (filters.itemId !== undefined) {
      conditions.push(exists(this.db.select({ one: sql`1` }).from(championPledges).where(and(eq(championPledges.championId, champions.id), eq(championPledges.itemId, filters.itemId)))));
    }
    if (filters.q) {
      const q = likeText(filters.q);
      conditions.push(or(ilike(champions.name, q), ilike(champions.email, q), ilike(champions.employer, q), ilike(champions.jobRole, q)));
    }
    return conditions.length ? and(...conditions) : undefined;
  }

  async listChampions(filters: Partial<ChampionFilters> & { itemId?: number | undefined }, limit: number, offset: number): Promise<{ rows: ChampionRecord[]; total: number }> {
    const where = this.filterWhere(filters);
    const [rows, [total]] = await Promise.all([
      this.db.select().from(champions).where(where).orderBy(desc(champions.confirmedAt), desc(champions.id)).limit(limit).offset(offset),
      this.db.select({ n: count() }).from(champions).where(where),
    ]);
    return { rows, total: Number(total?.n ?? 0) };
  }

  /** Everyone a filter selects who agreed to be contacted and is an active champion. */
  async contactable(filters: Partial<ChampionFilters> & { itemId?: number | undefined }): Promise<{ email: string; name: string }[]> {
    const where = and(this.filterWhere({ ...filters, status: 'active' }), eq(champions.contactConsent, true));
    return this.db.select({ email: champions.email, name: champions.name }).from(champions).where(where).orderBy(asc(champions.email));
  }

  async countContactable(filters: Partial<ChampionFilters> & { itemId?: number | undefined }): Promise<number> {
    const where = and(this.filterWhere({ ...filters, status: 'active' }), eq(champions.contactConsent, true));
    const [row] = await this.db.select({ n: count() }).from(champions).where(where);
    return Number(row?.n ?? 0);
  }

  /* ----- pledges and actions ----- */

  async pledgesOf(championId: number): Promise<PledgeRecord[]> {
    return this.db.select().from(championPledges).where(eq(championPledges.championId, championId)).orderBy(asc(championPledges.createdAt));
  }

  async pledgeCount(championId: number): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(championPledges).where(eq(championPledges.championId, championId));
    return Number(row?.n ?? 0);
  }

  async addPledge(championId: number, itemId: number, now: Date): Promise<boolean> {
    return (await this.db.insert(championPledges).values({ championId, itemId, createdAt: now }).onConflictDoNothing().returning({ id: championPledges.itemId })).length > 0;
  }

  async removePledge(championId: number, itemId: number): Promise<boolean> {
    return (await this.db.delete(championPledges).where(and(eq(championPledges.championId, championId), eq(championPledges.itemId, itemId))).returning({ id: championPledges.itemId })).length > 0;
  }

  async actionsOf(championId: number): Promise<ActionRecord[]> {
    return this.db.select().from(championActions).where(eq(championActions.championId, championId)).orderBy(desc(championActions.happenedOn), desc(championActions.id));
  }

  async actionCount(championId: number): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(championActions).where(eq(championActions.championId, championId));
    return Number(row?.n ?? 0);
  }

  async addAction(values: typeof championActions.$inferInsert): Promise<ActionRecord> {
    const [row] = await this.db.insert(championActions).values(values).returning();
    return row!;
  }

  async deleteAction(championId: number, actionId: number): Promise<ActionRecord | undefined> {
    const [row] = await this.db.delete(championActions).where(and(eq(championActions.id, actionId), eq(championActions.championId, championId))).returning();
    return row;
  }

  /* ----- public figures ----- */

  async activeCounts(): Promise<{ region: string; setting: string; n: number }[]> {
    const rows = await this.db
      .select({ region: champions.region, setting: champions.setting, n: count() })
      .from(champions)
      .where(eq(champions.status, 'active'))
      .groupBy(champions.region, champions.setting);
    return rows.map((r) => ({ ...r, n: Number(r.n) }));
  }

  async pledgeCounts(): Promise<{ itemId: number; n: number }[]> {
    const rows = await this.db
      .select({ itemId: championPledges.itemId, n: count() })
      .from(championPledges)
      .innerJoin(champions, eq(champions.id, championPledges.championId))
      .where(eq(champions.status, 'active'))
      .groupBy(championPledges.itemId)
      .orderBy(desc(count()), asc(championPledges.itemId));
    return rows.map((r) => ({ ...r, n: Number(r.n) }));
  }

  /** Actions of active champions who agreed to the public directory, newest first. */
  async publicActions(limit: number, itemId?: number): Promise<(ActionRecord & { championName: string; region: string })[]> {
    const rows = await this.db
      .select({ action: championActions, championName: champions.name, region: champions.region })
      .from(championActions)
      .innerJoin(champions, eq(champions.id, championActions.championId))
      .where(and(eq(champions.status, 'active'), eq(champions.directoryConsent, true), itemId === undefined ? undefined : eq(championActions.itemId, itemId)))
      .orderBy(desc(championActions.happenedOn), desc(championActions.id))
      .limit(limit);
    return rows.map((r) => ({ ...r.action, championName: r.championName, region: r.region }));
  }

  async publicActionTotals(): Promise<{ logged: number; peopleReached: number }> {
    const [row] = await this.db
      .select({ actions: count(), people: sql<number>`coalesce(sum(${championActions.peopleReached}), 0)::int` })
      .from(championActions)
      .innerJoin(champions, eq(champions.id, championActions.championId))
      .where(eq(champions.status, 'active'));
    return { logged: Number(row?.actions ?? 0), peopleReached: Number(row?.people ?? 0) };
  }

  /** The public directory: active champions who agreed to appear, by name. */
  async directory(limit: number, offset: number, itemId?: number): Promise<{ rows: Pick<ChampionRecord, 'id' | 'name' | 'jobRole' | 'employer' | 'region' | 'setting'>[]; total: number }> {
    const where = and(
      eq(champions.status, 'active'),
      eq(champions.directoryConsent, true),
      itemId === undefined ? undefined : exists(this.db.select({ one: sql`1` }).from(championPledges).where(and(eq(championPledges.championId, champions.id), eq(championPledges.itemId, itemId)))),
    );
    const [rows, [total]] = await Promise.all([
      this.db
        .select({ id: champions.id, name: champions.name, jobRole: champions.jobRole, employer: champions.employer, region: champions.region, setting: champions.setting })
        .from(champions)
        .where(where)
        .orderBy(asc(champions.name), asc(champions.id))
        .limit(limit)
        .offset(offset),
      this.db.select({ n: count() }).from(champions).where(where),
    ]);
    return { rows, total: Number(total?.n ?? 0) };
  }

  async growth(): Promise<{ month: string; joined: number; left: number }[]> {
    return this.db.select().from(championGrowth).orderBy(asc(championGrowth.month));
  }

  async tally(month: string, change: { joined?: number; left?: number }): Promise<void> {
    await this.db
      .insert(championGrowth)
      .values({ month, joined: change.joined ?? 0, left: change.left ?? 0 })
      .onConflictDoUpdate({ target: championGrowth.month, set: { joined: sql`${championGrowth.joined} + ${change.joined ?? 0}`, left: sql`${championGrowth.left} + ${change.left ?? 0}` } });
  }

  async bumpRevision(): Promise<number> {
    const [row] = await this.db
      .insert(communityRevision)
      .values({ id: 1, revision: 1 })
      .onConflictDoUpdate({ target: communityRevision.id, set: { revision: sql`${communityRevision.revision} + 1` } })
      .returning({ revision: communityRevision.revision });
    return row!.revision;
  }

  async revision(): Promise<number> {
    const [row] = await this.db.select({ revision: communityRevision.revision }).from(communityRevision);
    return row?.revision ?? 0;
  }

  /* ----- settings that approve automatically ----- */

  async autoApproveSettings(): Promise<ChampionSetting[]> {
    return (await this.db.select().from(championAutoApprove).orderBy(asc(championAutoApprove.setting))).map((r) => r.setting);
  }

  async setAutoApproveSettings(settings: ChampionSetting[]): Promise<void> {
    await this.db.delete(championAutoApprove);
    if (settings.length) await this.db.insert(championAutoApprove).values(settings.map((setting) => ({ setting })));
  }

  /* ----- sign-in links and sessions ----- */

  async addSignInLink(tokenHash: string, championId: number, expiresAt: Date): Promise<void> {
    await this.db.insert(championSignInLinks).values({ tokenHash, championId, expiresAt });
  }

  async recentSignInLinks(championId: number, since: Date): Promise<number> {
    // Links expire after 30 minutes; those in the last hour are the live ones plus the just-used.
    const [row] = await this.db.select({ n: count() }).from(championSignInLinks).where(and(eq(championSignInLinks.championId, championId), gt(championSignInLinks.expiresAt, since)));
    return Number(row?.n ?? 0);
  }

  async useSignInLink(tokenHash: string, now: Date): Promise<number | undefined> {
    const [row] = await this.db.delete(championSignInLinks).where(and(eq(championSignInLinks.tokenHash, tokenHash), gt(championSignInLinks.expiresAt, now))).returning({ championId: championSignInLinks.championId });
    return row?.championId;
  }

  async signInLinkChampion(tokenHash: string, now: Date): Promise<number | undefined> {
    const [row] = await this.db.select({ championId: championSignInLinks.championId }).from(championSignInLinks).where(and(eq(championSignInLinks.tokenHash, tokenHash), gt(championSignInLinks.expiresAt, now)));
    return row?.championId;
  }

  async addSession(tokenHash: string, championId: number, expiresAt: Date): Promise<void> {
    await this.db.insert(championSessions).values({ tokenHash, championId, expiresAt });
  }

  async sessionChampion(tokenHash: string, now: Date): Promise<ChampionRecord | undefined> {
    const [row] = await this.db
      .select({ champion: champions })
      .from(championSessions)
      .innerJoin(champions, eq(champions.id, championSessions.championId))
      .where(and(eq(championSessions.tokenHash, tokenHash), gt(championSessions.expiresAt, now)));
    return row?.champion;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.delete(championSessions).where(eq(championSessions.tokenHash, tokenHash));
  }

  async deleteExpiredLinksAndSessions(now: Date): Promise<number> {
    const links = await this.db.delete(championSignInLinks).where(lt(championSignInLinks.expiresAt, now)).returning({ h: championSignInLinks.tokenHash });
    const sessions = await this.db.delete(championSessions).where(lt(championSessions.expiresAt, now)).returning({ h: championSessions.tokenHash });
    return links.length + sessions.length;
  }

  /* ----- enquiries ----- */

  async addEnquiry(values: typeof enquiries.$inferInsert): Promise<EnquiryRecord> {
    const [row] = await this.db.insert(enquiries).values(values).returning();
    return row!;
  }

  async listEnquiries(status: EnquiryStatus | '', limit: number, offset: number): Promise<{ rows: EnquiryRecord[]; total: number; byStatus: Record<string, number> }> {
    const where = status ? eq(enquiries.status, status) : undefined;
    const [rows, [total], counts] = await Promise.all([
      this.db.select().from(enquiries).where(where).orderBy(desc(enquiries.createdAt), desc(enquiries.id)).limit(limit).offset(offset),
      this.db.select({ n: count() }).from(enquiries).where(where),
      this.db.select({ status: enquiries.status, n: count() }).from(enquiries).groupBy(enquiries.status),
    ]);
    return { rows, total: Number(total?.n ?? 0), byStatus: Object.fromEntries(counts.map((c) => [c.status, Number(c.n)])) };
  }

  async enquiryById(id: number, lock = false): Promise<EnquiryRecord | undefined> {
    const query = this.db.select().from(enquiries).where(eq(enquiries.id, id));
    const [row] = lock ? await query.for('update') : await query;
    return row;
  }

  async updateEnquiry(id: number, values: Partial<Omit<EnquiryRecord, 'id'>>): Promise<EnquiryRecord> {
    const [row] = await this.db.update(enquiries).set(values).where(eq(enquiries.id, id)).returning();
    return row!;
  }

  async repliesTo(enquiryId: number): Promise<ReplyRecord[]> {
    return this.db.select().from(enquiryReplies).where(eq(enquiryReplies.enquiryId, enquiryId)).orderBy(asc(enquiryReplies.sentAt), asc(enquiryReplies.id));
  }

  async addReply(values: typeof enquiryReplies.$inferInsert): Promise<ReplyRecord> {
    const [row] = await this.db.insert(enquiryReplies).values(values).returning();
    return row!;
  }

  async deleteClosedBefore(cutoff: Date): Promise<number[]> {
    const rows = await this.db
      .delete(enquiries)
      .where(and(eq(enquiries.status, 'closed'), isNotNull(enquiries.closedAt), lt(enquiries.closedAt, cutoff)))
      .returning({ id: enquiries.id });
    return rows.map((r) => r.id);
  }
}
