// The following feature's tables: who follows which item, and who has heard of which update.
import { and, asc, eq, gt, isNotNull, isNull, lt, notExists, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import { followerNotifications, itemFollowers } from './schema.ts';

export type FollowerRecord = typeof itemFollowers.$inferSelect;

export class FollowingRepository {
  constructor(private readonly db: Executor) {}

  async lockByItemAndEmail(itemId: number, email: string): Promise<FollowerRecord | undefined> {
    const [row] = await this.db.select().from(itemFollowers).where(and(eq(itemFollowers.itemId, itemId), eq(itemFollowers.email, email))).for('update');
    return row;
  }

  async insert(values: typeof itemFollowers.$inferInsert): Promise<FollowerRecord> {
    // Two requests for a new address at once: the second finds the first's row.
    const [row] = await this.db
      .insert(itemFollowers)
      .values(values)
      .onConflictDoUpdate({
        target: [itemFollowers.itemId, itemFollowers.email],
        set: { confirmTokenHash: values.confirmTokenHash, confirmExpiresAt: values.confirmExpiresAt, confirmationsSent: values.confirmationsSent, lastConfirmationAt: values.lastConfirmationAt },
      })
      .returning();
    return row!;
  }

  async update(id: number, values: Partial<Omit<FollowerRecord, 'id' | 'itemId' | 'email' | 'stopToken' | 'createdAt'>>): Promise<FollowerRecord> {
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

  /** Confirmed followers of an item who have not been told about this update. */
  async waitingFor(itemId: number, updateId: number): Promise<FollowerRecord[]> {
    return this.db
      .select()
      .from(itemFollowers)
      .where(
        and(
          eq(itemFollowers.itemId, itemId),
          isNotNull(itemFollowers.confirmedAt),
          notExists(
            this.db
              .select({ one: sql`1` })
              .from(followerNotifications)
              .where(and(eq(followerNotifications.followerId, itemFollowers.id), eq(followerNotifications.updateId, updateId))),
          ),
        ),
      )
      .orderBy(asc(itemFollowers.id));
  }

  async recordSent(followerId: number, updateId: number): Promise<void> {
    await this.db.insert(followerNotifications).values({ followerId, updateId }).onConflictDoNothing();
  }

  async deleteUnconfirmedBefore(now: Date): Promise<number> {
    const rows = await this.db
      .delete(itemFollowers)
      .where(and(isNull(itemFollowers.confirmedAt), lt(itemFollowers.confirmExpiresAt, now)))
      .returning({ id: itemFollowers.id });
    return rows.length;
  }

  async confirmedCount(itemId: number): Promise<number> {
    const [row] = await this.db.select({ n: sql<number>`count(*)::int` }).from(itemFollowers).where(and(eq(itemFollowers.itemId, itemId), isNotNull(itemFollowers.confirmedAt)));
    return Number(row?.n ?? 0);
  }
}
