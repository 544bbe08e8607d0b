// The bulletins feature's tables: mailing lists, subscribers (double opt-in, consent recorded,
// bounces counted), addresses erased at their owner's request (kept only as a hash, so an
// import never adds them back), campaigns written in Markdown, and one delivery row per
// (campaign, subscriber): the record that makes each email go out at most once.
import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgTable, primaryKey, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema.ts';

export const LIST_KINDS = ['general', 'champions', 'area', 'theme'] as const;
export type ListKind = (typeof LIST_KINDS)[number];
/** pending: waiting for the confirmation link; active: mailed; unsubscribed; suspended after hard bounces. */
export const SUBSCRIBER_STATUSES = ['pending', 'active', 'unsubscribed', 'suspended'] as const;
export type SubscriberStatus = (typeof SUBSCRIBER_STATUSES)[number];
export const SUBSCRIBER_SOURCES = ['form', 'import', 'champion'] as const;
export type SubscriberSource = (typeof SUBSCRIBER_SOURCES)[number];
export const LAWFUL_BASES = ['consent', 'legitimate_interests'] as const;
export type LawfulBasis = (typeof LAWFUL_BASES)[number];
export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'sending', 'sent'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];
/**
 * queued: waiting (perhaps for a retry); sending: handed to the mail server; sent: the server
 * accepted it; failed: rejected, or out of attempts; unconfirmed: the sender stopped while the
 * mail server had it, so it may have arrived and is never sent again; skipped: the subscriber
 * left before their turn.
 */
export const DELIVERY_STATUSES = ['queued', 'sending', 'sent', 'failed', 'unconfirmed', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '));

export const bulletinLists = pgTable(
  'bulletin_lists',
  {
    id: serial('id').primaryKey(),
    slug: text('slug').notNull().unique(),
    name: text('name').notNull(),
    description: text('description').notNull(),
    kind: text('kind').$type<ListKind>().notNull(),
    /** The area's or theme's slug for those kinds. */
    topic: text('topic'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('bulletin_lists_kind', sql`${t.kind} in (${inList(LIST_KINDS)})`),
    check('bulletin_lists_topic', sql`(${t.kind} in ('area', 'theme')) = (${t.topic} is not null)`),
    uniqueIndex('bulletin_lists_one_per_topic').on(t.kind, t.topic),
  ],
);

export const bulletinSubscribers = pgTable(
  'bulletin_subscribers',
  {
    id: serial('id').primaryKey(),
    /** Lower case, trimmed; one subscriber per address. */
    email: text('email').notNull().unique(),
    status: text('status').$type<SubscriberStatus>().notNull(),
    source: text('source').$type<SubscriberSource>().notNull(),
    /** Imports must name one; subscribing through the form is consent. */
    lawfulBasis: text('lawful_basis').$type<LawfulBasis>().notNull(),
    /** When consent was given (the confirmation link used, or as the import recorded it). */
    consentAt: timestamp('consent_at', { withTimezone: true }),
    /** Where and how: "Subscribe form", or what the importer wrote about the list's origin. */
    consentNote: text('consent_note').notNull(),
    /** Lists chosen on the form, joined when the confirmation link is used. */
    pendingListIds: integer('pending_list_ids').array().notNull().default(sql`'{}'::integer[]`),
    confirmTokenHash: text('confirm_token_hash').unique(),
    confirmExpiresAt: timestamp('confirm_expires_at', { withTimezone: true }),
    confirmationsSent: integer('confirmations_sent').notNull().default(0),
    lastConfirmationAt: timestamp('last_confirmation_at', { withTimezone: true }),
    hardBounces: integer('hard_bounces').notNull().default(0),
    lastBounce: text('last_bounce'),
    unsubscribedAt: timestamp('unsubscribed_at', { withTimezone: true }),
    suspendedAt: timestamp('suspended_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('bulletin_subscribers_email_lower', sql`${t.email} = lower(${t.email})`),
    check('bulletin_subscribers_status', sql`${t.status} in (${inList(SUBSCRIBER_STATUSES)})`),
    check('bulletin_subscribers_source', sql`${t.source} in (${inList(SUBSCRIBER_SOURCES)})`),
    check('bulletin_subscribers_basis', sql`${t.lawfulBasis} in (${inList(LAWFUL_BASES)})`),
    index('bulletin_subscribers_status_idx').on(t.status),
  ],
);

export const bulletinSubscriptions = pgTable(
  'bulletin_subscriptions',
  {
    subscriberId: integer('subscriber_id').notNull().references(() => bulletinSubscribers.id, { onDelete: 'cascade' }),
    listId: integer('list_id').notNull().references(() => bulletinLists.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.subscriberId, t.listId] }), index('bulletin_subscriptions_list').on(t.listId)],
);

/** Addresses whose owners erased their data: SHA-256 of the address, so imports skip them. */
export const bulletinSuppressions = pgTable('bulletin_suppressions', {
  emailHash: text('email_hash').primaryKey(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** A campaign aimed at champions may be narrowed to a group of them (the champions admin's filters). */
export interface ChampionGroup {
  region?: string;
  setting?: string;
  item?: string;
}

export const bulletinCampaigns = pgTable(
  'bulletin_campaigns',
  {
    id: serial('id').primaryKey(),
    subject: text('subject').notNull(),
    /** One sentence for the archive and the feed. */
    summary: text('summary').notNull(),
    bodyMarkdown: text('body_markdown').notNull(),
    status: text('status').$type<CampaignStatus>().notNull().default('draft'),
    /** Shown at /bulletins once sent. */
    public: boolean('public').notNull().default(true),
    /** Set when sending starts: the address of the archived copy. */
    slug: text('slug').unique(),
    championGroup: jsonb('champion_group').$type<ChampionGroup>(),
    scheduledFor: timestamp('scheduled_for', { withTimezone: true }),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
    /** How many deliveries the send was given when it started. */
    recipientCount: integer('recipient_count'),
    createdBy: integer('created_by').references(() => users.id, { onDelete: 'set null' }),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('bulletin_campaigns_status', sql`${t.status} in (${inList(CAMPAIGN_STATUSES)})`),
    check('bulletin_campaigns_scheduled', sql`${t.status} <> 'scheduled' or ${t.scheduledFor} is not null`),
    index('bulletin_campaigns_status_idx').on(t.status),
  ],
);

export const bulletinCampaignLists = pgTable(
  'bulletin_campaign_lists',
  {
    campaignId: integer('campaign_id').notNull().references(() => bulletinCampaigns.id, { onDelete: 'cascade' }),
    listId: integer('list_id').notNull().references(() => bulletinLists.id, { onDelete: 'restrict' }),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.listId] })],
);

export const bulletinDeliveries = pgTable(
  'bulletin_deliveries',
  {
    campaignId: integer('campaign_id').notNull().references(() => bulletinCampaigns.id, { onDelete: 'cascade' }),
    subscriberId: integer('subscriber_id').notNull().references(() => bulletinSubscribers.id, { onDelete: 'cascade' }),
    status: text('status').$type<DeliveryStatus>().notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    /** A retry waits until then. */
    notBefore: timestamp('not_before', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    error: text('error'),
  },
  (t) => [
    primaryKey({ columns: [t.campaignId, t.subscriberId] }),
    check('bulletin_deliveries_status', sql`${t.status} in (${inList(DELIVERY_STATUSES)})`),
    index('bulletin_deliveries_waiting').on(t.campaignId, t.subscriberId).where(sql`${t.status} = 'queued'`),
    index('bulletin_deliveries_subscriber').on(t.subscriberId),
  ],
);
