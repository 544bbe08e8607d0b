// From stored dataset rows and a saved scenario's parameters to the engine's inputs: plain
// functions, no I/O, so the service, the CLI and the tests build a run the same way.
import { DEFAULT_PARAMETERS } from '../../model/project.ts';
import { REGIONS, ROLE_GROUPS } from '../../model/types.ts';
import type { GeographyInputs, ModelInputs, RoleGroup, RoleInputs, Scenario } from '../../model/types.ts';
import type { UncertainInput } from '../../model/uncertainty.ts';
import type { PopulationRow, WorkforceRow } from './datasets.ts';
import type { ScenarioParams } from './schema.ts';

export interface DatasetMeta {
  id: number;
  name: string;
  source: string;
  vintage: string;
  firstYear: number;
  lastYear: number;
}

/** A year the datasets cannot give; the service names the field it came from. */
export class InputsError extends Error {}

const FIELD: Record<string, keyof RoleInputs> = {
  filled_posts: 'filledPosts',
  vacancies: 'vacancies',
  turnover_rate: 'turnoverRate',
  sector_exit_share: 'sectorExitShare',
  retirement_rate: 'retirementRate',
  labour_pool: 'labourPool',
  international_recruits: 'internationalRecruits',
};

/** The years a run can end in: at least 15 after the base year (issue 5), within the population data. */
export function yearRange(population: DatasetMeta, workforce: DatasetMeta): { first: number; last: number } {
  return { first: Math.max(workforce.firstYear + 1, population.firstYear + 1), last: population.lastYear };
}

/**
 * The engine's inputs: the nine regions (England is their sum) at the workforce base year,
 * projected to `to`, with every value's source and vintage from the rows it came from.
 */
export function buildInputs(
  population: { meta: DatasetMeta; rows: readonly PopulationRow[] },
  workforce: { meta: DatasetMeta; rows: readonly WorkforceRow[] },
  to: number,
): ModelInputs {
  const baseYear = workforce.meta.firstYear;
  if (baseYear < population.meta.firstYear || baseYear > population.meta.lastYear) {
    throw new InputsError(`The workforce base year ${baseYear} is outside the population projection (${population.meta.firstYear} to ${population.meta.lastYear})`);
  }
  const range = yearRange(population.meta, workforce.meta);
  if (!Number.isInteger(to) || to < range.first || to > range.last) {
    throw new InputsError(`The last year must be between ${range.first} and ${range.last} (the years the population projection covers)`);
  }
  const geographies: Record<string, GeographyInputs> = {};
  for (const region of REGIONS) geographies[region.code] = { roles: {}, population: {} };
  const populationSource = `${population.meta.source}: ${population.meta.name}`;
  for (const row of population.rows) {
    const geo = geographies[row.areaCode];
    if (!geo || row.year < baseYear || row.year > to) continue;
    const series = (geo.population[row.ageBand] ??= { value: {}, source: populationSource, vintage: population.meta.vintage });
    series.value[String(row.year)] = row.population;
  }
  const progression: ModelInputs['progression'] = [];
  for (const row of workforce.rows) {
    const sourced = { value: row.value, source: row.source, vintage: row.vintage };
    if (row.measure.startsWith('progression_to_')) {
      progression.push({ from: row.role, to: row.measure.slice('progression_to_'.length) as RoleGroup, rate: sourced });
      continue;
    }
    const roles = geographies[row.areaCode]!.roles;
    const cell = (roles[row.role] ??= {} as RoleInputs);
    cell[FIELD[row.measure]!] = sourced;
  }
  progression.sort((a, b) => ROLE_GROUPS.indexOf(a.from) - ROLE_GROUPS.indexOf(b.from) || ROLE_GROUPS.indexOf(a.to) - ROLE_GROUPS.indexOf(b.to));
  return { baseYear, horizon: to - baseYear, geographies, progression, parameters: DEFAULT_PARAMETERS };
}

/**
 * Per-person weights for a mix of age bands from the share of care each band uses today:
 * weight = share ÷ England's population in the band at the base year, so the demand index grows
 * as Σ share × (band's population now ÷ then).
 */
export function driverWeights(params: ScenarioParams, inputs: ModelInputs): Record<string, number> {
  if (params.driver.kind === 'age65') return { '65+': 1 };
  const weights: Record<string, number> = {};
  for (const [band, share] of Object.entries(params.driver.shares)) {
    const england = Object.values(inputs.geographies).reduce((s, g) => s + (g.population[band]?.value[String(inputs.baseYear)] ?? 0), 0);
    weights[band] = england > 0 ? share / england : 0;
  }
  return weights;
}

export function modelScenario(name: string, params: ScenarioParams, inputs: ModelInputs): Scenario {
  return {
    name,
    driverWeights: driverWeights(params, inputs),
    baselinePolicy: params.baselinePolicy,
    levers: params.levers.map((l) => ({ ...l, roles: l.roles?.length ? l.roles : undefined })),
  };
}

const RANGE = 'Hub team assumption: a plausible range around the 2023/24 value (docs/decisions/0018)';
/**
 * What the Monte Carlo varies, as multipliers on the inputs: triangular (low, most likely 1, high).
 * The ranges are assumptions; the methodology page lists them.
 */
export const DEFAULT_UNCERTAIN: readonly UncertainInput[] = [
  { name: 'Turnover rate', target: { kind: 'role_rate', field: 'turnoverRate' }, distribution: { kind: 'triangular', min: 0.85, mode: 1, max: 1.15 }, source: RANGE, vintage: '2023/24' },
  { name: 'Share of leavers leaving the sector', target: { kind: 'role_rate', field: 'sectorExitShare' }, distribution: { kind: 'triangular', min: 0.8, mode: 1, max: 1.2 }, source: RANGE, vintage: '2023/24' },
  { name: 'Retirement rate', target: { kind: 'role_rate', field: 'retirementRate' }, distribution: { kind: 'triangular', min: 0.8, mode: 1, max: 1.25 }, source: RANGE, vintage: '2023/24' },
  { name: 'Domestic labour pool', target: { kind: 'role_rate', field: 'labourPool' }, distribution: { kind: 'triangular', min: 0.8, mode: 1, max: 1.15 }, source: RANGE, vintage: '2023/24' },
  { name: 'International recruits', target: { kind: 'role_rate', field: 'internationalRecruits' }, distribution: { kind: 'triangular', min: 0.5, mode: 1, max: 1.3 }, source: RANGE, vintage: '2023/24' },
  { name: 'Growth in demand', target: { kind: 'demand_growth' }, distribution: { kind: 'triangular', min: 0.8, mode: 1, max: 1.2 }, source: RANGE, vintage: '2022-based SNPP' },
  { name: 'Effect of pay on turnover', target: { kind: 'lever_effect', lever: 'pay_premium' }, distribution: { kind: 'triangular', min: 0.5, mode: 1, max: 1.25 }, source: RANGE, vintage: '2023/24' },
];
