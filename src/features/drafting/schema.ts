// The drafting pipeline: a working group drafts a recommendation (every saved version kept),
// the evidence workstream reviews it, and the steering group decides at a meeting: accept (the
// strategy item is created), send back (the group revises it) or reject. Only the drafting
// service writes these tables; governance and strategy know nothing of them.
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { Lever } from '../../model/types.ts';
import { users } from '../accounts/schema.ts';
import { governanceBodies, governanceMeetings } from '../governance/schema.ts';
import { areas, items } from '../strategy/schema.ts';

export const DRAFT_STATES = ['draft', 'submitted', 'under_review', 'reviewed', 'decided'] as const;
export type DraftState = (typeof DRAFT_STATES)[number];
export const DECISION_OUTCOMES = ['accept', 'send_back', 'reject'] as const;
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number];
/** How a decided draft ended: sending back is not an end, so it is not among these. */
export const FINAL_OUTCOMES = ['accept', 'reject'] as const;
export type FinalOutcome = (typeof FINAL_OUTCOMES)[number];
export const EVIDENCE_STRENGTHS = ['strong', 'moderate', 'limited', 'none'] as const;
export type EvidenceStrength = (typeof EVIDENCE_STRENGTHS)[number];
export const REVIEW_RECOMMENDATIONS = ['proceed', 'revise', 'reject'] as const;
export type ReviewRecommendation = (typeof REVIEW_RECOMMENDATIONS)[number];

const inList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(', '));

export const drafts = pgTable(
  'drafts',
  {
    id: serial('id').primaryKey(),
    /** The expert working group drafting it (a governance body of kind working_group). */
    groupId: integer('group_id')
      .notNull()
      .references(() => governanceBodies.id, { onDelete: 'restrict' }),
    authorId: integer('author_id')
      .notNull()
      .references(() => users.id),
    state: text('state', { enum: DRAFT_STATES }).notNull().default('draft'),
    /** True once the steering group has sent it back, until it is submitted again. */
    sentBack: boolean('sent_back').notNull().default(false),
    /** The number of the latest saved version (draft_versions.number). */
    currentVersion: integer('current_version').notNull().default(1),
    /** Set when decided: accepted or rejected. */
    outcome: text('outcome', { enum: FINAL_OUTCOMES }),
    /** The strategy item made when it was accepted. */
    itemId: integer('item_id').references(() => items.id, { onDelete: 'set null' }),
    /** Optimistic lock: every change bumps it. */
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
  },
  (t) => [
    index('drafts_group_state').on(t.groupId, t.state),
    index('drafts_state').on(t.state, t.updatedAt),
    uniqueIndex('drafts_item').on(t.itemId),
    check('drafts_state_valid', sql`${t.state} in (${inList(DRAFT_STATES)})`),
    check('drafts_outcome_valid', sql`${t.outcome} is null or ${t.outcome} in (${inList(FINAL_OUTCOMES)})`),
    check('drafts_decided_has_outcome', sql`(${t.state} = 'decided') = (${t.outcome} is not null)`),
    check('drafts_item_only_when_accepted', sql`${t.itemId} is null or ${t.outcome} = 'accept'`),
    check('drafts_current_version_positive', sql`${t.currentVersion} >= 1`),
  ],
);

/** Every saved version of a draft, never changed once saved. */
export const draftVersions = pgTable(
  'draft_versions',
  {
    id: serial('id').primaryKey(),
    draftId: integer('draft_id')
      .notNull()
      .references(() => drafts.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    title: text('title').notNull(),
    rationale: text('rationale').notNull().default(''),
    /** Proposed lead organisations (organisations.id), in the order given. */
    leadOrganisationIds: integer('lead_organisation_ids').array().notNull().default(sql`'{}'::integer[]`),
    areaId: integer('area_id').references(() => areas.id),
    /** The strategy's themes it touches (terms.id of kind theme). */
    themeIds: integer('theme_ids').array().notNull().default(sql`'{}'::integer[]`),
    targetText: text('target_text').notNull().default(''),
    savedBy: integer('saved_by')
      .notNull()
      .references(() => users.id),
    savedAt: timestamp('saved_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('draft_versions_number').on(t.draftId, t.number), check('draft_versions_number_positive', sql`${t.number} >= 1`)],
);

/** The evidence workstream's review of one version: started, then completed with its findings. */
export const draftReviews = pgTable(
  'draft_reviews',
  {
    id: serial('id').primaryKey(),
    draftId: integer('draft_id')
      .notNull()
      .references(() => drafts.id, { onDelete: 'cascade' }),
    /** The draft version reviewed. */
    versionNumber: integer('version_number').notNull(),
    reviewerId: integer('reviewer_id')
      .notNull()
      .references(() => users.id),
    strength: text('strength', { enum: EVIDENCE_STRENGTHS }),
    analysis: text('analysis').notNull().default(''),
    /** The estimated cost in words ("£40m a year for five years, then £10m")… */
    costText: text('cost_text').notNull().default(''),
    /** …and as whole pounds a year, where a figure can be given. */
    costPerYear: bigint('cost_per_year', { mode: 'number' }),
    /** The modelled workforce effect: the workforce model's levers at full delivery. */
    levers: jsonb('levers').$type<Lever[]>().notNull().default([]),
    testingNotes: text('testing_notes').notNull().default(''),
    recommendation: text('recommendation', { enum: REVIEW_RECOMMENDATIONS }),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [
    index('draft_reviews_draft').on(t.draftId),
    // One review in progress per draft at a time.
    uniqueIndex('draft_reviews_one_open').on(t.draftId).where(sql`${t.completedAt} is null`),
    check('draft_reviews_strength_valid', sql`${t.strength} is null or ${t.strength} in (${inList(EVIDENCE_STRENGTHS)})`),
    check('draft_reviews_recommendation_valid', sql`${t.recommendation} is null or ${t.recommendation} in (${inList(REVIEW_RECOMMENDATIONS)})`),
    check('draft_reviews_completed_complete', sql`${t.completedAt} is null or (${t.strength} is not null and ${t.recommendation} is not null)`),
    check('draft_reviews_cost_not_negative', sql`${t.costPerYear} is null or ${t.costPerYear} >= 0`),
  ],
);

export const draftComments = pgTable(
  'draft_comments',
  {
    id: serial('id').primaryKey(),
    draftId: integer('draft_id')
      .notNull()
      .references(() => drafts.id, { onDelete: 'cascade' }),
    authorId: integer('author_id')
      .notNull()
      .references(() => users.id),
    body: text('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('draft_comments_draft').on(t.draftId, t.createdAt), check('draft_comments_not_empty', sql`length(${t.body}) > 0`)],
);

/** What the steering group decided about a draft, at which meeting. */
export const draftDecisions = pgTable(
  'draft_decisions',
  {
    id: serial('id').primaryKey(),
    draftId: integer('draft_id')
      .notNull()
      .references(() => drafts.id, { onDelete: 'cascade' }),
    meetingId: integer('meeting_id')
      .notNull()
      .references(() => governanceMeetings.id, { onDelete: 'restrict' }),
    /** The draft version decided on. */
    versionNumber: integer('version_number').notNull(),
    outcome: text('outcome', { enum: DECISION_OUTCOMES }).notNull(),
    reasons: text('reasons').notNull(),
    recordedBy: integer('recorded_by')
      .notNull()
      .references(() => users.id),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
    /** The strategy item an "accept" made. */
    itemId: integer('item_id').references(() => items.id, { onDelete: 'set null' }),
  },
  (t) => [
    index('draft_decisions_draft').on(t.draftId),
    index('draft_decisions_item').on(t.itemId),
    check('draft_decisions_outcome_valid', sql`${t.outcome} in (${inList(DECISION_OUTCOMES)})`),
    check('draft_decisions_item_only_when_accepted', sql`${t.itemId} is null or ${t.outcome} = 'accept'`),
  ],
);
