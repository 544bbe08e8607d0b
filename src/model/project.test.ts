// The projection's arithmetic: a case worked by hand, conservation of people, recruitment within
// vacancies and pools, lever ramps and the pay calibration, and England as the sum of regions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BASELINE_POLICY_LEVERS, DEFAULT_PARAMETERS, headlineGap, payTurnover, project, rampShare, rowFor } from './project.ts';
import { regionalInputs, roleInputs, src } from './test-fixtures.ts';
import { ENGLAND, REGIONS, ROLE_GROUPS } from './types.ts';
import type { Lever, ModelInputs, Scenario } from './types.ts';

const LONDON = 'E12000007';
const plain: Scenario = { name: 'plain', levers: [], baselinePolicy: false };

function tiny(extra: Partial<ModelInputs> = {}): ModelInputs {
  return {
    baseYear: 2024,
    horizon: 2,
    geographies: {
      [LONDON]: { roles: { care_worker: roleInputs() }, population: { '65+': src({ 2024: 100, 2025: 110, 2026: 120 }) } },
    },
    progression: [],
    parameters: DEFAULT_PARAMETERS,
    ...extra,
  };
}

const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-6, `${what}: ${actual} ≠ ${expected}`);

describe('the projection, worked by hand', () => {
  it('gives the numbers of a one-region, one-role, two-year case', () => {
    // Base 2024: filled 1000, vacancies 100 → base posts 1100; 65+ index 1.0, 1.1, 1.2.
    // Turnover 20%, half leave the sector; retirement 2%; domestic pool 80; international 30.
    const p = project(tiny(), plain);
    const base = rowFor(p, LONDON, 'care_worker', 2024);
    // 2024 (observed): demand 1100, filled 1000, vacancies 100 (9.09%), no flows.
    close(base.demand, 1100, 'demand 2024');
    close(base.filled, 1000, 'filled 2024');
    close(base.vacancyRate, 100 / 1100, 'vacancy rate 2024');
    assert.equal(base.starters, 0);
    const y1 = rowFor(p, LONDON, 'care_worker', 2025);
    // 2025: demand 1100 × 1.1 = 1210. Leavers 1000 × 0.2 × 0.5 = 100; retirements 1000 × 0.02 = 20;
    // remaining 880; open 1210 − 880 = 330; domestic min(330, 80) = 80; international
    // min(330 − 80, 30) = 30; filled 880 + 110 = 990; gap 1210 − 990 = 220 (18.18%).
    close(y1.demand, 1210, 'demand 2025');
    close(y1.leavers, 100, 'leavers 2025');
    close(y1.retirements, 20, 'retirements 2025');
    close(y1.recruitmentNeed, 330, 'need 2025');
    close(y1.domesticStarters, 80, 'domestic 2025');
    close(y1.internationalStarters, 30, 'international 2025');
    close(y1.filled, 990, 'filled 2025');
    close(y1.gap, 220, 'gap 2025');
    close(y1.vacancyRate, 220 / 1210, 'vacancy rate 2025');
    const y2 = rowFor(p, LONDON, 'care_worker', 2026);
    // 2026: demand 1100 × 1.2 = 1320. Leavers 990 × 0.1 = 99; retirements 19.8; remaining 871.2;
    // open 448.8; + 80 + 30 → filled 981.2; gap 338.8.
    close(y2.leavers, 99, 'leavers 2026');
    close(y2.retirements, 19.8, 'retirements 2026');
    close(y2.filled, 981.2, 'filled 2026');
    close(y2.gap, 338.8, 'gap 2026');
    // One region given: England is that region.
    close(rowFor(p, ENGLAND.code, 'all', 2026).gap, 338.8, 'England gap 2026');
  });

  it('recruits only into open posts when the pools could give more', () => {
    // Pools 500 + 300 against 330 open in 2025: domestic fills all 330, none from abroad.
    const inputs = tiny();
    inputs.geographies[LONDON]!.roles.care_worker = roleInputs({ labourPool: 500, internationalRecruits: 300 });
    const y1 = rowFor(project(inputs, plain), LONDON, 'care_worker', 2025);
    close(y1.domesticStarters, 330, 'domestic');
    close(y1.internationalStarters, 0, 'international');
    close(y1.filled, 1210, 'filled meets demand');
    close(y1.vacancies, 0, 'no vacancies');
  });

  it('moves people between roles by the progression rate, within the destination’s open posts', () => {
    // Care worker → senior at 5%: 1000 × 0.05 = 50 move; the senior role (filled 100, vacancies
    // 10 → demand 121 in 2025, remaining 100 − 10 − 2 = 88, room 33) takes only 33.
    const inputs = tiny();
    inputs.geographies[LONDON]!.roles.senior_care_worker = roleInputs({ filledPosts: 100, vacancies: 10, labourPool: 0, internationalRecruits: 0 });
    inputs.progression = [{ from: 'care_worker', to: 'senior_care_worker', rate: src(0.05) }];
    const p = project(inputs, plain);
    close(rowFor(p, LONDON, 'care_worker', 2025).movesOut, 33, 'moves out');
    close(rowFor(p, LONDON, 'senior_care_worker', 2025).movesIn, 33, 'moves in');
    close(rowFor(p, LONDON, 'senior_care_worker', 2025).filled, 121, 'senior filled');
  });
});

describe('the projection, for every region and role', () => {
  const inputs = regionalInputs();
  const scenario: Scenario = { name: 'levers', levers: [{ kind: 'pay_premium', size: 1, startYear: 2026, rampYears: 3 }, { kind: 'attraction', size: 0.2, startYear: 2027, rampYears: 2 }] };
  const p = project(inputs, scenario);

  it('conserves people: filled next = filled − leavers − retirements + starters + moves in − moves out', () => {
    for (const r of p.rows.filter((row) => row.year > 2024)) {
      const before = rowFor(p, r.geography, r.role, r.year - 1).filled;
      close(r.filled, before - r.leavers - r.retirements + r.starters + r.movesIn - r.movesOut, `${r.geography} ${r.role} ${r.year}`);
    }
  });

  it('never recruits beyond the open posts or beyond either pool', () => {
    for (const r of p.rows.filter((row) => row.year > 2024 && row.role !== 'all' && row.geography !== ENGLAND.code)) {
      const cell = inputs.geographies[r.geography]!.roles[r.role as 'care_worker']!;
      assert.ok(r.starters <= r.recruitmentNeed + 1e-9, `${r.geography} ${r.role} ${r.year} starters within need`);
      assert.ok(r.internationalStarters <= cell.internationalRecruits.value + 1e-9, 'international within its number');
      // The pool may grow with attraction (+20%) and pay (ratio × retention gain, under 10%).
      assert.ok(r.domesticStarters <= cell.labourPool.value * 1.2 * 1.1, 'domestic within the pool');
      assert.ok(r.filled <= r.demand + 1e-6 || r.starters === 0, 'recruits never overfill');
    }
  });

  it('adds the regions up to England, by role and in all', () => {
    for (const year of [2024, 2032, 2040]) {
      for (const role of [...ROLE_GROUPS, 'all' as const]) {
        const sum = REGIONS.reduce((s, region) => s + rowFor(p, region.code, role, year).filled, 0);
        close(rowFor(p, ENGLAND.code, role, year).filled, sum, `England ${role} ${year}`);
      }
    }
    const e = rowFor(p, ENGLAND.code, 'all', 2040);
    close(e.vacancyRate, e.vacancies / e.demand, 'England vacancy rate from its sums');
    assert.deepEqual(p.years, Array.from({ length: 17 }, (_, i) => 2024 + i));
  });

  it('is deterministic', () => {
    assert.deepEqual(project(inputs, scenario), p);
  });
});

describe('levers', () => {
  it('ramp from their start year to full effect over their ramp years', () => {
    const lever = { startYear: 2026, rampYears: 4 };
    assert.deepEqual([2025, 2026, 2027, 2028, 2029, 2030].map((y) => rampShare(lever, y)), [0, 0.25, 0.5, 0.75, 1, 1]);
    assert.deepEqual([2025, 2026].map((y) => rampShare({ startYear: 2026, rampYears: 0 }, y)), [0, 1]);
  });

  it('cut demand by prevention and productivity in the ramped share', () => {
    // Prevention 10% from 2025 over 2 years: 2025 demand 1210 × (1 − 0.05) = 1149.5;
    // 2026 demand 1320 × 0.9 = 1188. Productivity multiplies on top.
    const levers: Lever[] = [{ kind: 'prevention', size: 0.1, startYear: 2025, rampYears: 2 }];
    const p = project(tiny(), { ...plain, levers });
    close(rowFor(p, LONDON, 'care_worker', 2025).demand, 1149.5, 'demand 2025');
    close(rowFor(p, LONDON, 'care_worker', 2026).demand, 1188, 'demand 2026');
    const both = project(tiny(), { ...plain, levers: [...levers, { kind: 'productivity', size: 0.5, startYear: 2026, rampYears: 0 }] });
    close(rowFor(both, LONDON, 'care_worker', 2026).demand, 594, 'demand 2026 with productivity');
  });

  it('calibrate pay on the published turnover: 37.8% at the floor, 31% from £1.50 above, straight between', () => {
    close(payTurnover(0, DEFAULT_PARAMETERS), 0.378, 'at floor');
    close(payTurnover(-1, DEFAULT_PARAMETERS), 0.378, 'below floor');
    close(payTurnover(0.75, DEFAULT_PARAMETERS), 0.344, 'half way');
    close(payTurnover(1.5, DEFAULT_PARAMETERS), 0.31, 'at £1.50');
    close(payTurnover(3, DEFAULT_PARAMETERS), 0.31, 'beyond');
  });

  it('apply the pay ratio to a cell’s own turnover and scale attraction by the strategy’s ratio', () => {
    // Today's premium £0.56 → turnover 0.378 − 0.068 × 0.56/1.5 = 0.352613…; +£0.94 reaches
    // £1.50 → 0.31. Ratio 0.31 / 0.352613 = 0.879152…; leavers 1000 × 0.2 × ratio × 0.5.
    const ratio = 0.31 / (0.378 - 0.068 * (0.56 / 1.5));
    const p = project(tiny(), { ...plain, levers: [{ kind: 'pay_premium', size: 0.94, startYear: 2025, rampYears: 0 }] });
    const y1 = rowFor(p, LONDON, 'care_worker', 2025);
    close(y1.leavers, 100 * ratio, 'leavers');
    close(y1.domesticStarters, 80 * (1 + (180 / 296) * (1 - ratio)), 'domestic recruits');
    // Pay is calibrated on care workers: by default it leaves nurses alone.
    const nurses = tiny();
    nurses.geographies[LONDON]!.roles = { registered_nurse: roleInputs() };
    const n = project(nurses, { ...plain, levers: [{ kind: 'pay_premium', size: 0.94, startYear: 2025, rampYears: 0 }] });
    close(rowFor(n, LONDON, 'registered_nurse', 2025).leavers, 100, 'nurse leavers unchanged');
  });

  it('include the 2025 visa closure by default: international care recruits fall by 3/8 then 3/4', () => {
    // Base 2024, so 2025 is the first ramp year (half of −75%) and 2026 the full cut.
    const p = project(tiny(), { name: 'default', levers: [] });
    close(rowFor(p, LONDON, 'care_worker', 2025).internationalStarters, 30 * 0.625, '2025');
    close(rowFor(p, LONDON, 'care_worker', 2026).internationalStarters, 30 * 0.25, '2026');
    assert.equal(BASELINE_POLICY_LEVERS[0]!.startYear, 2025);
  });

  it('act only in the geographies they name (England meaning everywhere)', () => {
    const inputs = regionalInputs();
    const none = project(inputs, { name: 'none', levers: [] });
    const lever: Lever = { kind: 'prevention', size: 0.1, startYear: 2025, rampYears: 0, geographies: [LONDON] };
    const london = project(inputs, { name: 'london', levers: [lever] });
    const demand = (p: typeof none, geo: string) => rowFor(p, geo, 'all', 2030).demand;
    close(demand(london, LONDON), demand(none, LONDON) * 0.9, 'London cut by 10%');
    assert.equal(demand(london, 'E12000001'), demand(none, 'E12000001'));
    const england = project(inputs, { name: 'england', levers: [{ ...lever, geographies: [ENGLAND.code] }] });
    close(demand(england, 'E12000001'), demand(none, 'E12000001') * 0.9, 'England lever reaches the North East');
  });

  it('close the 2040 gap when they add supply or cut demand', () => {
    const inputs = regionalInputs();
    const none = headlineGap(project(inputs, { name: 'none', levers: [] }));
    for (const lever of [
      { kind: 'pay_premium', size: 1, startYear: 2026, rampYears: 2 },
      { kind: 'attraction', size: 0.2, startYear: 2026, rampYears: 2 },
      { kind: 'training', size: 0.1, startYear: 2026, rampYears: 2 },
      { kind: 'productivity', size: 0.05, startYear: 2026, rampYears: 2 },
      { kind: 'prevention', size: 0.05, startYear: 2026, rampYears: 2 },
      { kind: 'international', size: 0.5, startYear: 2026, rampYears: 2 },
    ] as Lever[]) {
      assert.ok(headlineGap(project(inputs, { name: lever.kind, levers: [lever] })) < none, `${lever.kind} closes the gap`);
    }
  });
});
