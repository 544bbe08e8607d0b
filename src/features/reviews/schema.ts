// Annual reviews: once a year the strategy team records a decision on every item (keep, amend,
// retire, new) and publishes the review, which freezes each item as it stood and the figures.
// A published review never changes: its decisions and snapshot are the record.
import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgTable, primaryKey, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema.ts';
import { items, type GovernmentRole, type ItemKind, type ItemStatus } from '../strategy/schema.ts';
import type { ReviewFigures } from './figures.ts';

export const REVIEW_STATES = ['open', 'published'] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];
export const OUTCOMES = ['keep', 'amend', 'retire', 'new'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const reviews = pgTable(
  'reviews',
  {
    id: serial('id').primaryKey(),
    year: integer('year').notNull(),
    state: text('state', { enum: REVIEW_STATES }).notNull().default('open'),
    /** The team's own words at the top of the report. */
    title: text('title').notNull(),
    summary: text('summary').notNull().default(''),
    openedBy: integer('opened_by').references(() => users.id),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull().defaultNow(),
    publishedBy: integer('published_by').references(() => users.id),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    /** Worked out once, at publication, from the snapshot: later changes to the sums never rewrite a published review. */
    figures: jsonb('figures').$type<ReviewFigures>(),
    version: integer('version').notNull().default(1),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('reviews_year').on(t.year),
    check('reviews_state_valid', sql`${t.state} in ('open', 'published')`),
    check('reviews_year_plausible', sql`${t.year} between 2000 and 2200`),
    check('reviews_published_complete', sql`(${t.state} = 'published') = (${t.publishedAt} is not null and ${t.figures} is not null)`),
  ],
);

export const reviewDecisions = pgTable(
  'review_decisions',
  {
    id: serial('id').primaryKey(),
    reviewId: integer('review_id').notNull().references(() => reviews.id, { onDelete: 'cascade' }),
    itemId: integer('item_id').notNull().references(() => items.id),
    outcome: text('outcome', { enum: OUTCOMES }).notNull(),
    rationale: text('rationale').notNull(),
    decidedBy: integer('decided_by').references(() => users.id),
    decidedAt: timestamp('decided_at', { withTimezone: true }).notNull().defaultNow(),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('review_decisions_one_per_item').on(t.reviewId, t.itemId),
    index('review_decisions_item').on(t.itemId),
    check('review_decisions_outcome_valid', sql`${t.outcome} in ('keep', 'amend', 'retire', 'new')`),
    check('review_decisions_rationale_given', sql`length(trim(${t.rationale})) > 0`),
  ],
);

/** Each item as it stood when its review was published, in strategy order. */
export const reviewItems = pgTable(
  'review_items',
  {
    reviewId: integer('review_id').notNull().references(() => reviews.id, { onDelete: 'cascade' }),
    itemId: integer('item_id').notNull().references(() => items.id),
    position: integer('position').notNull(),
    code: text('code').notNull(),
    kind: text('kind').$type<ItemKind>(),
    title: text('title').notNull(),
    areaSlug: text('area_slug').notNull(),
    areaName: text('area_name').notNull(),
    status: text('status').$type<ItemStatus>(),
    governmentRole: text('government_role').$type<GovernmentRole>(),
    targetText: text('target_text'),
    leads: jsonb('leads').$type<string[]>().notNull().default([]),
    partners: jsonb('partners').$type<string[]>().notNull().default([]),
  },
  (t) => [
    primaryKey({ columns: [t.reviewId, t.itemId] }),
    check('review_items_status_valid', sql`${t.status} is null or ${t.status} in ('not_started', 'in_progress', 'complete', 'retired')`),
  ],
);
