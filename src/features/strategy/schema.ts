// Tables of the strategy itself: the strategy, its areas and taxonomies, organisations, items
// and who leads or supports each item. Later features (progress, reviews, levers) point at
// `items.id` and `organisations.id`; nothing here knows about them.
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';

export const strategies = pgTable('strategies', {
  id: serial('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  title: text('title').notNull(),
  shortTitle: text('short_title').notNull(),
  summary: text('summary').notNull(),
  description: text('description').notNull().default(''),
  publishedOn: date('published_on', { mode: 'string' }),
  horizonYears: integer('horizon_years').notNull().default(15),
  /** Published figures quoted as-is (with their source), shown beside those computed from data. */
  dataNotice: text('data_notice'),
  /** Bumped by every write that changes what public pages show; drives caches and ETags. */
  revision: integer('revision').notNull().default(1),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const areas = pgTable(
  'areas',
  {
    id: serial('id').primaryKey(),
    strategyId: integer('strategy_id').notNull().references(() => strategies.id, { onDelete: 'cascade' }),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    position: integer('position').notNull().default(0),
  },
  (t) => [uniqueIndex('areas_strategy_slug').on(t.strategyId, t.slug)],
);

export const TERM_KINDS = ['theme', 'priority', 'shift'] as const;
export type TermKind = (typeof TERM_KINDS)[number];

/** Themes, short-term priorities and government shifts: one table, told apart by `kind`. */
export const terms = pgTable(
  'terms',
  {
    id: serial('id').primaryKey(),
    strategyId: integer('strategy_id').notNull().references(() => strategies.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: TERM_KINDS }).notNull(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    position: integer('position').notNull().default(0),
  },
  (t) => [
    uniqueIndex('terms_strategy_kind_slug').on(t.strategyId, t.kind, t.slug),
    check('terms_kind_valid', sql`${t.kind} in ('theme', 'priority', 'shift')`),
  ],
);

export const phases = pgTable(
  'phases',
  {
    id: serial('id').primaryKey(),
    strategyId: integer('strategy_id').notNull().references(() => strategies.id, { onDelete: 'cascade' }),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    startsOn: date('starts_on', { mode: 'string' }),
    endsOn: date('ends_on', { mode: 'string' }),
    position: integer('position').notNull().default(0),
  },
  (t) => [uniqueIndex('phases_strategy_slug').on(t.strategyId, t.slug)],
);

export const ORGANISATION_KINDS = [
  'central_government',
  'regulator',
  'local_government',
  'nhs',
  'workforce_body',
  'professional_body',
  'provider_body',
  'trade_union',
  'education_training',
  'partnership',
  'sector',
  'other',
] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

export const organisations = pgTable(
  'organisations',
  {
    id: serial('id').primaryKey(),
    slug: text('slug').notNull().unique(),
    name: text('name').notNull().unique(),
    shortName: text('short_name'),
    kind: text('kind', { enum: ORGANISATION_KINDS }).notNull(),
    /** Part of central government: what only government can do is told apart by this. */
    isGovernment: boolean('is_government').notNull().default(false),
    website: text('website'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('organisations_short_name').on(t.shortName)],
);

export const ITEM_KINDS = ['recommendation', 'commitment'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];
export const ITEM_STATUSES = ['not_started', 'in_progress', 'complete', 'retired'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];
export const GOVERNMENT_ROLES = ['none', 'shared', 'government_only'] as const;
export type GovernmentRole = (typeof GOVERNMENT_ROLES)[number];

export const items = pgTable(
  'items',
  {
    id: serial('id').primaryKey(),
    strategyId: integer('strategy_id').notNull().references(() => strategies.id, { onDelete: 'cascade' }),
    code: text('code').notNull(),
    /** Null where the source does not say whether it is a recommendation or a commitment. */
    kind: text('kind', { enum: ITEM_KINDS }),
    title: text('title').notNull(),
    summary: text('summary').notNull().default(''),
    body: text('body').notNull().default(''),
    areaId: integer('area_id').notNull().references(() => areas.id),
    targetText: text('target_text'),
    targetDate: date('target_date', { mode: 'string' }),
    governmentRole: text('government_role', { enum: GOVERNMENT_ROLES }),
    /** Null until a status is known ("not reported"). */
    status: text('status', { enum: ITEM_STATUSES }),
    progressNote: text('progress_note'),
    progressAsOf: date('progress_as_of', { mode: 'string' }),
    /** The text the free-text filter searches, kept in step by the repository. */
    searchText: text('search_text').notNull().default(''),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('items_strategy_code').on(t.strategyId, t.code),
    index('items_area').on(t.areaId),
    index('items_status').on(t.status),
    check('items_kind_valid', sql`${t.kind} is null or ${t.kind} in ('recommendation', 'commitment')`),
    check(
      'items_status_valid',
      sql`${t.status} is null or ${t.status} in ('not_started', 'in_progress', 'complete', 'retired')`,
    ),
    check(
      'items_government_role_valid',
      sql`${t.governmentRole} is null or ${t.governmentRole} in ('none', 'shared', 'government_only')`,
    ),
  ],
);

export const ORGANISATION_ROLES = ['lead', 'partner'] as const;
export type OrganisationRole = (typeof ORGANISATION_ROLES)[number];

export const itemOrganisations = pgTable(
  'item_organisations',
  {
    itemId: integer('item_id').notNull().references(() => items.id, { onDelete: 'cascade' }),
    organisationId: integer('organisation_id').notNull().references(() => organisations.id),
    role: text('role', { enum: ORGANISATION_ROLES }).notNull(),
    position: integer('position').notNull().default(0),
  },
  (t) => [
    primaryKey({ columns: [t.itemId, t.organisationId] }),
    index('item_organisations_org').on(t.organisationId, t.role),
    check('item_organisations_role_valid', sql`${t.role} in ('lead', 'partner')`),
  ],
);

export const itemTerms = pgTable(
  'item_terms',
  {
    itemId: integer('item_id').notNull().references(() => items.id, { onDelete: 'cascade' }),
    termId: integer('term_id').notNull().references(() => terms.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.itemId, t.termId] }), index('item_terms_term').on(t.termId)],
);
