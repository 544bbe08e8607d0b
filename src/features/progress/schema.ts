// Progress updates: what an organisation reports on an item it leads or supports, from draft
// to published. Only published updates are public, and only they change an item's status.
import { sql } from 'drizzle-orm';
import { check, date, index, integer, jsonb, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { bytea } from '../../platform/db/types.ts';
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

/**
 * A reporting cycle: from `opensOn` organisations report on their items, by `dueOn`; after
 * `closesOn` the cycle is history. Cycles never overlap, so "the current cycle" is one or none.
 */
export const reportingCycles = pgTable(
  'reporting_cycles',
  {
    id: serial('id').primaryKey(),
    name: text('name').notNull().unique(),
    opensOn: date('opens_on', { mode: 'string' }).notNull(),
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    closesOn: date('closes_on', { mode: 'string' }).notNull(),
    version: integer('version').notNull().default(1),
    createdBy: integer('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('reporting_cycles_dates_in_order', sql`${t.opensOn} <= ${t.dueOn} and ${t.dueOn} <= ${t.closesOn}`)],
);

export const REMINDER_KINDS = ['due_soon', 'overdue'] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];

/** One reminder per cycle, organisation and kind: the row is claimed before the email goes. */
export const reportingReminders = pgTable(
  'reporting_reminders',
  {
    id: serial('id').primaryKey(),
    cycleId: integer('cycle_id').notNull().references(() => reportingCycles.id, { onDelete: 'cascade' }),
    organisationId: integer('organisation_id').notNull().references(() => organisations.id),
    kind: text('kind', { enum: REMINDER_KINDS }).notNull(),
    queuedAt: timestamp('queued_at', { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    recipients: integer('recipients').notNull().default(0),
  },
  (t) => [
    uniqueIndex('reporting_reminders_once').on(t.cycleId, t.organisationId, t.kind),
    check('reporting_reminders_kind_valid', sql`${t.kind} in ('due_soon', 'overdue')`),
  ],
);

/** The largest evidence file the hub keeps (10 MB), and how many files one update may carry. */
export const MAX_EVIDENCE_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_EVIDENCE_FILES = 5;
export const EVIDENCE_CONTENT_TYPES = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'text/csv',
  'text/plain',
] as const;
export type EvidenceContentType = (typeof EVIDENCE_CONTENT_TYPES)[number];

/**
 * Files attached to an update as evidence. The bytes live in the database, not on a disk, so
 * every instance behind a proxy serves them and a database backup holds them (ADR 0015).
 * Queries that list files never select `content`.
 */
export const progressEvidenceFiles = pgTable(
  'progress_evidence_files',
  {
    id: serial('id').primaryKey(),
    updateId: integer('update_id').notNull().references(() => progressUpdates.id, { onDelete: 'cascade' }),
    organisationId: integer('organisation_id').notNull().references(() => organisations.id),
    /** Sanitised once on upload; used as shown, in the download address and in Content-Disposition. */
    filename: text('filename').notNull(),
    /** Found from the file's own bytes, never from what the browser said. */
    contentType: text('content_type', { enum: EVIDENCE_CONTENT_TYPES }).notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    content: bytea('content').notNull(),
    uploadedBy: integer('uploaded_by').references(() => users.id),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('progress_evidence_files_update').on(t.updateId),
    check('progress_evidence_files_size_valid', sql`${t.size} > 0 and ${t.size} <= ${sql.raw(String(MAX_EVIDENCE_FILE_BYTES))} and ${t.size} = octet_length(${t.content})`),
    check('progress_evidence_files_type_valid', sql.raw(`content_type in (${EVIDENCE_CONTENT_TYPES.map((c) => `'${c}'`).join(', ')})`)),
    check('progress_evidence_files_sha256_valid', sql`${t.sha256} ~ '^[0-9a-f]{64}$'`),
  ],
);
