// The shapes a scenario and a projection request take at the edge (API JSON, CLI options, saved
// scenarios), checked with zod; the engine's own validation then names any impossible value.
import { z } from 'zod';
import { GEOGRAPHY_CODES, LEVER_KINDS, REGIONS, ROLE_GROUPS } from '../../model/types.ts';
import type { Problem } from '../../model/validate.ts';
import { InputError, singleLine, multiLine, type FieldProblem } from '../../platform/http/validation.ts';
import type { ScenarioParams } from './schema.ts';

const share = z.number({ error: 'must be a number' }).min(0, 'must be 0 or more').max(1, 'must be 1 or less (a share: 0.3 for 30%)');

export const leverSchema = z.object({
  kind: z.enum(LEVER_KINDS, { error: `must be one of ${LEVER_KINDS.join(', ')}` }),
  size: z.number({ error: 'must be a number' }).finite('must be a number'),
  startYear: z.number({ error: 'must be a year' }).int('must be a whole year').min(2000, 'must be 2000 or later').max(2100, 'must be 2100 or earlier'),
  rampYears: z.number({ error: 'must be a number of years' }).int('must be a whole number of years').min(0, 'must be 0 or more').max(50, 'must be 50 or fewer'),
  roles: z.array(z.enum(ROLE_GROUPS, { error: `must be a role group (${ROLE_GROUPS.join(', ')})` })).max(ROLE_GROUPS.length).optional(),
  source: singleLine(300).optional(),
});

export const driverSchema = z.discriminatedUnion(
  'kind',
  [
    z.object({ kind: z.literal('age65') }),
    z.object({
      kind: z.literal('age_mix'),
      shares: z
        .object({ '18-64': share, '65-84': share, '85+': share })
        .refine((s) => Math.abs(s['18-64'] + s['65-84'] + s['85+'] - 1) < 0.001, 'the three shares must add up to 1'),
    }),
  ],
  { error: 'driver.kind must be age65 or age_mix' },
);

export const scenarioParamsSchema = z.object({
  driver: driverSchema.default({ kind: 'age65' }),
  baselinePolicy: z.boolean({ error: 'must be true or false' }).default(true),
  levers: z.array(leverSchema).max(50, 'must hold 50 levers or fewer').default([]),
  inProgressWeight: share.default(0.5),
  to: z.number({ error: 'must be a year' }).int('must be a whole year').default(2040),
}) satisfies z.ZodType<ScenarioParams, unknown>;

/** Where a projection's output is read: England, every region, or one region by code or name. */
export const geographySchema = z
  .string()
  .trim()
  .transform((v, ctx) => {
    const lower = v.toLowerCase();
    if (lower === 'england' || lower === 'region' || lower === 'regions') return lower === 'england' ? 'england' : 'regions';
    const region = REGIONS.find((r) => r.code === v.toUpperCase() || r.name.toLowerCase() === lower);
    if (region) return region.code;
    if (GEOGRAPHY_CODES.includes(v.toUpperCase())) return 'england';
    ctx.addIssue({ code: 'custom', message: `“${v}” is not england, regions, or an English region (E12000001 to E12000009, or its name)` });
    return z.NEVER;
  });

export const MAX_API_RUNS = 10_000;
export const DEFAULT_RUNS = 1000;
export const DEFAULT_SEED = 1;

/** A projection request; the API allows MAX_API_RUNS Monte Carlo runs, the CLI more. */
const projectionRequestSchemas = new Map<number, ReturnType<typeof buildProjectionRequestSchema>>();

/** The schema for at most `maxRuns`, built once for each limit (pages and the API ask often). */
export function projectionRequestSchema(maxRuns = MAX_API_RUNS) {
  let schema = projectionRequestSchemas.get(maxRuns);
  if (!schema) projectionRequestSchemas.set(maxRuns, (schema = buildProjectionRequestSchema(maxRuns)));
  return schema;
}

const buildProjectionRequestSchema = (maxRuns: number) => z.object({
  /** A saved scenario's slug or name, or parameters given in full. */
  scenario: z.union([z.string().trim().min(1).max(100), scenarioParamsSchema.extend({ name: singleLine(100).optional() })]).default('current-policy'),
  /** Overrides the scenario's last year. */
  to: z.number({ error: 'must be a year' }).int('must be a whole year').optional(),
  runs: z.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 or more').max(maxRuns, `must be ${maxRuns} or fewer`).default(DEFAULT_RUNS),
  seed: z.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 or more').max(0xffffffff, 'must be 4294967295 or less').default(DEFAULT_SEED),
  geography: geographySchema.default('england'),
});
export type ProjectionRequest = z.output<ReturnType<typeof projectionRequestSchema>>;

export const scenarioRecordSchema = z.object({
  name: singleLine(100).min(1, 'Enter a name'),
  description: multiLine(2000).default(''),
  published: z.boolean().default(false),
  params: scenarioParamsSchema,
});

/** zod issues as the hub's field problems: the path joined with dots, then the message. */
export function zodProblems(error: z.ZodError, prefix = ''): FieldProblem[] {
  return error.issues.map((i) => {
    const field = [prefix, ...i.path.map(String)].filter(Boolean).join('.') || 'body';
    return { field, message: `${field} ${i.message}` };
  });
}

/** Parses or throws an InputError naming each field at fault. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InputError(zodProblems(parsed.error, prefix));
  return parsed.data;
}

/** The engine's problems (already naming their field) as field problems. */
export function modelProblems(problems: readonly Problem[]): FieldProblem[] {
  return problems.map((p) => ({ field: p.path, message: p.message }));
}
