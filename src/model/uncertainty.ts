// Monte Carlo over the model's uncertain rates with a seeded generator (the same seed gives the
// same numbers on any machine), P10/P50/P90 bands per year for the headline outputs, and a
// one-at-a-time sensitivity ranking on the headline gap. No dependency: mulberry32 below.
import { compileModel, MEASURES, resultSize, runModel } from './kernel.ts';
import type { CompiledModel } from './kernel.ts';
import { project } from './project.ts';
import type { Projection } from './project.ts';
import { HEADLINE_MEASURES, RATE_FIELDS, ROLE_GROUPS } from './types.ts';
import type { HeadlineMeasure, LeverKind, ModelInputs, RoleGroup, RoleInputs, Scenario } from './types.ts';
import { ModelInputError, projectionYears, validate } from './validate.ts';
import type { Problem } from './validate.ts';

export { HEADLINE_MEASURES };
export type { HeadlineMeasure };

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

const RATES: ReadonlySet<string> = new Set(RATE_FIELDS);

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
        cell[t.field] = { ...cell[t.field], value: RATES.has(t.field) ? Math.min(1, v) : v };
      }
    }
  });
  return { inputs: next, scenario: { ...scenario, levers } };
}

/** Percentile by linear interpolation between order statistics (Excel's PERCENTILE.INC). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * percentile(sorted values, p) for each p, without sorting them all: the order statistics it
 * reads are put in their sorted places by selection (Hoare's FIND), in rank order, each search
 * right of the last. `values` is reordered in place; it must hold no NaN.
 */
export function percentiles(values: Float64Array, ps: readonly number[]): number[] {
  const last = values.length - 1;
  const ranks = [...new Set(ps.flatMap((p) => [Math.floor(last * p), Math.ceil(last * p)]))].sort((a, b) => a - b);
  let left = 0;
  for (const k of ranks) {
    let lo = left;
    let hi = last;
    while (lo < hi) {
      const pivot = values[(lo + hi) >>> 1]!;
      let i = lo;
      let j = hi;
      while (i <= j) {
        while (values[i]! < pivot) i++;
        while (values[j]! > pivot) j--;
        if (i <= j) {
          const swap = values[i]!;
          values[i++] = values[j]!;
          values[j--] = swap;
        }
      }
      // Now values[lo..j] ≤ pivot ≤ values[i..hi], and any between equal the pivot.
      if (k <= j) hi = j;
      else if (k >= i) lo = i;
      else break;
    }
    left = k + 1;
  }
  return ps.map((p) => percentile(values, p));
}

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

export interface MonteCarloOptions {
  seed: number;
  runs: number;
}

/** Problems with the uncertain inputs, the seed or the number of runs. */
export function monteCarloProblems(uncertain: readonly UncertainInput[], options: MonteCarloOptions): Problem[] {
  const problems = uncertainProblems(uncertain);
  if (!Number.isInteger(options.runs) || options.runs < 1 || options.runs > 100_000) {
    problems.push({ path: 'runs', message: 'runs must be a whole number between 1 and 100000' });
  }
  if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 0xffffffff) {
    problems.push({ path: 'seed', message: 'seed must be a whole number between 0 and 4294967295' });
  }
  return problems;
}

/**
 * Every run's multipliers, run after run, each run's in declaration order, drawn by inverse CDF
 * from one mulberry32 stream seeded with `seed` (so a run is reproducible whoever computes it).
 */
export function drawMultipliers(uncertain: readonly UncertainInput[], options: MonteCarloOptions): Float64Array {
  const random = mulberry32(options.seed);
  const draws = new Float64Array(options.runs * uncertain.length);
  for (let i = 0; i < draws.length; i++) draws[i] = quantile(uncertain[i % uncertain.length]!.distribution, random());
  return draws;
}

/**
 * Refuses the draws if any run's inputs would be invalid, as project() would on that run. Every
 * check a multiplier can break is monotonic in each multiplier (all are ≥ 0), so when the inputs
 * pass with every multiplier at its minimum and with every one at its maximum, every draw passes;
 * only otherwise is each run checked, in order, to name the first that fails.
 */
function assertDrawsValid(inputs: ModelInputs, scenario: Scenario, uncertain: readonly UncertainInput[], draws: Float64Array): void {
  const problemsAt = (multipliers: readonly number[]) => {
    const drawn = applyMultipliers(inputs, scenario, uncertain, multipliers);
    return validate(drawn.inputs, drawn.scenario);
  };
  const corners = [uncertain.map((u) => u.distribution.min), uncertain.map((u) => u.distribution.max)];
  if (corners.every((m) => problemsAt(m).length === 0)) return;
  const runs = uncertain.length ? draws.length / uncertain.length : 1;
  for (let run = 0; run < runs; run++) {
    const problems = problemsAt(Array.from(draws.subarray(run * uncertain.length, (run + 1) * uncertain.length)));
    if (problems.length) throw new ModelInputError(problems);
  }
}

export interface PreparedMonteCarlo {
  model: CompiledModel;
  /** runs × uncertain multipliers, in run order. */
  draws: Float64Array;
  years: number[];
}

/**
 * Everything before the runs themselves, shared by monteCarlo() and the parallel pool in
 * src/features/workforce: checks, every run's multipliers, and the compiled kernel.
 */
export function prepareMonteCarlo(inputs: ModelInputs, scenario: Scenario, uncertain: readonly UncertainInput[], options: MonteCarloOptions): PreparedMonteCarlo {
  const problems = monteCarloProblems(uncertain, options);
  if (problems.length) throw new Error(problems.map((p) => p.message).join('; '));
  const draws = drawMultipliers(uncertain, options);
  assertDrawsValid(inputs, scenario, uncertain, draws);
  return { model: compileModel(inputs, scenario, uncertain), draws, years: projectionYears(inputs) };
}

/**
 * The bands and headline gaps from every run's results (runModel's layout, runs in order),
 * the percentiles of each year and measure found by selection rather than a full sort (the
 * same order statistics: England's totals are sums from 0, never -0 or NaN).
 */
export function summariseRuns(options: MonteCarloOptions, years: readonly number[], results: Float64Array): MonteCarloResult {
  const { runs, seed } = options;
  const size = years.length * MEASURES;
  if (results.length !== runs * size) throw new RangeError(`summariseRuns: expected ${runs * size} results, got ${results.length}`);
  const column = new Float64Array(runs);
  const bands: Band[] = [];
  years.forEach((year, y) => {
    HEADLINE_MEASURES.forEach((measure, m) => {
      for (let run = 0; run < runs; run++) column[run] = results[run * size + y * MEASURES + m]!;
      const [p10, p50, p90] = percentiles(column, [0.1, 0.5, 0.9]) as [number, number, number];
      bands.push({ year, measure, p10, p50, p90 });
    });
  });
  const headline = years.includes(2040) ? years.indexOf(2040) : years.length - 1;
  const gap = HEADLINE_MEASURES.indexOf('gap');
  const headlineGaps = Array.from({ length: runs }, (_, run) => results[run * size + headline * MEASURES + gap]!);
  return { seed, runs, bands, headlineGaps };
}

/**
 * `runs` projections, each with every uncertain input drawn independently (by inverse CDF from
 * one mulberry32 stream seeded with `seed`, in declaration order, so a run is reproducible).
 * Runs through the kernel (kernel.ts), which gives project()'s numbers; in one thread. The pool
 * in src/features/workforce/monte-carlo-pool.ts gives the same result on every core.
 */
export function monteCarlo(inputs: ModelInputs, scenario: Scenario, uncertain: readonly UncertainInput[], options: MonteCarloOptions): MonteCarloResult {
  const { model, draws, years } = prepareMonteCarlo(inputs, scenario, uncertain, options);
  const results = new Float64Array(options.runs * resultSize(model));
  runModel(model, draws, options.runs, results);
  return summariseRuns(options, years, results);
}

export interface Sensitivity {
  name: string;
  /** Headline gap with this input at its P10 and at its P90, the others at their P50. */
  atP10: number;
  atP90: number;
  swing: number;
}

/**
 * One-at-a-time sensitivity: each input swung from its P10 to its P90, the others at their P50,
 * largest swing first. On the default headline (England's 2040 or last-year gap) every swing
 * runs through the kernel in one batch; a custom headline runs project() for each.
 */
export function sensitivity(
  inputs: ModelInputs,
  scenario: Scenario,
  uncertain: readonly UncertainInput[],
  headline?: (p: Projection) => number,
): Sensitivity[] {
  const problems = uncertainProblems(uncertain);
  if (problems.length) throw new Error(problems.map((p) => p.message).join('; '));
  const medians = uncertain.map((u) => quantile(u.distribution, 0.5));
  const swung = (i: number, q: number) => medians.map((m, j) => (j === i ? quantile(uncertain[i]!.distribution, q) : m));
  let at: (i: number, q: 0.1 | 0.9) => number;
  if (headline) {
    at = (i, q) => {
      const drawn = applyMultipliers(inputs, scenario, uncertain, swung(i, q));
      return headline(project(drawn.inputs, drawn.scenario));
    };
  } else {
    const model = compileModel(inputs, scenario, uncertain);
    const draws = Float64Array.from(uncertain.flatMap((_, i) => [...swung(i, 0.1), ...swung(i, 0.9)]));
    const runs = uncertain.length * 2;
    const size = resultSize(model);
    const out = new Float64Array(runs * size);
    runModel(model, draws, runs, out);
    const years = projectionYears(inputs);
    const year = years.includes(2040) ? years.indexOf(2040) : years.length - 1;
    const gap = HEADLINE_MEASURES.indexOf('gap');
    at = (i, q) => out[(i * 2 + (q === 0.1 ? 0 : 1)) * size + year * MEASURES + gap]!;
  }
  return uncertain
    .map((u, i) => {
      const atP10 = at(i, 0.1);
      const atP90 = at(i, 0.9);
      return { name: u.name, atP10, atP90, swing: Math.abs(atP90 - atP10) };
    })
    .sort((a, b) => b.swing - a.swing || a.name.localeCompare(b.name));
}
