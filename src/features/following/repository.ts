// The following feature's tables: who follows which item or theme and how often, the
// addresses behind them, who has heard of which update, and which weekly digests went out.
import { and, asc, eq, gt, inArray, isNotNull, isNull, lt, notExists, or, sql } from 'drizzle-orm';
import { queryRows, type Executor } from '../../platform/db/client.ts';
import { followAddresses, followDigests, followerNotifications, itemFollowers, type FollowFrequency } from './schema.ts';

export type FollowerRecord = typeof itemFollowers.$inferSelect;
export type AddressRecord = typeof followAddresses.$inferSelect;

/** What a follow is of: exactly one of an item and a theme. */
export type TargetKey = { itemId: number; themeId?: undefined } | { themeId: number; itemId?: undefined };

const targetIs = (target: TargetKey) => (target.itemId !== undefined ? eq(itemFollowers.itemId, target.itemId) : eq(itemFollowers.themeId, target.themeId));

export class FollowingRepository {
  constructor(private readonly db: Executor) {}

  async lockByTargetAndEmail(target: TargetKey, email: string): Promise<FollowerRecord | undefined> {
    const [row] = await this.db.select().from(itemFollowers).where(and(targetIs(target), eq(itemFollowers.email, email))).for('update');
    return row;
  }

  async insert(values: typeof itemFollowers.$inferInsert): Promise<FollowerRecord> {
    // Two requests for a new address at once: the second finds the first's row.
    const [row] = await this.db
      .insert(itemFollowers)
      .values(values)
      .onConflictDoUpdate({
        target: values.itemId != null ? [itemFollowers.itemId, itemFollowers.email] : [itemFollowers.themeId, itemFollowers.email],
        set: { confirmTokenHash: values.confirmTokenHash, confirmExpiresAt: values.confirmExpiresAt, confirmationsSent: values.confirmationsSent, lastConfirmationAt: values.lastConfirmationAt },
      })
      .returning();
    return row!;
  }

  async update(id: number, values: Partial<Omit<FollowerRecord, 'id' | 'itemId' | 'themeId' | 'email' | 'stopToken' | 'createdAt'>>): Promise<FollowerRecord> {
    const [row] = await this.db.update(itemFollowers).set(values).where(eq(itemFollowers.id, id)).returning();
    return row!;
  }

  async byConfirmToken(tokenHash: string, now: Date): Promise<FollowerRecord | undefined> {
    const [row] = await this.db
      .select()
      .from(itemFollowers)
      .where(and(eq(itemFollowers.confirmTokenHash, tokenHash), gt(itemFollowers.confirmExpiresAt, now)));
    return row;
  }

  async byStopToken(stopToken: string): Promise<FollowerRecord | undefined> {
    const [row] = await this.db.select().from(itemFollowers).where(eq(itemFollowers.stopToken, stopToken));
    return row;
  }

  async deleteByStopToken(stopToken: string): Promise<FollowerRecord | undefined> {
    const [row] = await this.db.delete(itemFollowers).where(eq(itemFollowers.stopToken, stopToken)).returning();
    return row;
  }

  /** An address's confirmed follows, items before themes, oldest first. */
  async confirmedOf(email: string): Promise<FollowerRecord[]> {
    return this.db
      .select()
      .from(itemFollowers)
      .where(and(eq(itemFollowers.email, email), isNotNull(itemFollowers.confirmedAt)))
      .orderBy(sql`${itemFollowers.itemId} is null`, asc(itemFollowers.id));
  }

  /** Sets how often, only on follows of this address; returns the rows changed. */
  async setFrequency(email: string, ids: number[], frequency: FollowFrequency): Promise<FollowerRecord[]> {
    if (ids.length === 0) return [];
    return this.db
      .update(itemFollowers)
      .set({ frequency })
      .where(and(eq(itemFollowers.email, email), inArray(itemFollowers.id, ids), sql`${itemFollowers.frequency} <> ${frequency}`))
      .returning();
  }

  /** Every follow of an address, confirmed or not. */
  async deleteAllOf(email: string): Promise<FollowerRecord[]> {
    return this.db.delete(itemFollowers).where(eq(itemFollowers.email, email)).returning();
  }

  /**
   * Confirmed followers who get an email for each update, of the item or of one of its themes,
   * and have not been told about this update.
   */
  async waitingFor(itemId: number, themeIds: number[], updateId: number): Promise<FollowerRecord[]> {
    const target = themeIds.length ? or(eq(itemFollowers.itemId, itemId), inArray(itemFollowers.themeId, themeIds)) : eq(itemFollowers.itemId, itemId);
    return this.db
      .select()
      .from(itemFollowers)
      .where(
        and(
          target,
          isNotNull(itemFollowers.confirmedAt),
          eq(itemFollowers.frequency, 'each'),
          notExists(
            this.db
              .select({ one: sql`1` })
              .from(followerNotifications)
              .where(and(eq(followerNotifications.followerId, itemFollowers.id), eq(followerNotifications.updateId, updateId))),
          ),
        ),
      )
      .orderBy(asc(itemFollowers.email), sql`${itemFollowers.itemId} is null`, asc(itemFollowers.id));
  }

  async recordSent(followerIds: number[], updateId: number): Promise<void> {
    if (followerIds.length === 0) return;
    await this.db
      .insert(followerNotifications)
      .values(followerIds.map((followerId) => ({ followerId, updateId })))
      .onConflictDoNothing();
  }

  /** Every confirmed follow that wants the weekly digest, by address. */
  async confirmedWeekly(): Promise<FollowerRecord[]> {
    return this.db
      .select()
      .from(itemFollowers)
      .where(and(isNotNull(itemFollowers.confirmedAt), eq(itemFollowers.frequency, 'weekly')))
      .orderBy(asc(itemFollowers.email), sql`${itemFollowers.itemId} is null`, asc(itemFollowers.id));
  }

  /** Which of these updates the address was already emailed about one by one (before it chose the digest). */
  async notifiedOf(email: string, updateIds: number[]): Promise<Set<number>> {
    if (updateIds.length === 0) return new Set();
    const rows = await this.db
      .selectDistinct({ updateId: followerNotifications.updateId })
      .from(followerNotifications)
      .innerJoin(itemFollowers, eq(itemFollowers.id, followerNotifications.followerId))
      .where(and(eq(itemFollowers.email, email), inArray(followerNotifications.updateId, updateIds)));
    return new Set(rows.map((r) => r.updateId));
  }

  async deleteUnconfirmedBefore(now: Date): Promise<number> {
    const rows = await this.db
      .delete(itemFollowers)
      .where(and(isNull(itemFollowers.confirmedAt), lt(itemFollowers.confirmExpiresAt, now)))
      .returning({ id: itemFollowers.id });
    return rows.length;
  }

  /* ----- addresses ----- */

  /** The address's row, made with `token` if it has none yet. */
  async ensureAddress(email: string, token: string): Promise<AddressRecord> {
    // The no-op update makes RETURNING give the existing row when there is one.
    const [row] = await this.db
      .insert(followAddresses)
      .values({ email, token })
      .onConflictDoUpdate({ target: followAddresses.email, set: { email: sql`excluded.email` } })
      .returning();
    return row!;
  }

  async addressByToken(token: string): Promise<AddressRecord | undefined> {
    const [row] = await this.db.select().from(followAddresses).where(eq(followAddresses.token, token));
    return row;
  }

  async addressOf(email: string): Promise<AddressRecord | undefined> {
    const [row] = await this.db.select().from(followAddresses).where(eq(followAddresses.email, email));
    return row;
  }

  /**
   * Forgets addresses with no confirmed follow left (with their digest records). With `email`,
   * only that address.
   */
  async deleteUnusedAddresses(email?: string): Promise<number> {
    const unused = notExists(
      this.db
        .select({ one: sql`1` })
        .from(itemFollowers)
        .where(and(eq(itemFollowers.email, followAddresses.email), isNotNull(itemFollowers.confirmedAt))),
    );
    const rows = await this.db
      .delete(followAddresses)
      .where(email === undefined ? unused : and(eq(followAddresses.email, email), unused))
      .returning({ id: followAddresses.id });
    return rows.length;
  }

  /* ----- weekly digests ----- */

  /**
   * Claims the address's digest for a week: true for the one caller that claims it while the
   * address still exists (a retry, a second run or an unsubscribe in between gets false).
   */
  async claimDigest(addressId: number, weekOf: string, updates: number): Promise<boolean> {
    const rows = await queryRows<{ address_id: number }>(
      this.db,
      sql`insert into ${followDigests} (address_id, week_of, updates)
          select ${addressId}, ${weekOf}::date, ${updates}
          where exists (select 1 from ${followAddresses} where id = ${addressId})
          on conflict do nothing
          returning address_id`,
    );
    return rows.length === 1;
  }

  /** Gives a claim back when the mailer refused the email, so a retry can send it. */
  async releaseDigest(addressId: number, weekOf: string): Promise<void> {
    await this.db.delete(followDigests).where(and(eq(followDigests.addressId, addressId), eq(followDigests.weekOf, weekOf)));
  }
}
