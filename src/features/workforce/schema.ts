// The workforce model's data: imported datasets (population projections and the workforce base),
// the levers strategy items declare, saved scenarios and stored runs. Datasets are never edited:
// an import adds a new one, and the newest of each kind is the one the model reads, so a stored
// run names the datasets it read and can be replayed exactly.
import { sql } from 'drizzle-orm';
import { boolean, check, doublePrecision, index, integer, jsonb, pgTable, primaryKey, serial, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { users } from '../accounts/schema.ts';
import { items } from '../strategy/schema.ts';
import type { LeverKind, RoleGroup } from '../../model/types.ts';

export const DATASET_KINDS = ['population', 'workforce'] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];

export const workforceDatasets = pgTable(
  'workforce_datasets',
  {
    id: serial('id').primaryKey(),
    kind: text('kind', { enum: DATASET_KINDS }).notNull(),
    name: text('name').notNull(),
    /** Who published the figures, and under what licence. */
    source: text('source').notNull(),
    licence: text('licence').notNull().default(''),
    /** The edition, e.g. "2022-based SNPP" or "2023/24". */
    vintage: text('vintage').notNull(),
    fileName: text('file_name').notNull(),
    /** SHA-256 of the file as read, so the same file can be recognised. */
    sha256: text('sha256').notNull(),
    rowCount: integer('row_count').notNull(),
    firstYear: integer('first_year').notNull(),
    lastYear: integer('last_year').notNull(),
    importedBy: integer('imported_by').references(() => users.id),
    importedAt: timestamp('imported_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('workforce_datasets_kind').on(t.kind, t.id),
    check('workforce_datasets_kind_valid', sql`${t.kind} in ('population', 'workforce')`),
  ],
);

export const workforcePopulation = pgTable(
  'workforce_population',
  {
    datasetId: integer('dataset_id')
      .notNull()
      .references(() => workforceDatasets.id, { onDelete: 'cascade' }),
    areaCode: text('area_code').notNull(),
    ageBand: text('age_band').notNull(),
    year: integer('year').notNull(),
    population: doublePrecision('population').notNull(),
  },
  (t) => [primaryKey({ columns: [t.datasetId, t.areaCode, t.ageBand, t.year] }), check('workforce_population_not_negative', sql`${t.population} >= 0`)],
);

export const workforceBase = pgTable(
  'workforce_base',
  {
    datasetId: integer('dataset_id')
      .notNull()
      .references(() => workforceDatasets.id, { onDelete: 'cascade' }),
    areaCode: text('area_code').notNull(),
    role: text('role').$type<RoleGroup>().notNull(),
    /** filled_posts, vacancies, turnover_rate, … or progression_to_<role> (England-wide). */
    measure: text('measure').notNull(),
    value: doublePrecision('value').notNull(),
    source: text('source').notNull(),
    vintage: text('vintage').notNull(),
  },
  (t) => [primaryKey({ columns: [t.datasetId, t.areaCode, t.role, t.measure] })],
);

/** A lever a strategy item declares it moves (its size is the full effect when complete). */
export const workforceItemLevers = pgTable(
  'workforce_item_levers',
  {
    id: serial('id').primaryKey(),
    itemId: integer('item_id')
      .notNull()
      .references(() => items.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<LeverKind>().notNull(),
    size: doublePrecision('size').notNull(),
    startYear: integer('start_year').notNull(),
    rampYears: integer('ramp_years').notNull(),
    /** Role groups it acts on; empty means the lever kind's default. */
    roles: jsonb('roles').$type<RoleGroup[]>().notNull().default([]),
    source: text('source').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('workforce_item_levers_item').on(t.itemId)],
);

/**
 * A scenario's parameters as the service reads them (validated by `scenarioParams` in forms.ts):
 * the demand driver, the policy baseline, the levers set directly and the in-progress weight.
 */
export interface ScenarioParams {
  driver: { kind: 'age65' } | { kind: 'age_mix'; shares: Record<'18-64' | '65-84' | '85+', number> };
  baselinePolicy: boolean;
  levers: {
    kind: LeverKind;
    size: number;
    startYear: number;
    rampYears: number;
    roles?: RoleGroup[];
    source?: string;
  }[];
  /** Share of an in-progress item's levers that counts (complete items count in full). */
  inProgressWeight: number;
  /** The last year projected. */
  to: number;
}

export const workforceScenarios = pgTable(
  'workforce_scenarios',
  {
    id: serial('id').primaryKey(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    params: jsonb('params').$type<ScenarioParams>().notNull(),
    published: boolean('published').notNull().default(false),
    /** Null for the scenarios shipped with the hub. */
    authorId: integer('author_id').references(() => users.id),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('workforce_scenarios_slug').on(t.slug), uniqueIndex('workforce_scenarios_name').on(sql`lower(${t.name})`)],
);

/**
 * A stored run: everything needed to replay it (the datasets read, the scenario, the items'
 * levers and statuses, seed and runs), its hash, and the figures it gave.
 */
export const workforceRuns = pgTable(
  'workforce_runs',
  {
    id: serial('id').primaryKey(),
    hash: text('hash').notNull(),
    scenarioId: integer('scenario_id').references(() => workforceScenarios.id, { onDelete: 'set null' }),
    scenarioName: text('scenario_name').notNull(),
    definition: jsonb('definition').notNull(),
    result: jsonb('result').notNull(),
    engineVersion: text('engine_version').notNull(),
    createdBy: integer('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('workforce_runs_hash').on(t.hash), index('workforce_runs_scenario').on(t.scenarioId, t.id)],
);
