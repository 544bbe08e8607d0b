// The workforce API's query strings and answers as zod schemas: they check what comes in and
// describe what goes out in the OpenAPI document.
import { z } from 'zod';
import { scenarioParamsSchema } from './forms.ts';

export const scenariosQuery = z.strictObject({});
export const projectionQuery = z.strictObject({ format: z.enum(['json', 'csv']).default('json').describe('csv: the per-year lines as CSV') });
export const runParams = z.strictObject({ id: z.coerce.number().int().min(1).max(2_147_483_647) });

export const scenarioResponse = z
  .object({
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    params: scenarioParamsSchema,
    updated_at: z.string().describe('ISO 8601'),
  })
  .meta({ id: 'WorkforceScenario' });

export const scenarioListResponse = z.object({ data: z.array(scenarioResponse) }).meta({ id: 'WorkforceScenarioList' });

const row = z.object({
  year: z.number().int(),
  geography: z.string(),
  role: z.string(),
  demand: z.number(),
  filled: z.number(),
  vacancies: z.number(),
  vacancyRate: z.number(),
  gap: z.number(),
  starters: z.number(),
  leavers: z.number(),
  retirements: z.number(),
});
const band = z.object({ year: z.number().int(), measure: z.string(), p10: z.number(), p50: z.number(), p90: z.number() });
const dataset = z.object({ id: z.number().int(), name: z.string(), source: z.string(), vintage: z.string(), firstYear: z.number().int(), lastYear: z.number().int() });

export const runResponse = z
  .object({
    id: z.number().int().nullable().describe('The stored run’s id, or null when the run was not stored'),
    hash: z.string().describe('SHA-256 of the inputs, scenario, items’ levers, seed and runs'),
    engineVersion: z.string(),
    stored: z.boolean(),
    scenario: z.object({ slug: z.string().nullable(), name: z.string(), description: z.string(), params: scenarioParamsSchema }),
    datasets: z.object({ population: dataset, workforce: dataset }),
    baseYear: z.number().int(),
    to: z.number().int(),
    years: z.array(z.number().int()),
    seed: z.number().int(),
    runs: z.number().int(),
    baseline: z.object({ rows: z.array(row), bands: z.array(band).nullable() }).describe('Without the items’ levers'),
    deliveryAdjusted: z.object({ rows: z.array(row), bands: z.array(band).nullable() }).describe('With each item’s levers weighted by its status'),
    items: z.array(z.object({ code: z.string(), title: z.string(), status: z.string().nullable(), weight: z.number(), levers: z.array(z.unknown()), change: z.number() })),
    sensitivity: z.array(z.object({ name: z.string(), atP10: z.number(), atP90: z.number(), swing: z.number() })),
    lines: z
      .array(
        z.object({
          geography: z.string(),
          year: z.number().int(),
          demand: z.number(),
          filledBaseline: z.number(),
          gapBaseline: z.number(),
          filledDelivered: z.number(),
          gapDelivered: z.number(),
          vacancyRateDelivered: z.number(),
          startersDelivered: z.number(),
          leaversDelivered: z.number(),
          gapP10: z.number().optional(),
          gapP50: z.number().optional(),
          gapP90: z.number().optional(),
        }),
      )
      .optional()
      .describe('Per year for the requested geography (projections only)'),
  })
  .meta({ id: 'WorkforceRun' });
