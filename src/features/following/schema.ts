// Following an item by email: anyone can ask to hear when a verified update on an item is
// published. Double opt-in: nothing is sent but the confirmation until the link is used.
import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, primaryKey, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { progressUpdates } from '../progress/schema.ts';
import { items } from '../strategy/schema.ts';

export const itemFollowers = pgTable(
  'item_followers',
  {
    id: serial('id').primaryKey(),
    itemId: integer('item_id').notNull().references(() => items.id, { onDelete: 'cascade' }),
    /** Lower case, trimmed. */
    email: text('email').notNull(),
    /** SHA-256 of the confirmation link's token, until it is used. */
    confirmTokenHash: text('confirm_token_hash').unique(),
    confirmExpiresAt: timestamp('confirm_expires_at', { withTimezone: true }),
    confirmationsSent: integer('confirmations_sent').notNull().default(0),
    lastConfirmationAt: timestamp('last_confirmation_at', { withTimezone: true }),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
    /**
     * In every notification's "stop these emails" link. Kept as written (not hashed) because
     * each email must carry it; all it can do is stop this one follower's emails.
     */
    stopToken: text('stop_token').notNull().unique(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('item_followers_once').on(t.itemId, t.email),
    index('item_followers_confirmed').on(t.itemId).where(sql`${t.confirmedAt} is not null`),
    check('item_followers_email_lower', sql`${t.email} = lower(${t.email})`),
  ],
);

/** Which published updates each follower has been told about: nobody hears of one twice. */
export const followerNotifications = pgTable(
  'follower_notifications',
  {
    followerId: integer('follower_id').notNull().references(() => itemFollowers.id, { onDelete: 'cascade' }),
    updateId: integer('update_id').notNull().references(() => progressUpdates.id, { onDelete: 'cascade' }),
    sentAt: timestamp('sent_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.followerId, t.updateId] })],
);
