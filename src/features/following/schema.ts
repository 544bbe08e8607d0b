// Following by email: anyone can ask to hear when a verified update is published on an item,
// or on any item in one of the strategy's themes, one email per update or a weekly digest.
// Double opt-in: nothing is sent but the confirmation until the link is used.
import { sql } from 'drizzle-orm';
import { check, date, index, integer, pgTable, primaryKey, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { progressUpdates } from '../progress/schema.ts';
import { items, terms } from '../strategy/schema.ts';

/** How often a follower hears: an email for each update, or one digest a week. */
export const FOLLOW_FREQUENCIES = ['each', 'weekly'] as const;
export type FollowFrequency = (typeof FOLLOW_FREQUENCIES)[number];

/**
 * One address following one thing: an item or a theme (exactly one of the two). The table
 * kept its first name when themes were added; renaming it would gain nothing but a migration.
 */
export const itemFollowers = pgTable(
  'item_followers',
  {
    id: serial('id').primaryKey(),
    itemId: integer('item_id').references(() => items.id, { onDelete: 'cascade' }),
    /** A theme (a `terms` row of kind `theme`): updates on any of its items count. */
    themeId: integer('theme_id').references(() => terms.id, { onDelete: 'cascade' }),
    /** Lower case, trimmed. */
    email: text('email').notNull(),
    frequency: text('frequency', { enum: FOLLOW_FREQUENCIES }).notNull().default('each'),
    /** SHA-256 of the confirmation link's token, until it is used. */
    confirmTokenHash: text('confirm_token_hash').unique(),
    confirmExpiresAt: timestamp('confirm_expires_at', { withTimezone: true }),
    confirmationsSent: integer('confirmations_sent').notNull().default(0),
    lastConfirmationAt: timestamp('last_confirmation_at', { withTimezone: true }),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
    /**
     * In the "stop emails about this" link on the preferences page (and in emails sent before
     * there was one). Kept as written (not hashed) because it goes in links; all it can do is
     * stop this one follow.
     */
    stopToken: text('stop_token').notNull().unique(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('item_followers_once').on(t.itemId, t.email),
    uniqueIndex('item_followers_theme_once').on(t.themeId, t.email),
    index('item_followers_confirmed').on(t.itemId).where(sql`${t.confirmedAt} is not null`),
    index('item_followers_theme_confirmed').on(t.themeId).where(sql`${t.confirmedAt} is not null`),
    index('item_followers_email').on(t.email),
    check('item_followers_email_lower', sql`${t.email} = lower(${t.email})`),
    check('item_followers_one_target', sql`(${t.itemId} is null) <> (${t.themeId} is null)`),
    check('item_followers_frequency_valid', sql`${t.frequency} in ('each', 'weekly')`),
  ],
);

/**
 * An address with at least one confirmed follow, and the token in every email it gets: the
 * link to its preferences page and its one-click unsubscribe. Made when a follow is confirmed
 * (or, for follows confirmed before addresses existed, before the first email); deleted with
 * the address's last follow.
 */
export const followAddresses = pgTable(
  'follow_addresses',
  {
    id: serial('id').primaryKey(),
    email: text('email').notNull().unique(),
    /** Kept as written: every email carries it. It proves the reader gets this address's mail. */
    token: text('token').notNull().unique(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('follow_addresses_email_lower', sql`${t.email} = lower(${t.email})`)],
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

/**
 * Weekly digests, one row per address and week, claimed before the email is sent: a retried
 * or doubled job finds the claim and sends nothing (at most once; see decision 0027).
 */
export const followDigests = pgTable(
  'follow_digests',
  {
    addressId: integer('address_id').notNull().references(() => followAddresses.id, { onDelete: 'cascade' }),
    /** The Monday (London) the digest's week began. */
    weekOf: date('week_of', { mode: 'string' }).notNull(),
    /** How many updates the digest listed. */
    updates: integer('updates').notNull(),
    claimedAt: timestamp('claimed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.addressId, t.weekOf] })],
);
