// The workforce model's engine, no server: one deterministic England + 9-region projection
// (9 regions × 8 role groups, base year + 16 years, England totals), target ≤ 5 ms; and
// 10,000 Monte Carlo runs on every core through the worker pool, target ≤ 1 s on a 2-core
// machine, with one worker and one thread for comparison, and peak memory.
import { isDeepStrictEqual } from 'node:util';
import { MonteCarloPool } from '../src/features/workforce/monte-carlo-pool.ts';
import { compileModel, resultSize, runModel } from '../src/model/kernel.ts';
import { project } from '../src/model/project.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parsePopulation, parseWorkforce } from '../src/features/workforce/datasets.ts';
import { buildInputs } from '../src/features/workforce/inputs.ts';
import { parseCsv } from '../src/platform/files/spreadsheet.ts';
import { datasetsDir } from '../src/platform/paths.ts';
import type { ModelInputs, Scenario } from '../src/model/types.ts';
import { applyMultipliers, monteCarlo, percentile, quantile } from '../src/model/uncertainty.ts';
import type { MonteCarloResult, UncertainInput } from '../src/model/uncertainty.ts';
import type { Benchmark } from './support/context.ts';
import { bytes, count, heading, ms, note, percent, printTable } from './support/print.ts';

const TARGET = { projectionMs: 5, monteCarloMs: 1000 };
const PROJECTIONS = { warmup: 50, measured: 200 };
const RUNS = 10_000;
const REPEATS = 3;
const SEED = 20_250_722;

/** The inputs: the test fixture's 9 regions × 8 roles, base 2024 + 16 years (the shipped datasets later). */
/**
 * The shipped datasets (ONS 2022-based projections, the 2023/24 workforce base): nine regions ×
 * eight role groups, projected 16 years from the 2023 base, as the hub builds them.
 */
function benchInputs(): ModelInputs {
  const read = (folder: string, file: string) => parseCsv(readFileSync(path.join(datasetsDir, folder, file)));
  const population = parsePopulation(read('population-snpp2022', 'population.csv'));
  const workforce = parseWorkforce(read('workforce-base-2023', 'workforce.csv'));
  if (!population.ok || !workforce.ok) throw new Error('The shipped workforce model datasets do not load');
  const meta = (id: number, p: { firstYear: number; lastYear: number }) => ({ id, name: 'shipped', source: 'data/datasets', vintage: 'shipped', firstYear: p.firstYear, lastYear: p.lastYear });
  return buildInputs({ meta: meta(1, population), rows: population.rows }, { meta: meta(2, workforce), rows: workforce.rows }, workforce.firstYear + 16);
}

const scenario: Scenario = {
  name: 'benchmark: pay, attraction, international recruitment and productivity',
  levers: [
    { kind: 'pay_premium', size: 1, startYear: 2026, rampYears: 3 },
    { kind: 'attraction', size: 0.1, startYear: 2026, rampYears: 2 },
    { kind: 'international', size: 0.25, startYear: 2028, rampYears: 2, roles: ['registered_nurse'] },
    { kind: 'productivity', size: 0.03, startYear: 2027, rampYears: 5 },
  ],
};

const tri = (min: number, max: number) => ({ kind: 'triangular' as const, min, mode: 1, max });
const uncertain: UncertainInput[] = (
  [
    ['turnover', { kind: 'role_rate', field: 'turnoverRate' }, tri(0.85, 1.15)],
    ['sector exit share', { kind: 'role_rate', field: 'sectorExitShare' }, tri(0.8, 1.2)],
    ['retirement', { kind: 'role_rate', field: 'retirementRate' }, tri(0.8, 1.25)],
    ['domestic labour pool', { kind: 'role_rate', field: 'labourPool' }, tri(0.75, 1.2)],
    ['international recruits', { kind: 'role_rate', field: 'internationalRecruits' }, tri(0.5, 1.3)],
    ['demand growth', { kind: 'demand_growth' }, tri(0.7, 1.3)],
  ] as const
).map(([name, target, distribution]) => ({ name, target, distribution, source: 'benchmark assumption', vintage: 'bench' }));

function timeIt(fn: () => void, warmup: number, measured: number): number[] {
  for (let i = 0; i < warmup; i++) fn();
  return Array.from({ length: measured }, () => {
    const started = performance.now();
    fn();
    return performance.now() - started;
  }).sort((a, b) => a - b);
}

async function timeAsync<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await fn();
  return { ms: performance.now() - started, result };
}

const verdict = (value: number, target: number) => (value <= target ? 'met' : `NOT MET (${ms(value)} > ${target} ms)`);

async function run(): Promise<void> {
  const residentAtStart = process.memoryUsage().rss;
  const inputs = benchInputs();
  const geographies = Object.keys(inputs.geographies).length;
  const cells = Object.values(inputs.geographies).reduce((s, g) => s + Object.keys(g.roles).length, 0);
  heading('inputs');
  note(`${geographies} regions, ${cells} cells (region × role group), base ${inputs.baseYear} + ${inputs.horizon} years, England totals`);
  note(`scenario: ${scenario.levers.length} levers plus the baseline visa policy; ${uncertain.length} uncertain inputs (${uncertain.map((u) => u.name).join(', ')})`);

  heading(`Monte Carlo: ${count(RUNS)} runs × ${geographies} regions × 8 roles × ${inputs.horizon} years, best and median of ${REPEATS}`);
  const model = compileModel(inputs, scenario, uncertain);
  const options = { seed: SEED, runs: RUNS };
  const rows: string[][] = [];
  const results: [string, MonteCarloResult][] = [];
  const measure = async (label: string, fn: () => Promise<MonteCarloResult>, workers: number, target: boolean) => {
    await fn(); // warm-up: JIT in every thread
    const times: number[] = [];
    let result: MonteCarloResult | undefined;
    const cpu = process.cpuUsage();
    for (let i = 0; i < REPEATS; i++) {
      const t = await timeAsync(fn);
      times.push(t.ms);
      result = t.result;
    }
    const { user, system } = process.cpuUsage(cpu);
    const busy = (user + system) / 1000 / times.reduce((a, b) => a + b, 0);
    times.sort((a, b) => a - b);
    const median = percentile(times, 0.5);
    results.push([label, result!]);
    rows.push([label, String(workers), count(times[0]!), count(median), count((RUNS / median) * 1000), percent(busy * 100), target ? verdict(median, TARGET.monteCarloMs) : '']);
  };

  let peakAfterPool = 0;
  const started = await timeAsync(async () => new MonteCarloPool());
  const pool = started.result;
  const firstRun = await timeAsync(() => pool.run(inputs, scenario, uncertain, { seed: SEED, runs: 100 }));
  note(`pool of ${pool.size} workers (os.availableParallelism()): constructed in ${ms(started.ms)} ms; first 100 runs, including the workers' start-up, ${count(firstRun.ms)} ms`);
  const single = new MonteCarloPool({ workers: 1 });
  try {
    await measure(`pool, all cores`, () => pool.run(inputs, scenario, uncertain, options), pool.size, true);
    peakAfterPool = process.resourceUsage().maxRSS * 1024;
    await measure('pool, 1 worker', () => single.run(inputs, scenario, uncertain, options), 1, false);
    await measure('monteCarlo(), this thread', async () => monteCarlo(inputs, scenario, uncertain, options), 0, false);
  } finally {
    await Promise.all([pool.close(), single.close()]);
  }
  printTable(
    [
      { header: 'run' },
      { header: 'workers', align: 'right' },
      { header: 'best ms', align: 'right' },
      { header: 'median ms', align: 'right' },
      { header: 'runs/s', align: 'right' },
      { header: 'CPU', align: 'right' },
      { header: `target ≤ ${count(TARGET.monteCarloMs)} ms` },
    ],
    rows,
  );
  note('CPU: time used by every thread of this process (main and workers) / wall time, in % of one core');
  const identical = results.every(([, r]) => isDeepStrictEqual(r, results[0]![1]));
  note(`results identical across all three (seed ${SEED}): ${identical ? 'yes' : 'NO — ' + results.map(([l]) => l).join(', ')}`);

  heading('memory');
  note(`resident memory when this benchmark started (the bench command and every benchmark module loaded): ${bytes(residentAtStart)}`);
  note(`peak resident memory of this process, workers included (resourceUsage().maxRSS), after the runs on all cores: ${bytes(peakAfterPool)}`);
  note(`results held per Monte Carlo: ${bytes(RUNS * resultSize(model) * 8)} (runs × years × 6 measures × 8 bytes)`);

  heading(`deterministic projection: ${PROJECTIONS.measured} runs after ${PROJECTIONS.warmup} warm-up`);
  const projection = timeIt(() => project(inputs, scenario), PROJECTIONS.warmup, PROJECTIONS.measured);
  const medians = Float64Array.from(uncertain, (u) => quantile(u.distribution, 0.5));
  const out = new Float64Array(resultSize(model));
  const kernelRun = timeIt(() => runModel(model, medians, 1, out), 500, 2000);
  const compile = timeIt(() => compileModel(inputs, scenario, uncertain), 5, 50);
  const referenceRun = timeIt(
    () => {
      const drawn = applyMultipliers(inputs, scenario, uncertain, Array.from(medians));
      project(drawn.inputs, drawn.scenario);
    },
    10,
    100,
  );
  printTable(
    [{ header: 'what' }, { header: 'median ms', align: 'right' }, { header: 'p95 ms', align: 'right' }, { header: `target ≤ ${TARGET.projectionMs} ms` }],
    [
      ['project(): every row, region, role and year', ms(percentile(projection, 0.5)), ms(percentile(projection, 0.95)), verdict(percentile(projection, 0.5), TARGET.projectionMs)],
      ['compileModel() (once per Monte Carlo)', ms(percentile(compile, 0.5)), ms(percentile(compile, 0.95)), ''],
      ['runModel(): one Monte Carlo run (England headline figures)', ms3(percentile(kernelRun, 0.5)), ms3(percentile(kernelRun, 0.95)), ''],
      ['reference: applyMultipliers() + project(), one run', ms(percentile(referenceRun, 0.5)), ms(percentile(referenceRun, 0.95)), ''],
    ],
  );

  note(
    `for comparison, the reference path (applyMultipliers() + project() per run, as before the kernel) ` +
      `would take ~${count(percentile(referenceRun, 0.5) * RUNS)} ms for ${count(RUNS)} runs in one thread`,
  );

  note(`peak resident memory at the end (after every measurement above): ${bytes(process.resourceUsage().maxRSS * 1024)}`);
}

/** Milliseconds with three decimals, for runs well under a millisecond. */
function ms3(n: number): string {
  return n.toFixed(3);
}

export const workforceModel: Benchmark = {
  name: 'workforce',
  title: 'the workforce model: one projection (target ≤ 5 ms) and 10,000 Monte Carlo runs on every core (target ≤ 1 s)',
  run,
};
