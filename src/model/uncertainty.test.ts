// Monte Carlo bands and sensitivity: reproducible by seed, ordered, and ranked by swing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { headlineGap, project } from './project.ts';
import { regionalInputs } from './test-fixtures.ts';
import type { Scenario } from './types.ts';
import { applyMultipliers, monteCarlo, mulberry32, percentile, percentiles, quantile, sensitivity } from './uncertainty.ts';
import type { UncertainInput } from './uncertainty.ts';

const scenario: Scenario = { name: 'base', levers: [{ kind: 'attraction', size: 0.1, startYear: 2026, rampYears: 2 }] };
const tri = (min: number, max: number) => ({ kind: 'triangular' as const, min, mode: 1, max });
const uncertain: UncertainInput[] = [
  { name: 'turnover', target: { kind: 'role_rate', field: 'turnoverRate' }, distribution: tri(0.85, 1.15), source: 'test', vintage: 'test' },
  { name: 'demand growth', target: { kind: 'demand_growth' }, distribution: tri(0.7, 1.3), source: 'test', vintage: 'test' },
  { name: 'retirement', target: { kind: 'role_rate', field: 'retirementRate' }, distribution: tri(0.95, 1.05), source: 'test', vintage: 'test' },
  { name: 'attraction works', target: { kind: 'lever_effect', lever: 'attraction' }, distribution: { kind: 'uniform', min: 0, max: 1 }, source: 'test', vintage: 'test' },
];

describe('the seeded generator and distributions', () => {
  it('gives the same stream for the same seed and another for another seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const sa = Array.from({ length: 5 }, a);
    assert.deepEqual(sa, Array.from({ length: 5 }, b));
    assert.notDeepEqual(sa, Array.from({ length: 5 }, c));
    assert.ok(sa.every((x) => x >= 0 && x < 1));
  });

  it('inverts the triangular and uniform distributions', () => {
    assert.equal(quantile(tri(0, 2), 0.5), 1);
    assert.equal(quantile(tri(0, 2), 0), 0);
    assert.equal(quantile(tri(0, 2), 1), 2);
    assert.ok(Math.abs(quantile({ kind: 'triangular', min: 0, mode: 0, max: 1 }, 0.75) - 0.5) < 1e-12);
    assert.equal(quantile({ kind: 'uniform', min: 2, max: 4 }, 0.25), 2.5);
    assert.equal(percentile([1, 2, 3, 4, 5], 0.1), 1.4);
  });

  it('finds percentiles by selection exactly as on the sorted values', () => {
    const random = mulberry32(5);
    const cases = [
      [7],
      [2, 1],
      [3, 1, 2],
      Array.from({ length: 10_000 }, () => random() * 1e5),
      Array.from({ length: 1001 }, () => Math.floor(random() * 5)),
      Array.from({ length: 500 }, () => 42),
      Array.from({ length: 999 }, (_, i) => i),
      Array.from({ length: 999 }, (_, i) => -i),
    ];
    for (const values of cases) {
      const sorted = [...values].sort((a, b) => a - b);
      const ps = [0.1, 0.5, 0.9, 0.25, 0];
      assert.deepStrictEqual(percentiles(Float64Array.from(values), ps), ps.map((p) => percentile(sorted, p)), `${values.length} values`);
    }
  });

  it('scales role rates, demand growth and lever sizes without changing the originals', () => {
    const inputs = regionalInputs();
    const before = JSON.stringify(inputs);
    const drawn = applyMultipliers(inputs, scenario, uncertain, [1.1, 0.5, 1, 2]);
    assert.equal(JSON.stringify(inputs), before);
    const cell = (i: typeof inputs) => i.geographies.E12000001!.roles.care_worker!;
    assert.ok(Math.abs(cell(drawn.inputs).turnoverRate.value - cell(inputs).turnoverRate.value * 1.1) < 1e-12);
    const pop = (i: typeof inputs, y: string) => i.geographies.E12000001!.population['65+']!.value[y]!;
    assert.ok(Math.abs(pop(drawn.inputs, '2040') - pop(inputs, '2024') - 0.5 * (pop(inputs, '2040') - pop(inputs, '2024'))) < 1e-6);
    assert.equal(drawn.scenario.levers[0]!.size, 0.2);
  });
});

describe('Monte Carlo', () => {
  const inputs = regionalInputs();
  const run = monteCarlo(inputs, scenario, uncertain, { seed: 2024, runs: 60 });

  it('is reproducible with the same seed and differs with another', () => {
    assert.deepEqual(monteCarlo(inputs, scenario, uncertain, { seed: 2024, runs: 60 }), run);
    assert.notDeepEqual(monteCarlo(inputs, scenario, uncertain, { seed: 7, runs: 60 }).headlineGaps, run.headlineGaps);
  });

  it('gives P10 ≤ P50 ≤ P90 for every year and measure, with real spread by 2040', () => {
    assert.equal(run.bands.length, 17 * 6);
    for (const b of run.bands) assert.ok(b.p10 <= b.p50 && b.p50 <= b.p90, `${b.measure} ${b.year}`);
    const gap2040 = run.bands.find((b) => b.year === 2040 && b.measure === 'gap')!;
    assert.ok(gap2040.p90 - gap2040.p10 > 1000, 'uncertain rates widen the band');
    const central = headlineGap(project(inputs, scenario));
    assert.ok(gap2040.p10 < central && central < gap2040.p90, 'the central projection lies inside the band');
  });

  it('refuses bad distributions, seeds and run counts, naming them', () => {
    const bad: UncertainInput = { ...uncertain[0]!, distribution: { kind: 'triangular', min: 1.2, mode: 1, max: 1.1 } };
    assert.throws(() => monteCarlo(inputs, scenario, [bad], { seed: -1, runs: 0 }), /uncertain\[0\]\(turnover\)\.distribution must have min ≤ mode ≤ max; runs must be .*; seed must be/);
  });
});

describe('sensitivity', () => {
  it('ranks inputs by the swing of the 2040 gap from their P10 to their P90', () => {
    const ranked = sensitivity(regionalInputs(), scenario, uncertain);
    assert.deepEqual(ranked.map((r) => r.name).slice(0, 1), ['demand growth']);
    for (let i = 1; i < ranked.length; i++) assert.ok(ranked[i - 1]!.swing >= ranked[i]!.swing);
    const demand = ranked[0]!;
    assert.ok(demand.atP90 > demand.atP10, 'more demand growth, bigger gap');
    assert.equal(demand.swing, demand.atP90 - demand.atP10);
  });

  it('gives the same swings through the kernel as through project() one at a time', () => {
    const fast = sensitivity(regionalInputs(), scenario, uncertain);
    const slow = sensitivity(regionalInputs(), scenario, uncertain, (p) => headlineGap(p));
    assert.equal(fast.length, uncertain.length);
    fast.forEach((f, i) => {
      const s = slow[i]!;
      assert.equal(f.name, s.name);
      for (const k of ['atP10', 'atP90'] as const) assert.ok(Math.abs(f[k] - s[k]) <= 1e-9 * Math.abs(s[k]), `${f.name} ${k}: ${f[k]} vs ${s[k]}`);
    });
  });
});
