// The community feature's tables: champions of the strategy (with their pledges and the local
// action they log), sign-ups waiting for their confirmation link, champions' sign-in links and
// sessions, the settings that approve a champion automatically, and "get involved" enquiries.
import { sql } from 'drizzle-orm';
import { boolean, check, date, index, integer, pgTable, primaryKey, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema.ts';
import { items } from '../strategy/schema.ts';

export const CHAMPION_SETTINGS = ['care_home', 'home_care', 'supported_living', 'day_services', 'council', 'nhs', 'education', 'other'] as const;
export type ChampionSetting = (typeof CHAMPION_SETTINGS)[number];
export const CHAMPION_REGIONS = [
  'north_east',
  'north_west',
  'yorkshire_and_the_humber',
  'east_midlands',
  'west_midlands',
  'east_of_england',
  'london',
  'south_east',
  'south_west',
  'national',
] as const;
export type ChampionRegion = (typeof CHAMPION_REGIONS)[number];
/** pending: confirmed, waiting for the strategy team; active: approved; rejected; withdrawn by the champion. */
export const CHAMPION_STATUSES = ['pending', 'active', 'rejected', 'withdrawn'] as const;
export type ChampionStatus = (typeof CHAMPION_STATUSES)[number];
export const ACTION_KINDS = ['event', 'talk', 'training', 'local_plan'] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];
export const ENQUIRY_KINDS = ['working_group', 'consultation', 'champion', 'evidence', 'other'] as const;
export type EnquiryKind = (typeof ENQUIRY_KINDS)[number];
export const ENQUIRY_STATUSES = ['new', 'in_progress', 'closed'] as const;
export type EnquiryStatus = (typeof ENQUIRY_STATUSES)[number];

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '));

/**
 * A sign-up waiting for its confirmation link. The details travel sealed inside the link
 * itself; all the hub keeps is what confirming needs: the hash of the link's id, when it
 * expires, and a keyed hash of the address (one waiting sign-up per address, a daily cap).
 */
export const championSignups = pgTable('champion_signups', {
  /** SHA-256 of the random id sealed in the link; replaced when the address signs up again. */
  linkHash: text('link_hash').primaryKey(),
  /** HMAC-SHA-256 of the address under the hub's key: not the address, but one row per address. */
  emailKey: text('email_key').notNull().unique(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  sentToday: integer('sent_today').notNull().default(1),
  lastSentAt: timestamp('last_sent_at', { withTimezone: true }).notNull(),
});

export const champions = pgTable(
  'champions',
  {
    id: serial('id').primaryKey(),
    /** Lower case, trimmed; one champion per address. */
    email: text('email').notNull(),
    name: text('name').notNull(),
    jobRole: text('job_role').notNull(),
    employer: text('employer').notNull(),
    setting: text('setting').$type<ChampionSetting>().notNull(),
    region: text('region').$type<ChampionRegion>().notNull(),
    why: text('why').notNull(),
    contactConsent: boolean('contact_consent').notNull(),
    contactConsentAt: timestamp('contact_consent_at', { withTimezone: true }),
    directoryConsent: boolean('directory_consent').notNull(),
    directoryConsentAt: timestamp('directory_consent_at', { withTimezone: true }),
    status: text('status').$type<ChampionStatus>().notNull(),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }).notNull(),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    /** Who approved or rejected: a staff account, or null when a setting approved automatically. */
    decidedBy: integer('decided_by').references(() => users.id, { onDelete: 'set null' }),
    autoApproved: boolean('auto_approved').notNull().default(false),
    welcomedAt: timestamp('welcomed_at', { withTimezone: true }),
    withdrawnAt: timestamp('withdrawn_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('champions_email_unique').on(t.email),
    index('champions_status').on(t.status, t.region, t.setting),
    check('champions_email_lower', sql`${t.email} = lower(${t.email})`),
    check('champions_setting_valid', sql`${t.setting} in (${inList(CHAMPION_SETTINGS)})`),
    check('champions_region_valid', sql`${t.region} in (${inList(CHAMPION_REGIONS)})`),
    check('champions_status_valid', sql`${t.status} in (${inList(CHAMPION_STATUSES)})`),
  ],
);

export const championPledges = pgTable(
  'champion_pledges',
  {
    championId: integer('champion_id').notNull().references(() => champions.id, { onDelete: 'cascade' }),
    itemId: integer('item_id').notNull().references(() => items.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.championId, t.itemId] }), index('champion_pledges_item').on(t.itemId)],
);

export const championActions = pgTable(
  'champion_actions',
  {
    id: serial('id').primaryKey(),
    championId: integer('champion_id').notNull().references(() => champions.id, { onDelete: 'cascade' }),
    /** The strategy item the action maps to, if any. */
    itemId: integer('item_id').references(() => items.id, { onDelete: 'set null' }),
    kind: text('kind').$type<ActionKind>().notNull(),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    happenedOn: date('happened_on', { mode: 'string' }).notNull(),
    peopleReached: integer('people_reached').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('champion_actions_champion').on(t.championId),
    index('champion_actions_item').on(t.itemId),
    check('champion_actions_kind_valid', sql`${t.kind} in (${inList(ACTION_KINDS)})`),
    check('champion_actions_people_valid', sql`${t.peopleReached} >= 0`),
  ],
);

/** Emailed sign-in links: single use, short-lived, stored as hashes. */
export const championSignInLinks = pgTable('champion_sign_in_links', {
  tokenHash: text('token_hash').primaryKey(),
  championId: integer('champion_id').notNull().references(() => champions.id, { onDelete: 'cascade' }),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

/** A champion's signed-in session (its own cookie; champions are not staff accounts). */
export const championSessions = pgTable('champion_sessions', {
  tokenHash: text('token_hash').primaryKey(),
  championId: integer('champion_id').notNull().references(() => champions.id, { onDelete: 'cascade' }),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
});

/** Settings whose champions are approved as soon as they confirm (edited by the strategy team). */
export const championAutoApprove = pgTable(
  'champion_auto_approve',
  { setting: text('setting').$type<ChampionSetting>().primaryKey() },
  (t) => [check('champion_auto_approve_setting_valid', sql`${t.setting} in (${inList(CHAMPION_SETTINGS)})`)],
);

/**
 * Anonymous monthly tallies for the growth chart: approvals and departures (withdrawn or
 * erased) per month, so erasing a champion's personal data does not rewrite history.
 */
export const championGrowth = pgTable('champion_growth', {
  month: date('month', { mode: 'string' }).primaryKey(),
  joined: integer('joined').notNull().default(0),
  left: integer('left').notNull().default(0),
});

/** One row: bumped by every change that public champion pages show, so cached item pages know. */
export const communityRevision = pgTable('community_revision', {
  id: integer('id').primaryKey().default(1),
  revision: integer('revision').notNull().default(0),
}, (t) => [check('community_revision_single', sql`${t.id} = 1`)]);

export const enquiries = pgTable(
  'enquiries',
  {
    id: serial('id').primaryKey(),
    kind: text('kind').$type<EnquiryKind>().notNull(),
    name: text('name').notNull(),
    email: text('email').notNull(),
    organisation: text('organisation').notNull().default(''),
    message: text('message').notNull(),
    consentAt: timestamp('consent_at', { withTimezone: true }).notNull(),
    status: text('status').$type<EnquiryStatus>().notNull().default('new'),
    assigneeId: integer('assignee_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [
    index('enquiries_status').on(t.status, t.createdAt),
    index('enquiries_closed').on(t.closedAt).where(sql`${t.status} = 'closed'`),
    check('enquiries_kind_valid', sql`${t.kind} in (${inList(ENQUIRY_KINDS)})`),
    check('enquiries_status_valid', sql`${t.status} in (${inList(ENQUIRY_STATUSES)})`),
    check('enquiries_closed_when', sql`(${t.status} = 'closed') = (${t.closedAt} is not null)`),
  ],
);

/** Replies the strategy team sent by email, kept with the enquiry (and deleted with it). */
export const enquiryReplies = pgTable('enquiry_replies', {
  id: serial('id').primaryKey(),
  enquiryId: integer('enquiry_id').notNull().references(() => enquiries.id, { onDelete: 'cascade' }),
  authorId: integer('author_id').references(() => users.id, { onDelete: 'set null' }),
  authorName: text('author_name').notNull(),
  body: text('body').notNull(),
  sentAt: timestamp('sent_at', { withTimezone: true }).notNull().defaultNow(),
});
