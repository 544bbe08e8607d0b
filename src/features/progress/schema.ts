// Progress updates: what an organisation reports on an item it leads or supports, from draft
// to published. Only published updates are public, and only they change an item's status.
import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema.ts';
import { items, organisations } from '../strategy/schema.ts';

export const UPDATE_STATES = ['draft', 'submitted', 'returned', 'published'] as const;
export type UpdateState = (typeof UPDATE_STATES)[number];
/** The statuses a report can give; "retired" is the strategy team's decision, not a report. */
export const REPORTED_STATUSES = ['not_started', 'in_progress', 'complete'] as const;
export type ReportedStatus = (typeof REPORTED_STATUSES)[number];
export const CONFIDENCES = ['on_track', 'some_risk', 'off_track'] as const;
export type Confidence = (typeof CONFIDENCES)[number];

export interface EvidenceLink {
  title: string;
  url: string;
}

export const progressUpdates = pgTable(
  'progress_updates',
  {
    id: serial('id').primaryKey(),
    itemId: integer('item_id').notNull().references(() => items.id, { onDelete: 'cascade' }),
    organisationId: integer('organisation_id').notNull().references(() => organisations.id),
    state: text('state', { enum: UPDATE_STATES }).notNull().default('draft'),
    status: text('status', { enum: REPORTED_STATUSES }),
    confidence: text('confidence', { enum: CONFIDENCES }),
    summary: text('summary').notNull().default(''),
    /** Markdown; rendered through the sanitiser, never as written. */
    narrative: text('narrative').notNull().default(''),
    evidence: jsonb('evidence').$type<EvidenceLink[]>().notNull().default([]),
    milestones: text('milestones').notNull().default(''),
    version: integer('version').notNull().default(1),
    createdBy: integer('created_by').references(() => users.id),
    updatedBy: integer('updated_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    reviewedBy: integer('reviewed_by').references(() => users.id),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    /** Why the strategy team returned it: shown to the reporter, never public. */
    reviewComment: text('review_comment'),
    publishedAt: timestamp('published_at', { withTimezone: true }),
  },
  (t) => [
    index('progress_updates_item').on(t.itemId, t.state),
    index('progress_updates_organisation').on(t.organisationId, t.state),
    // The dashboard's latest verified updates: newest published first, without sorting them all.
    index('progress_updates_published').on(t.publishedAt, t.id).where(sql`${t.state} = 'published'`),
    // One update in the works per item and organisation: a second draft would split the story.
    uniqueIndex('progress_updates_one_open').on(t.itemId, t.organisationId).where(sql`${t.state} <> 'published'`),
    check('progress_updates_state_valid', sql`${t.state} in ('draft', 'submitted', 'returned', 'published')`),
    check('progress_updates_status_valid', sql`${t.status} is null or ${t.status} in ('not_started', 'in_progress', 'complete')`),
    check('progress_updates_confidence_valid', sql`${t.confidence} is null or ${t.confidence} in ('on_track', 'some_risk', 'off_track')`),
    check('progress_updates_published_complete', sql`${t.state} <> 'published' or (${t.status} is not null and ${t.publishedAt} is not null)`),
  ],
);
