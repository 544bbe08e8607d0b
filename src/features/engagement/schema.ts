// Tables of engagement: the roundtables, network discussions, workshops, surveys and events
// through which the sector was consulted, and the feedback heard at each, tagged by the
// strategy's themes. The public "what we heard" page counts feedback by theme.
import { sql } from 'drizzle-orm';
import { check, date, index, integer, pgTable, primaryKey, serial, text, timestamp } from 'drizzle-orm/pg-core';
import { terms } from '../strategy/schema.ts';

export const ENGAGEMENT_KINDS = ['roundtable', 'network_discussion', 'workshop', 'survey', 'event'] as const;
export type EngagementKind = (typeof ENGAGEMENT_KINDS)[number];

/** The nine English regions by ONS code, or 'national' for an activity across England. */
export const ENGAGEMENT_REGIONS = ['national', 'E12000001', 'E12000002', 'E12000003', 'E12000004', 'E12000005', 'E12000006', 'E12000007', 'E12000008', 'E12000009'] as const;
export type EngagementRegion = (typeof ENGAGEMENT_REGIONS)[number];

export const engagementActivities = pgTable(
  'engagement_activities',
  {
    id: serial('id').primaryKey(),
    kind: text('kind', { enum: ENGAGEMENT_KINDS }).notNull(),
    title: text('title').notNull(),
    heldOn: date('held_on', { mode: 'string' }).notNull(),
    region: text('region', { enum: ENGAGEMENT_REGIONS }).notNull(),
    /** Who ran it: an organisation, a network, a working group. */
    organiser: text('organiser').notNull(),
    participants: integer('participants').notNull(),
    summary: text('summary').notNull().default(''),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('engagement_activities_held_on').on(t.heldOn),
    check('engagement_activities_kind_valid', sql`${t.kind} in ('roundtable', 'network_discussion', 'workshop', 'survey', 'event')`),
    check('engagement_activities_region_valid', sql`${t.region} = 'national' or ${t.region} ~ '^E1200000[1-9]$'`),
    check('engagement_activities_participants', sql`${t.participants} >= 0`),
  ],
);

/** The themes an activity covered. */
export const engagementActivityThemes = pgTable(
  'engagement_activity_themes',
  {
    activityId: integer('activity_id')
      .notNull()
      .references(() => engagementActivities.id, { onDelete: 'cascade' }),
    termId: integer('term_id')
      .notNull()
      .references(() => terms.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.activityId, t.termId] }), index('engagement_activity_themes_term').on(t.termId)],
);

/** One thing heard at an activity, as the strategy team wrote it down (no names of who said it). */
export const engagementFeedback = pgTable(
  'engagement_feedback',
  {
    id: serial('id').primaryKey(),
    activityId: integer('activity_id')
      .notNull()
      .references(() => engagementActivities.id, { onDelete: 'cascade' }),
    text: text('text').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('engagement_feedback_activity').on(t.activityId)],
);

export const engagementFeedbackThemes = pgTable(
  'engagement_feedback_themes',
  {
    feedbackId: integer('feedback_id')
      .notNull()
      .references(() => engagementFeedback.id, { onDelete: 'cascade' }),
    termId: integer('term_id')
      .notNull()
      .references(() => terms.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.feedbackId, t.termId] }), index('engagement_feedback_themes_term').on(t.termId)],
);
