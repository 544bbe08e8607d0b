// Monte Carlo over the model's uncertain rates with a seeded generator (the same seed gives the
// same numbers on any machine), P10/P50/P90 bands per year for the headline outputs, and a
// one-at-a-time sensitivity ranking on the headline gap. No dependency: mulberry32 below.
import { headlineGap, project, rowFor } from './project.ts';
import type { Projection } from './project.ts';
import { ENGLAND, ROLE_GROUPS } from './types.ts';
import type { LeverKind, ModelInputs, RoleGroup, RoleInputs, Scenario } from './types.ts';
import type { Problem } from './validate.ts';

/** mulberry32: a small 32-bit generator, good enough for sampling; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Distributions of a multiplier on the input (1 = the input as given). */
export type Distribution =
  | { kind: 'triangular'; min: number; mode: number; max: number }
  | { kind: 'uniform'; min: number; max: number };

/**
 * What an uncertain input scales:
 * - role_rate: a rate or count in every cell (optionally some roles); rates stay within [0, 1];
 * - demand_growth: the growth of the demand driver since the base year (0.8 = 20% less growth);
 * - lever_effect: the size of every lever of a kind (how well a lever works is uncertain too).
 */
export type UncertainTarget =
  | { kind: 'role_rate'; field: Exclude<keyof RoleInputs, 'filledPosts' | 'vacancies'>; roles?: RoleGroup[] }
  | { kind: 'demand_growth' }
  | { kind: 'lever_effect'; lever: LeverKind };

export interface UncertainInput {
  name: string;
  target: UncertainTarget;
  distribution: Distribution;
  source: string;
  vintage: string;
}

/** Inverse CDF: the value at cumulative probability u (closed form for both kinds). */
export function quantile(d: Distribution, u: number): number {
  if (d.kind === 'uniform') return d.min + u * (d.max - d.min);
  const { min, mode, max } = d;
  if (max === min) return min;
  const split = (mode - min) / (max - min);
  return u < split ? min + Math.sqrt(u * (max - min) * (mode - min)) : max - Math.sqrt((1 - u) * (max - min) * (max - mode));
}

export function uncertainProblems(uncertain: readonly UncertainInput[]): Problem[] {
  const problems: Problem[] = [];
  uncertain.forEach((u, i) => {
    const p = `uncertain[${i}](${u.name})`;
    const d = u.distribution;
    const ok = d.kind === 'uniform' ? d.min <= d.max : d.min <= d.mode && d.mode <= d.max;
    if (!ok) problems.push({ path: `${p}.distribution`, message: `${p}.distribution must have min ≤ mode ≤ max` });
    if (!(d.min >= 0)) problems.push({ path: `${p}.distribution.min`, message: `${p}.distribution.min must not be negative` });
    if (!u.source?.trim() || !u.vintage?.trim()) problems.push({ path: `${p}.source`, message: `${p}.source and vintage must be given` });
  });
  return problems;
}

const RATE_FIELDS = new Set(['turnoverRate', 'sectorExitShare', 'retirementRate']);

/** The inputs and scenario with each uncertain input scaled by its multiplier. */
export function applyMultipliers(
  inputs: ModelInputs,
  scenario: Scenario,
  uncertain: readonly UncertainInput[],
  multipliers: readonly number[],
): { inputs: ModelInputs; scenario: Scenario } {
  const next = structuredClone(inputs);
  let levers = scenario.levers;
  uncertain.forEach((u, i) => {
    const m = multipliers[i]!;
    const t = u.target;
    if (t.kind === 'lever_effect') {
      levers = levers.map((l) => (l.kind === t.lever ? { ...l, size: l.size * m } : l));
      return;
    }
    for (const geo of Object.values(next.geographies)) {
      if (t.kind === 'demand_growth') {
        for (const series of Object.values(geo.population)) {
          const base = series.value[String(inputs.baseYear)]!;
          for (const year of Object.keys(series.value)) series.value[year] = base + m * (series.value[year]! - base);
        }
        continue;
      }
      for (const role of t.roles ?? ROLE_GROUPS) {
        const cell = geo.roles[role];
        if (!cell) continue;
        const v = cell[t.field].value * m;
        cell[t.field] = { ...cell[t.field], value: RATE_FIELDS.has(t.field) ? Math.min(1, v) : v };
      }
    }
  });
  return { inputs: next, scenario: { ...scenario, levers } };
}

/** Percentile by linear interpolation between order statistics (Excel's PERCENTILE.INC). */
export function percentile(sorted: readonly number[], p: number): number {
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export const HEADLINE_MEASURES = ['demand', 'filled', 'gap', 'vacancyRate', 'starters', 'leavers'] as const;
export type HeadlineMeasure = (typeof HEADLINE_MEASURES)[number];
export interface Band {
  year: number;
  measure: HeadlineMeasure;
  p10: number;
  p50: number;
  p90: number;
}

export interface MonteCarloResult {
  seed: number;
  runs: number;
  /** England, all roles, per year and measure. */
  bands: Band[];
  /** The headline gap (England, all roles, 2040 or the last year) of every run, in run order. */
  headlineGaps: number[];
}

/**
 * `runs` projections, each with every uncertain input drawn independently (by inverse CDF from
 * one mulberry32 stream seeded with `seed`, in declaration order, so a run is reproducible).
 */
export function monteCarlo(
  inputs: ModelInputs,
  scenario: Scenario,
  uncertain: readonly UncertainInput[],
  options: { seed: number; runs: number },
): MonteCarloResult {
  const problems = uncertainProblems(uncertain);
  if (!Number.isInteger(options.runs) || options.runs < 1 || options.runs > 100_000) {
    problems.push({ path: 'runs', message: 'runs must be a whole number between 1 and 100000' });
  }
  if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff) {
    problems.push({ path: 'seed', message: 'seed must be a whole number between 0 and 4294967295' });
  }
  if (problems.length) throw new Error(problems.map((p) => p.message).join('; '));

  const random = mulberry32(options.seed);
  const projections: Projection[] = [];
  for (let run = 0; run < options.runs; run++) {
    const multipliers = uncertain.map((u) => quantile(u.distribution, random()));
    const drawn = applyMultipliers(inputs, scenario, uncertain, multipliers);
    projections.push(project(drawn.inputs, drawn.scenario));
  }
  const years = projections[0]!.years;
  const bands: Band[] = [];
  for (const year of years) {
    const englandRows = projections.map((p) => rowFor(p, ENGLAND.code, 'all', year));
    for (const measure of HEADLINE_MEASURES) {
      const values = englandRows.map((r) => r[measure]).sort((a, b) => a - b);
      bands.push({ year, measure, p10: percentile(values, 0.1), p50: percentile(values, 0.5), p90: percentile(values, 0.9) });
    }
  }
  return { seed: options.seed, runs: options.runs, bands, headlineGaps: projections.map((p) => headlineGap(p)) };
}

export interface Sensitivity {
  name: string;
  /** Headline gap with this input at its P10 and at its P90, the others at their P50. */
  atP10: number;
  atP90: number;
  swing: number;
}

/** One-at-a-time sensitivity: each input swung from its P10 to its P90, largest swing first. */
export function sensitivity(
  inputs: ModelInputs,
  scenario: Scenario,
  uncertain: readonly UncertainInput[],
  headline: (p: Projection) => number = (p) => headlineGap(p),
): Sensitivity[] {
  const problems = uncertainProblems(uncertain);
  if (problems.length) throw new Error(problems.map((p) => p.message).join('; '));
  const medians = uncertain.map((u) => quantile(u.distribution, 0.5));
  const at = (i: number, q: number) => {
    const m = [...medians];
    m[i] = quantile(uncertain[i]!.distribution, q);
    const drawn = applyMultipliers(inputs, scenario, uncertain, m);
    return headline(project(drawn.inputs, drawn.scenario));
  };
  return uncertain
    .map((u, i) => {
      const atP10 = at(i, 0.1);
      const atP90 = at(i, 0.9);
      return { name: u.name, atP10, atP90, swing: Math.abs(atP90 - atP10) };
    })
    .sort((a, b) => b.swing - a.swing || a.name.localeCompare(b.name));
}
