// The kernel against the readable specification: for every year and headline measure, the
// kernel's England totals equal project() on applyMultipliers()' inputs (relative difference
// ≤ 1e-12), across levers, caps, policies and every kind of uncertain input; and monteCarlo(),
// now on the kernel, gives exactly what the per-run project() path gives for the same seed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileModel, MEASURES, resultSize, runModel } from './kernel.ts';
import { headlineGap, project, rowFor } from './project.ts';
import { regionalInputs, roleInputs, series, src, tri, uncertainInput } from './test-fixtures.ts';
import { ENGLAND, HEADLINE_MEASURES, REGIONS } from './types.ts';
import type { ModelInputs, Scenario } from './types.ts';
import { applyMultipliers, drawMultipliers, monteCarlo, mulberry32, percentile, quantile } from './uncertainty.ts';
import type { Band, MonteCarloResult, UncertainInput } from './uncertainty.ts';
import { ModelInputError } from './validate.ts';

const input = uncertainInput;

/** Every kind of uncertain input, demand growth twice and one rate on named roles (one named twice). */
const UNCERTAIN: UncertainInput[] = [
  input('turnover', { kind: 'role_rate', field: 'turnoverRate' }, tri(0.85, 1.15)),
  input('sector exit share', { kind: 'role_rate', field: 'sectorExitShare' }, tri(0.7, 2.5)),
  input('retirement (care roles)', { kind: 'role_rate', field: 'retirementRate', roles: ['care_worker', 'senior_care_worker', 'care_worker'] }, tri(0.8, 1.3)),
  input('labour pool', { kind: 'role_rate', field: 'labourPool' }, tri(0.6, 1.4)),
  input('international recruits', { kind: 'role_rate', field: 'internationalRecruits' }, { kind: 'uniform', min: 0.3, max: 1.5 }),
  input('demand growth', { kind: 'demand_growth' }, tri(0.7, 1.3)),
  input('demand growth, older old', { kind: 'demand_growth' }, tri(0.9, 1.2, 1.05)),
  input('pay works', { kind: 'lever_effect', lever: 'pay_premium' }, { kind: 'uniform', min: 0.2, max: 1.6 }),
  input('productivity works', { kind: 'lever_effect', lever: 'productivity' }, tri(0, 1.5)),
  input('international policy works', { kind: 'lever_effect', lever: 'international' }, tri(0.5, 1.2)),
  input('training works', { kind: 'lever_effect', lever: 'training' }, tri(0.5, 1.5)),
];

/** Levers of every kind, with ramps, a pay cut in one region, and limits to roles and places. */
const SCENARIO: Scenario = {
  name: 'every lever',
  driverWeights: { '65+': 0.7, '85+': 0.3 },
  levers: [
    { kind: 'pay_premium', size: 1.2, startYear: 2026, rampYears: 3 },
    { kind: 'pay_premium', size: -0.5, startYear: 2030, rampYears: 0, geographies: ['E12000007'] },
    { kind: 'attraction', size: 0.15, startYear: 2027, rampYears: 2 },
    { kind: 'international', size: 0.4, startYear: 2028, rampYears: 4, roles: ['care_worker', 'registered_nurse'] },
    { kind: 'training', size: 0.08, startYear: 2025, rampYears: 2 },
    { kind: 'productivity', size: 0.05, startYear: 2027, rampYears: 5, geographies: ['E12000001', 'E12000009'] },
    { kind: 'prevention', size: 0.03, startYear: 2024, rampYears: 3 },
  ],
};

/** The regional fixture with moves large enough that both caps bind. */
function inputsWithCaps(): ModelInputs {
  const inputs = regionalInputs();
  inputs.progression = [
    ...inputs.progression,
    { from: 'other', to: 'care_worker', rate: src(0.25) },
    { from: 'care_worker', to: 'registered_manager', rate: src(0.2) },
    { from: 'senior_care_worker', to: 'registered_manager', rate: src(0.6) },
  ];
  return inputs;
}

/** The England all-roles headline figures of project() on applyMultipliers()' inputs. */
function reference(inputs: ModelInputs, scenario: Scenario, uncertain: readonly UncertainInput[], multipliers: readonly number[]) {
  const drawn = applyMultipliers(inputs, scenario, uncertain, multipliers);
  const p = project(drawn.inputs, drawn.scenario);
  return { projection: p, figures: p.years.map((year) => HEADLINE_MEASURES.map((m) => rowFor(p, ENGLAND.code, 'all', year)[m])) };
}

function kernel(inputs: ModelInputs, scenario: Scenario, uncertain: readonly UncertainInput[], vectors: readonly (readonly number[])[]): Float64Array {
  const model = compileModel(inputs, scenario, uncertain);
  const out = new Float64Array(vectors.length * resultSize(model));
  runModel(model, Float64Array.from(vectors.flat()), vectors.length, out);
  return out;
}

function assertSameFigures(inputs: ModelInputs, scenario: Scenario, uncertain: readonly UncertainInput[], vectors: readonly (readonly number[])[]): void {
  const out = kernel(inputs, scenario, uncertain, vectors);
  vectors.forEach((vector, run) => {
    const { projection, figures } = reference(inputs, scenario, uncertain, vector);
    assert.equal(figures.length * MEASURES, out.length / vectors.length);
    figures.forEach((values, y) =>
      values.forEach((expected, m) => {
        const actual = out[(run * figures.length + y) * MEASURES + m]!;
        const relative = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
        assert.ok(
          actual === expected || relative <= 1e-12,
          `run ${run} ${projection.years[y]} ${HEADLINE_MEASURES[m]}: kernel ${actual} ≠ project() ${expected}`,
        );
      }),
    );
  });
}

/** Medians, every input at its minimum, at its maximum, and draws from a seeded stream. */
function vectorsFor(uncertain: readonly UncertainInput[], draws = 6): number[][] {
  const random = mulberry32(77);
  return [
    uncertain.map((u) => quantile(u.distribution, 0.5)),
    uncertain.map((u) => u.distribution.min),
    uncertain.map((u) => u.distribution.max),
    ...Array.from({ length: draws }, () => uncertain.map((u) => quantile(u.distribution, random()))),
  ];
}

describe('the kernel gives project()’s numbers', () => {
  it('for every year and headline measure, with every lever kind and every kind of uncertain input', () => {
    assertSameFigures(inputsWithCaps(), SCENARIO, UNCERTAIN, vectorsFor(UNCERTAIN));
  });

  it('where the progression caps bind, on the sending side and on the receiving side', () => {
    // Sending: care workers move up at 95% a year, more than the 880 left after 100 leavers and
    // 20 retirements, into senior posts with room for them all, so all 880 move.
    const sending: ModelInputs = {
      ...regionalInputs(),
      geographies: {
        [REGIONS[6].code]: {
          roles: { care_worker: roleInputs(), senior_care_worker: roleInputs({ filledPosts: 100, vacancies: 2000 }) },
          population: { '65+': src(series(2024, 16, 100, 0.1)) },
        },
      },
      progression: [{ from: 'care_worker', to: 'senior_care_worker', rate: src(0.95) }],
    };
    const plain: Scenario = { name: 'plain', levers: [], baselinePolicy: false };
    const moved = rowFor(project(sending, plain), REGIONS[6].code, 'care_worker', 2025);
    assert.equal(moved.movesOut, 880);
    assertSameFigures(sending, plain, UNCERTAIN.slice(0, 6), vectorsFor(UNCERTAIN.slice(0, 6), 3));
    // Receiving: senior care workers move on at 60% a year into far fewer manager posts.
    const inputs = inputsWithCaps();
    const p = project(inputs, SCENARIO);
    const senior = rowFor(p, REGIONS[0].code, 'senior_care_worker', 2026);
    const seniorBefore = rowFor(p, REGIONS[0].code, 'senior_care_worker', 2025).filled;
    const managers = rowFor(p, REGIONS[0].code, 'registered_manager', 2026);
    assert.ok(senior.movesOut < 0.6 * seniorBefore - senior.leavers - senior.retirements, 'fewer move than the source could send');
    assert.ok(managers.recruitmentNeed === 0 && managers.vacancies < 1e-9, 'the receiving role is full: moves in were capped at its open posts');
    assertSameFigures(inputs, SCENARIO, UNCERTAIN, vectorsFor(UNCERTAIN, 2));
  });

  it('with no uncertain inputs, without the baseline policy, and with a pay cut everywhere', () => {
    const scenario: Scenario = { name: 'cut', baselinePolicy: false, levers: [{ kind: 'pay_premium', size: -2, startYear: 2025, rampYears: 2 }] };
    assertSameFigures(inputsWithCaps(), scenario, [], [[]]);
    assertSameFigures(inputsWithCaps(), { name: 'default policy', levers: [] }, UNCERTAIN.slice(0, 6), vectorsFor(UNCERTAIN.slice(0, 6), 3));
  });

  it('for England alone, and for some regions given in any order', () => {
    const england: ModelInputs = {
      ...regionalInputs(),
      geographies: { [ENGLAND.code]: regionalInputs().geographies[REGIONS[4].code]! },
    };
    assertSameFigures(england, SCENARIO, UNCERTAIN, vectorsFor(UNCERTAIN, 2));
    const some = inputsWithCaps();
    const London = some.geographies[REGIONS[6].code]!;
    London.roles = { care_worker: roleInputs({ filledPosts: 5000, vacancies: 900 }), registered_manager: roleInputs({ filledPosts: 100, vacancies: 5 }) };
    London.population['65+'] = src(series(2024, 16, 900_000, -0.01));
    some.geographies = { [REGIONS[8].code]: some.geographies[REGIONS[8].code]!, [REGIONS[6].code]: London };
    assertSameFigures(some, SCENARIO, UNCERTAIN, vectorsFor(UNCERTAIN, 3));
  });

  it('refuses arrays too short for the runs asked for', () => {
    const model = compileModel(regionalInputs(), SCENARIO, UNCERTAIN);
    assert.throws(() => runModel(model, new Float64Array(UNCERTAIN.length), 2, new Float64Array(2 * resultSize(model))), /2 runs need 22 multipliers/);
    assert.throws(() => runModel(model, new Float64Array(2 * UNCERTAIN.length), 2, new Float64Array(resultSize(model))), /results/);
  });

  it('reports progress every so many runs and after the last', () => {
    const model = compileModel(regionalInputs(), SCENARIO, []);
    const seen: number[] = [];
    runModel(model, new Float64Array(0), 7, new Float64Array(7 * resultSize(model)), (done) => seen.push(done), 3);
    assert.deepEqual(seen, [3, 6, 7]);
  });
});

/** monteCarlo() as it was before the kernel: one project() per run, rows looked up, sorted with a comparator. */
function perRunMonteCarlo(inputs: ModelInputs, scenario: Scenario, uncertain: readonly UncertainInput[], options: { seed: number; runs: number }): MonteCarloResult {
  const random = mulberry32(options.seed);
  const projections = Array.from({ length: options.runs }, () => {
    const multipliers = uncertain.map((u) => quantile(u.distribution, random()));
    const drawn = applyMultipliers(inputs, scenario, uncertain, multipliers);
    return project(drawn.inputs, drawn.scenario);
  });
  const bands: Band[] = [];
  for (const year of projections[0]!.years) {
    const rows = projections.map((p) => rowFor(p, ENGLAND.code, 'all', year));
    for (const measure of HEADLINE_MEASURES) {
      const values = rows.map((r) => r[measure]).sort((a, b) => a - b);
      bands.push({ year, measure, p10: percentile(values, 0.1), p50: percentile(values, 0.5), p90: percentile(values, 0.9) });
    }
  }
  return { seed: options.seed, runs: options.runs, bands, headlineGaps: projections.map((p) => headlineGap(p)) };
}

describe('monteCarlo() on the kernel', () => {
  it('gives exactly the per-run project() result for the same seed', () => {
    const inputs = inputsWithCaps();
    for (const [uncertain, runs] of [
      [UNCERTAIN, 40],
      [UNCERTAIN.slice(0, 3), 25],
      [[], 3],
    ] as const) {
      assert.deepStrictEqual(monteCarlo(inputs, SCENARIO, uncertain, { seed: 2024, runs }), perRunMonteCarlo(inputs, SCENARIO, uncertain, { seed: 2024, runs }));
    }
  });

  it('draws each run’s multipliers in declaration order from one stream', () => {
    const draws = drawMultipliers(UNCERTAIN, { seed: 9, runs: 3 });
    const random = mulberry32(9);
    const expected = Array.from({ length: 3 }, () => UNCERTAIN.map((u) => quantile(u.distribution, random()))).flat();
    assert.deepStrictEqual(Array.from(draws), expected);
  });

  it('refuses a run whose drawn inputs would be invalid, as project() did, and only then', () => {
    // A training lever of 0.6 scaled by up to 1.7: a draw above 1/0.6 makes it 1 or more.
    const scenario: Scenario = { name: 'training', levers: [{ kind: 'training', size: 0.6, startYear: 2026, rampYears: 1 }] };
    const works = [input('training works', { kind: 'lever_effect', lever: 'training' }, { kind: 'uniform', min: 0.5, max: 1.7 })];
    const inputs = regionalInputs();
    const fine = { seed: 2, runs: 5 };
    assert.ok(drawMultipliers(works, fine).every((m) => m * 0.6 < 1), 'no draw of this seed breaks the lever');
    assert.deepStrictEqual(monteCarlo(inputs, scenario, works, fine), perRunMonteCarlo(inputs, scenario, works, fine));
    const many = { seed: 1, runs: 500 };
    assert.ok(drawMultipliers(works, many).some((m) => m * 0.6 >= 1), 'some draw of this seed breaks the lever');
    assert.throws(() => monteCarlo(inputs, scenario, works, many), (error: unknown) => {
      assert.ok(error instanceof ModelInputError);
      assert.match(error.message, /scenario\.levers\[0\]\.size must be a share between -1 and 1/);
      return true;
    });
  });
});
