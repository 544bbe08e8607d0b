// Checks a model run's inputs and scenario before any arithmetic, and names the field at fault
// in every message (e.g. "geographies.E12000007.roles.care_worker.turnoverRate must be between
// 0 and 1"), so an importer or a form can show the person exactly what to fix.
import { GEOGRAPHY_CODES, ENGLAND, LEVER_KINDS, RATE_FIELDS, ROLE_GROUPS } from './types.ts';
import type { Lever, ModelInputs, RoleInputs, Scenario, Sourced } from './types.ts';

export interface Problem {
  path: string;
  message: string;
}

/** Thrown by project() when validate() finds problems; `problems` lists them all. */
export class ModelInputError extends Error {
  constructor(readonly problems: Problem[]) {
    super(`Invalid model inputs: ${problems.map((p) => p.message).join('; ')}`);
    this.name = 'ModelInputError';
  }
}

const RATES: readonly (keyof RoleInputs)[] = RATE_FIELDS;
const COUNTS: (keyof RoleInputs)[] = ['filledPosts', 'vacancies', 'labourPool', 'internationalRecruits'];
const ROLES: readonly string[] = ROLE_GROUPS;
const KINDS: readonly string[] = LEVER_KINDS;

export const DEFAULT_DRIVER_WEIGHTS: Readonly<Record<string, number>> = { '65+': 1 };

/** Every year a projection reads: the base year to the base year + horizon. */
export function projectionYears(inputs: Pick<ModelInputs, 'baseYear' | 'horizon'>): number[] {
  return Array.from({ length: inputs.horizon + 1 }, (_, i) => inputs.baseYear + i);
}

export function validate(inputs: ModelInputs, scenario?: Scenario): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, rule: string) => problems.push({ path, message: `${path} ${rule}` });
  const finite = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);

  const sourced = (path: string, s: Sourced | undefined): number | undefined => {
    if (!s || typeof s !== 'object') return void add(path, 'is missing');
    if (typeof s.source !== 'string' || !s.source.trim()) add(`${path}.source`, 'must name a source');
    if (typeof s.vintage !== 'string' || !s.vintage.trim()) add(`${path}.vintage`, 'must give a vintage');
    if (!finite(s.value)) return void add(path, 'must be a number');
    return s.value;
  };

  if (!Number.isInteger(inputs.baseYear) || inputs.baseYear < 2000 || inputs.baseYear > 2100) {
    add('baseYear', 'must be a whole year between 2000 and 2100');
  }
  if (!Number.isInteger(inputs.horizon) || inputs.horizon < 1 || inputs.horizon > 50) {
    add('horizon', 'must be a whole number of years between 1 and 50');
  }
  const years = problems.length ? [] : projectionYears(inputs);
  const weights = scenario?.driverWeights ?? DEFAULT_DRIVER_WEIGHTS;

  const codes = Object.keys(inputs.geographies ?? {});
  if (!codes.length) add('geographies', 'must hold at least one geography');
  if (codes.includes(ENGLAND.code) && codes.length > 1) {
    add(`geographies.${ENGLAND.code}`, 'must not be given with regions (England is their sum)');
  }
  for (const code of codes) {
    const g = `geographies.${code}`;
    if (!GEOGRAPHY_CODES.includes(code)) add(g, 'is not a known geography (England E92000001 or a region E12000001–E12000009)');
    const geo = inputs.geographies[code]!;
    const roles = Object.keys(geo.roles ?? {});
    if (!roles.length) add(`${g}.roles`, 'must hold at least one role group');
    for (const role of roles) {
      const r = `${g}.roles.${role}`;
      if (!ROLES.includes(role)) {
        add(r, `is not a known role group (${ROLE_GROUPS.join(', ')})`);
        continue;
      }
      const ri = geo.roles[role as keyof typeof geo.roles]!;
      for (const field of RATES) {
        const v = sourced(`${r}.${field}`, ri[field]);
        if (v !== undefined && (v < 0 || v > 1)) add(`${r}.${field}`, 'must be between 0 and 1');
      }
      for (const field of COUNTS) {
        const v = sourced(`${r}.${field}`, ri[field]);
        if (v !== undefined && v < 0) add(`${r}.${field}`, 'must not be negative');
      }
      const exits = ri.turnoverRate?.value * ri.sectorExitShare?.value + ri.retirementRate?.value;
      if (finite(exits) && exits > 1) add(`${r}.retirementRate`, 'with sector leavers must not exceed all filled posts');
    }
    for (const band of Object.keys(weights)) {
      const series = geo.population?.[band];
      const p = `${g}.population.${band}`;
      if (!series) {
        add(p, 'is needed by the demand driver weights but missing');
        continue;
      }
      if (typeof series.source !== 'string' || !series.source.trim()) add(`${p}.source`, 'must name a source');
      if (typeof series.vintage !== 'string' || !series.vintage.trim()) add(`${p}.vintage`, 'must give a vintage');
      for (const year of years) {
        const v = series.value?.[String(year)];
        if (v === undefined) add(`${p}.${year}`, 'is missing: the year is outside the population series');
        else if (!finite(v) || v < 0) add(`${p}.${year}`, 'must be a number not below 0');
      }
      const base = series.value?.[String(inputs.baseYear)];
      if (base === 0) add(`${p}.${inputs.baseYear}`, 'must be above 0 (it is the base of the index)');
    }
  }

  (inputs.progression ?? []).forEach((m, i) => {
    const p = `progression[${i}]`;
    if (!ROLES.includes(m.from)) add(`${p}.from`, 'is not a known role group');
    if (!ROLES.includes(m.to)) add(`${p}.to`, 'is not a known role group');
    if (m.from === m.to) add(`${p}.to`, 'must differ from progression.from');
    const v = sourced(`${p}.rate`, m.rate);
    if (v !== undefined && (v < 0 || v > 1)) add(`${p}.rate`, 'must be between 0 and 1');
  });

  const params = inputs.parameters;
  if (!params) add('parameters', 'is missing');
  else {
    for (const key of ['turnoverAtFloor', 'turnoverAbovePremium'] as const) {
      const v = sourced(`parameters.${key}`, params[key]);
      if (v !== undefined && (v < 0 || v > 1)) add(`parameters.${key}`, 'must be between 0 and 1');
    }
    for (const key of ['baselinePayPremium', 'payAttractionRatio'] as const) {
      const v = sourced(`parameters.${key}`, params[key]);
      if (v !== undefined && v < 0) add(`parameters.${key}`, 'must not be negative');
    }
    const v = sourced('parameters.premiumForLowTurnover', params.premiumForLowTurnover);
    if (v !== undefined && v <= 0) add('parameters.premiumForLowTurnover', 'must be above 0');
  }

  if (scenario) {
    for (const [band, w] of Object.entries(weights)) {
      if (!finite(w) || w < 0) add(`scenario.driverWeights.${band}`, 'must not be negative');
    }
    if (!Object.values(weights).some((w) => w > 0)) add('scenario.driverWeights', 'must give at least one band a weight above 0');
    scenario.levers.forEach((l, i) => problems.push(...leverProblems(`scenario.levers[${i}]`, l)));
  }
  return problems;
}

/** A lever's own problems; also used for the levers strategy items declare. */
export function leverProblems(path: string, lever: Lever): Problem[] {
  const problems: Problem[] = [];
  const add = (p: string, rule: string) => problems.push({ path: p, message: `${p} ${rule}` });
  if (!KINDS.includes(lever.kind)) add(`${path}.kind`, `is not a known lever (${LEVER_KINDS.join(', ')})`);
  if (!Number.isFinite(lever.size)) add(`${path}.size`, 'must be a number');
  else if (lever.kind === 'international' && lever.size < -1) add(`${path}.size`, 'must not cut international recruits below none (-1)');
  else if (lever.kind === 'attraction' && lever.size < -1) add(`${path}.size`, 'must not cut domestic recruits below none (-1)');
  else if (['training', 'productivity', 'prevention'].includes(lever.kind) && (lever.size < -1 || lever.size >= 1)) {
    add(`${path}.size`, 'must be a share between -1 and 1 (1 would remove every post or leaver)');
  }
  if (!Number.isInteger(lever.startYear) || lever.startYear < 2000 || lever.startYear > 2100) {
    add(`${path}.startYear`, 'must be a whole year between 2000 and 2100');
  }
  if (!Number.isInteger(lever.rampYears) || lever.rampYears < 0 || lever.rampYears > 50) {
    add(`${path}.rampYears`, 'must be a whole number of years between 0 and 50');
  }
  (lever.roles ?? []).forEach((r, j) => {
    if (!ROLES.includes(r)) add(`${path}.roles[${j}]`, 'is not a known role group');
  });
  (lever.geographies ?? []).forEach((g, j) => {
    if (!GEOGRAPHY_CODES.includes(g)) add(`${path}.geographies[${j}]`, 'is not a known geography');
  });
  return problems;
}
