// The bulletins feature's SQL: lists, subscribers and their lists, erased addresses, campaigns,
// and the delivery rows a send works through. Takes ids the service has resolved; decides nothing.
import { and, asc, count, desc, eq, getTableColumns, inArray, isNotNull, lt, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Executor } from '../../platform/db/client.ts';
import {
  bulletinCampaignLists,
  bulletinCampaigns,
  bulletinDeliveries,
  bulletinLists,
  bulletinSubscribers,
  bulletinSubscriptions,
  bulletinSuppressions,
  type CampaignStatus,
  type DeliveryStatus,
  type ListKind,
  type SubscriberStatus,
} from './schema.ts';

export type ListRecord = typeof bulletinLists.$inferSelect;
export type SubscriberRecord = typeof bulletinSubscribers.$inferSelect;
export type CampaignRecord = typeof bulletinCampaigns.$inferSelect;
export type NewSubscriber = typeof bulletinSubscribers.$inferInsert;

export interface SubscriberFilters {
  q?: string | undefined;
  list?: number | undefined;
  status?: SubscriberStatus | undefined;
}

/** A delivery handed to the sender: who, and whether they still want it. */
export interface Claimed {
  subscriberId: number;
  email: string;
  status: SubscriberStatus;
  /** Attempts before this one. */
  attempts: number;
}

const likeText = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
const ids = (values: readonly number[]) => sql`array[${sql.join(values.map((v) => sql`${v}`), sql`, `)}]::integer[]`;

export class BulletinsRepository {
  constructor(private readonly db: Executor) {}

  /* ----- lists ----- */

  /** Every list: the general bulletin, champions news, then areas and themes by name. */
  async lists(): Promise<ListRecord[]> {
    return this.db.select().from(bulletinLists).orderBy(listOrder, asc(bulletinLists.name));
  }

  /** The lists with how many active subscribers each has (counts every subscription: the admin's page only). */
  async listsWithCounts(): Promise<(ListRecord & { subscribers: number })[]> {
    const active = sql<number>`(select count(*)::int from ${bulletinSubscriptions} join ${bulletinSubscribers} on ${bulletinSubscribers.id} = ${bulletinSubscriptions.subscriberId}
      where ${bulletinSubscriptions.listId} = ${bulletinLists.id} and ${bulletinSubscribers.status} = 'active')`;
    return this.db.select({ ...listColumns, subscribers: active }).from(bulletinLists).orderBy(listOrder, asc(bulletinLists.name));
  }

  async listOfKind(kind: ListKind): Promise<ListRecord | undefined> {
    const [row] = await this.db.select().from(bulletinLists).where(eq(bulletinLists.kind, kind)).orderBy(asc(bulletinLists.id)).limit(1);
    return row;
  }

  async insertList(values: typeof bulletinLists.$inferInsert): Promise<ListRecord | undefined> {
    const [row] = await this.db.insert(bulletinLists).values(values).onConflictDoNothing().returning();
    return row;
  }

  /* ----- subscribers ----- */

  async lockByEmail(email: string): Promise<SubscriberRecord | undefined> {
    const [row] = await this.db.select().from(bulletinSubscribers).where(eq(bulletinSubscribers.email, email)).for('update');
    return row;
  }

  async subscriber(id: number): Promise<SubscriberRecord | undefined> {
    const [row] = await this.db.select().from(bulletinSubscribers).where(eq(bulletinSubscribers.id, id));
    return row;
  }

  async lockSubscriber(id: number): Promise<SubscriberRecord | undefined> {
    const [row] = await this.db.select().from(bulletinSubscribers).where(eq(bulletinSubscribers.id, id)).for('update');
    return row;
  }

  async byConfirmToken(tokenHash: string, now: Date): Promise<SubscriberRecord | undefined> {
    const [row] = await this.db
      .select()
      .from(bulletinSubscribers)
      .where(and(eq(bulletinSubscribers.confirmTokenHash, tokenHash), sql`${bulletinSubscribers.confirmExpiresAt} > ${now}`))
      .for('update');
    return row;
  }

  async insertSubscriber(values: NewSubscriber): Promise<SubscriberRecord> {
    const [row] = await this.db.insert(bulletinSubscribers).values(values).returning();
    return row!;
  }

  async updateSubscriber(id: number, values: Partial<NewSubscriber>): Promise<SubscriberRecord> {
    const [row] = await this.db.update(bulletinSubscribers).set({ ...values, updatedAt: sql`now()` }).where(eq(bulletinSubscribers.id, id)).returning();
    return row!;
  }

  async deleteSubscriber(id: number): Promise<void> {
    await this.db.delete(bulletinSubscribers).where(eq(bulletinSubscribers.id, id));
  }

  async listIdsOf(subscriberId: number): Promise<number[]> {
    const rows = await this.db.select({ id: bulletinSubscriptions.listId }).from(bulletinSubscriptions).where(eq(bulletinSubscriptions.subscriberId, subscriberId));
    return rows.map((r) => r.id).sort((a, b) => a - b);
  }

  async addToLists(subscriberId: number, listIds: readonly number[]): Promise<void> {
    if (!listIds.length) return;
    await this.db
      .insert(bulletinSubscriptions)
      .values(listIds.map((listId) => ({ subscriberId, listId })))
      .onConflictDoNothing();
  }

  async removeFromLists(subscriberId: number, listIds: readonly number[]): Promise<void> {
    if (!listIds.length) return;
    await this.db.delete(bulletinSubscriptions).where(and(eq(bulletinSubscriptions.subscriberId, subscriberId), inArray(bulletinSubscriptions.listId, [...listIds])));
  }

  async isSuppressed(emailHash: string): Promise<boolean> {
    return (await this.db.select({ h: bulletinSuppressions.emailHash }).from(bulletinSuppressions).where(eq(bulletinSuppressions.emailHash, emailHash))).length > 0;
  }

  async suppress(emailHash: string): Promise<void> {
    await this.db.insert(bulletinSuppressions).values({ emailHash }).onConflictDoNothing();
  }

  async unsuppress(emailHash: string): Promise<void> {
    await this.db.delete(bulletinSuppressions).where(eq(bulletinSuppressions.emailHash, emailHash));
  }

  private subscriberWhere(f: SubscriberFilters): SQL | undefined {
    return and(
      f.q ? sql`${bulletinSubscribers.email} ilike ${likeText(f.q.toLowerCase())}` : undefined,
      f.status ? eq(bulletinSubscribers.status, f.status) : undefined,
      f.list
        ? sql`exists (select 1 from ${bulletinSubscriptions} where ${bulletinSubscriptions.subscriberId} = ${bulletinSubscribers.id} and ${bulletinSubscriptions.listId} = ${f.list})`
        : undefined,
    );
  }

  async subscribers(f: SubscriberFilters, limit: number, offset: number): Promise<{ rows: (SubscriberRecord & { listIds: number[] })[]; total: number }> {
    const where = this.subscriberWhere(f);
    const listIds = sql<number[]>`coalesce((select array_agg(${bulletinSubscriptions.listId} order by ${bulletinSubscriptions.listId}) from ${bulletinSubscriptions}
      where ${bulletinSubscriptions.subscriberId} = ${bulletinSubscribers.id}), '{}'::integer[])`;
    const rows = await this.db
      .select({ ...subscriberColumns, listIds })
      .from(bulletinSubscribers)
      .where(where)
      .orderBy(asc(bulletinSubscribers.email))
      .limit(limit)
      .offset(offset);
    const [total] = await this.db.select({ n: count() }).from(bulletinSubscribers).where(where);
    return { rows, total: total?.n ?? 0 };
  }

  async statusCounts(): Promise<Record<SubscriberStatus, number>> {
    const rows = await this.db.select({ status: bulletinSubscribers.status, n: count() }).from(bulletinSubscribers).groupBy(bulletinSubscribers.status);
    const out: Record<SubscriberStatus, number> = { pending: 0, active: 0, unsubscribed: 0, suspended: 0 };
    for (const r of rows) out[r.status] = r.n;
    return out;
  }

  /** Active subscribers on any of the lists (and, given addresses, only those). */
  async audienceCount(listIds: readonly number[], emails: readonly string[] | null): Promise<number> {
    if (!listIds.length || emails?.length === 0) return 0;
    const [row] = await queryRows<{ n: number }>(
      this.db,
      sql`select count(distinct s.id)::int as n from ${bulletinSubscriptions} l join ${bulletinSubscribers} s on s.id = l.subscriber_id
        where l.list_id = any(${ids(listIds)}) and s.status = 'active' ${emails ? sql`and s.email = any(${textArray(emails)})` : sql``}`,
    );
    return row?.n ?? 0;
  }

  /** A hard bounce: counted, and the address suspended once it reaches the limit. */
  async recordBounce(id: number, reason: string, limit: number): Promise<SubscriberStatus | undefined> {
    const [row] = await queryRows<{ status: SubscriberStatus }>(
      this.db,
      sql`update ${bulletinSubscribers} set hard_bounces = hard_bounces + 1, last_bounce = ${reason.slice(0, 500)}, updated_at = now(),
        status = case when hard_bounces + 1 >= ${limit} and status = 'active' then 'suspended' else status end,
        suspended_at = case when hard_bounces + 1 >= ${limit} and status = 'active' then now() else suspended_at end
        where id = ${id} returning status`,
    );
    return row?.status;
  }

  /** Addresses that never used their confirmation link, once it has expired. */
  async deleteUnconfirmed(now: Date): Promise<number> {
    const rows = await this.db
      .delete(bulletinSubscribers)
      .where(and(eq(bulletinSubscribers.status, 'pending'), lt(bulletinSubscribers.confirmExpiresAt, now)))
      .returning({ id: bulletinSubscribers.id });
    return rows.length;
  }

  /* ----- campaigns ----- */

  async campaign(id: number): Promise<CampaignRecord | undefined> {
    const [row] = await this.db.select().from(bulletinCampaigns).where(eq(bulletinCampaigns.id, id));
    return row;
  }

  async lockCampaign(id: number): Promise<CampaignRecord | undefined> {
    const [row] = await this.db.select().from(bulletinCampaigns).where(eq(bulletinCampaigns.id, id)).for('update');
    return row;
  }

  async insertCampaign(values: typeof bulletinCampaigns.$inferInsert): Promise<CampaignRecord> {
    const [row] = await this.db.insert(bulletinCampaigns).values(values).returning();
    return row!;
  }

  async updateCampaign(id: number, values: Partial<typeof bulletinCampaigns.$inferInsert>): Promise<CampaignRecord> {
    const [row] = await this.db
      .update(bulletinCampaigns)
      .set({ ...values, version: sql`${bulletinCampaigns.version} + 1`, updatedAt: sql`now()` })
      .where(eq(bulletinCampaigns.id, id))
      .returning();
    return row!;
  }

  async deleteCampaign(id: number): Promise<void> {
    await this.db.delete(bulletinCampaigns).where(eq(bulletinCampaigns.id, id));
  }

  async campaignListIds(id: number): Promise<number[]> {
    const rows = await this.db.select({ id: bulletinCampaignLists.listId }).from(bulletinCampaignLists).where(eq(bulletinCampaignLists.campaignId, id));
    return rows.map((r) => r.id).sort((a, b) => a - b);
  }

  async setCampaignLists(id: number, listIds: readonly number[]): Promise<void> {
    await this.db.delete(bulletinCampaignLists).where(eq(bulletinCampaignLists.campaignId, id));
    if (listIds.length) await this.db.insert(bulletinCampaignLists).values(listIds.map((listId) => ({ campaignId: id, listId })));
  }

  async campaigns(limit: number, offset: number): Promise<{ rows: CampaignRecord[]; total: number }> {
    const order = sql`case ${bulletinCampaigns.status} when 'sending' then 0 when 'scheduled' then 1 when 'draft' then 2 else 3 end`;
    const rows = await this.db
      .select()
      .from(bulletinCampaigns)
      .orderBy(order, desc(sql`coalesce(${bulletinCampaigns.startedAt}, ${bulletinCampaigns.updatedAt})`), desc(bulletinCampaigns.id))
      .limit(limit)
      .offset(offset);
    const [total] = await this.db.select({ n: count() }).from(bulletinCampaigns);
    return { rows, total: total?.n ?? 0 };
  }

  private publishedWhere(): SQL {
    return and(eq(bulletinCampaigns.public, true), isNotNull(bulletinCampaigns.slug), inArray(bulletinCampaigns.status, ['sending', 'sent']))!;
  }

  async published(limit: number, offset: number): Promise<{ rows: CampaignRecord[]; total: number }> {
    const rows = await this.db.select().from(bulletinCampaigns).where(this.publishedWhere()).orderBy(desc(bulletinCampaigns.startedAt), desc(bulletinCampaigns.id)).limit(limit).offset(offset);
    const [total] = await this.db.select({ n: count() }).from(bulletinCampaigns).where(this.publishedWhere());
    return { rows, total: total?.n ?? 0 };
  }

  async publishedBySlug(slug: string): Promise<CampaignRecord | undefined> {
    const [row] = await this.db.select().from(bulletinCampaigns).where(and(this.publishedWhere(), eq(bulletinCampaigns.slug, slug)));
    return row;
  }

  async slugTaken(slug: string): Promise<boolean> {
    return (await this.db.select({ id: bulletinCampaigns.id }).from(bulletinCampaigns).where(eq(bulletinCampaigns.slug, slug))).length > 0;
  }

  async campaignIdsIn(status: CampaignStatus, dueBy?: Date): Promise<number[]> {
    const rows = await this.db
      .select({ id: bulletinCampaigns.id })
      .from(bulletinCampaigns)
      .where(and(eq(bulletinCampaigns.status, status), dueBy ? sql`${bulletinCampaigns.scheduledFor} <= ${dueBy}` : undefined))
      .orderBy(asc(bulletinCampaigns.id));
    return rows.map((r) => r.id);
  }

  /* ----- deliveries ----- */

  /** One queued delivery per active subscriber on the lists (and, given addresses, only those). */
  async queueDeliveries(campaignId: number, listIds: readonly number[], emails: readonly string[] | null): Promise<number> {
    if (!listIds.length || emails?.length === 0) return 0;
    const rows = await queryRows<{ n: number }>(
      this.db,
      sql`with added as (
        insert into ${bulletinDeliveries} (campaign_id, subscriber_id)
        select distinct ${campaignId}::integer, s.id from ${bulletinSubscriptions} l join ${bulletinSubscribers} s on s.id = l.subscriber_id
        where l.list_id = any(${ids(listIds)}) and s.status = 'active' ${emails ? sql`and s.email = any(${textArray(emails)})` : sql``}
        on conflict do nothing returning 1)
      select count(*)::int as n from added`,
    );
    return rows[0]?.n ?? 0;
  }

  /**
   * Up to `limit` deliveries waiting their turn (retries once their wait is over), with each
   * person's address and whether they still want bulletins. Only the holder of the campaign's
   * sender lock reads these, so nothing else takes the same rows.
   */
  async claimable(campaignId: number, limit: number, now: Date): Promise<Claimed[]> {
    return queryRows<Claimed>(
      this.db,
      sql`select d.subscriber_id as "subscriberId", s.email, s.status, d.attempts from ${bulletinDeliveries} d join ${bulletinSubscribers} s on s.id = d.subscriber_id
        where d.campaign_id = ${campaignId} and d.status = 'queued' and (d.not_before is null or d.not_before <= ${now})
        order by d.subscriber_id limit ${limit}`,
    );
  }

  /** Marks deliveries as handed to the mail server, just before they are. */
  async markSending(campaignId: number, subscriberIds: readonly number[]): Promise<void> {
    if (!subscriberIds.length) return;
    await this.db
      .update(bulletinDeliveries)
      .set({ status: 'sending', attempts: sql`${bulletinDeliveries.attempts} + 1` })
      .where(and(eq(bulletinDeliveries.campaignId, campaignId), eq(bulletinDeliveries.status, 'queued'), inArray(bulletinDeliveries.subscriberId, [...subscriberIds])));
  }

  async markDeliveries(campaignId: number, subscriberIds: readonly number[], status: DeliveryStatus, values: { sentAt?: Date; error?: string | null; notBefore?: Date | null } = {}): Promise<void> {
    if (!subscriberIds.length) return;
    await this.db
      .update(bulletinDeliveries)
      .set({ status, ...values })
      .where(and(eq(bulletinDeliveries.campaignId, campaignId), inArray(bulletinDeliveries.subscriberId, [...subscriberIds])));
  }

  /** Rows a stopped sender left with the mail server: never sent again. */
  async markInterrupted(campaignId: number): Promise<number> {
    const rows = await this.db
      .update(bulletinDeliveries)
      .set({ status: 'unconfirmed', error: 'The sender stopped before the mail server confirmed this email; it is not sent again.' })
      .where(and(eq(bulletinDeliveries.campaignId, campaignId), eq(bulletinDeliveries.status, 'sending')))
      .returning({ id: bulletinDeliveries.subscriberId });
    return rows.length;
  }

  async deliveryCounts(campaignId: number): Promise<Record<DeliveryStatus, number>> {
    const rows = await this.db
      .select({ status: bulletinDeliveries.status, n: count() })
      .from(bulletinDeliveries)
      .where(eq(bulletinDeliveries.campaignId, campaignId))
      .groupBy(bulletinDeliveries.status);
    const out: Record<DeliveryStatus, number> = { queued: 0, sending: 0, sent: 0, failed: 0, unconfirmed: 0, skipped: 0 };
    for (const r of rows) out[r.status] = r.n;
    return out;
  }

  /** When the earliest waiting retry may go, if any delivery waits. */
  async nextWaiting(campaignId: number): Promise<Date | null | undefined> {
    const [row] = await queryRows<{ at: string | Date | null; n: number }>(
      this.db,
      sql`select min(not_before) as at, count(*)::int as n from ${bulletinDeliveries} where campaign_id = ${campaignId} and status in ('queued', 'sending')`,
    );
    if (!row?.n) return undefined;
    return row.at ? new Date(row.at) : null;
  }

  async deliveriesOf(subscriberId: number): Promise<{ subject: string; status: DeliveryStatus; sentAt: Date | null }[]> {
    return this.db
      .select({ subject: bulletinCampaigns.subject, status: bulletinDeliveries.status, sentAt: bulletinDeliveries.sentAt })
      .from(bulletinDeliveries)
      .innerJoin(bulletinCampaigns, eq(bulletinCampaigns.id, bulletinDeliveries.campaignId))
      .where(eq(bulletinDeliveries.subscriberId, subscriberId))
      .orderBy(asc(bulletinCampaigns.id));
  }
}

/** Any number of strings as one parameter (drizzle would spread a JS array into many). */
const textArray = (values: readonly string[]) => sql`array(select jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`;

const listColumns = getTableColumns(bulletinLists);
const listOrder = sql`case ${bulletinLists.kind} when 'general' then 0 when 'champions' then 1 when 'area' then 2 else 3 end`;
const subscriberColumns = getTableColumns(bulletinSubscribers);
