// The workforce model around the engine, on the shipped datasets: the published method
// reproduced by hand, mass balance, delivery weighting, stored and replayed runs, imports that
// are all or nothing, and bad parameters named by field.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eq, sql } from 'drizzle-orm';
import { parseCsv, type Table } from '../../platform/files/spreadsheet.ts';
import { InputError } from '../../platform/http/validation.ts';
import { ConflictError } from '../../platform/http/errors.ts';
import { datasetsDir } from '../../platform/paths.ts';
import { systemActor } from '../../platform/audit/audit.ts';
import { auditEvents } from '../../platform/audit/schema.ts';
import { createTestApp, type TestApp } from '../../testing.ts';
import { ENGLAND, REGIONS, ROLE_GROUPS } from '../../model/types.ts';
import { items } from '../strategy/schema.ts';
import { users } from '../accounts/schema.ts';
import { workforceDatasets, workforceRuns } from './schema.ts';
import type { RunResult } from './service.ts';

const shipped = (folder: string, file: string) => parseCsv(readFileSync(path.join(datasetsDir, folder, file)));
const population = shipped('population-snpp2022', 'population.csv').rows.map((r) => r.values);
const workforce = shipped('workforce-base-2023', 'workforce.csv').rows.map((r) => r.values);
const pop = (area: string, band: string, year: number) => Number(population.find((r) => r.area_code === area && r.age_band === band && r.year === String(year))!.population);

const england = (result: RunResult, year: number, variant: 'baseline' | 'deliveryAdjusted' = 'baseline') =>
  result[variant].rows.find((r) => r.geography === ENGLAND.code && r.role === 'all' && r.year === year)!;

function assertProblem(error: unknown, field: string, message: RegExp): true {
  assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
  const problem = error.problems.find((p) => p.field === field);
  assert.ok(problem, `no problem for ${field}: ${JSON.stringify(error.problems)}`);
  assert.match(problem.message, message);
  return true;
}

const file = (name: string) => ({ name, source: 'Test source', vintage: 'test', licence: 'OGL', fileName: `${name}.csv`, sha256: 'x' });
const withoutRows = (table: Table, drop: (v: Record<string, string>) => boolean): Table => ({ ...table, rows: table.rows.filter((r) => !drop(r.values)) });

describe('workforce model on the shipped data', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp('demo');
  });
  after(async () => t.close());

  const countRuns = async () => (await t.database.db.select({ n: sql<number>`count(*)::int` }).from(workforceRuns))[0]!.n;

  it('loads the population projection and the workforce base with their provenance', async () => {
    const current = await t.services.workforce.currentDatasets();
    assert.ok(current);
    assert.equal(current.population.vintage, '2022-based SNPP (migration category variant)');
    assert.deepEqual([current.population.firstYear, current.population.lastYear], [2022, 2047]);
    assert.equal(current.workforce.firstYear, 2023);
    const inputs = await t.services.workforce.inputs(2040);
    assert.equal(inputs.baseYear, 2023);
    assert.equal(inputs.horizon, 17);
    const cells = Object.values(inputs.geographies).flatMap((g) => ROLE_GROUPS.map((r) => g.roles[r]!));
    assert.equal(cells.length, 72);
    // The published 2023/24 totals: 1,705,000 filled and 131,000 vacant posts.
    assert.ok(Math.abs(cells.reduce((s, c) => s + c.filledPosts.value, 0) - 1_705_000) < 1);
    assert.ok(Math.abs(cells.reduce((s, c) => s + c.vacancies.value, 0) - 131_000) < 1);
    assert.match(cells[0]!.turnoverRate.source, /Skills for Care/);
    assert.match(inputs.geographies.E12000007!.population['65+']!.source, /Office for National Statistics/);
  });

  it('reproduces the published method (posts grow with the 65+ population) as worked by hand from the files', async () => {
    const result = await t.services.workforce.run({ scenario: 'published-method', runs: 0 });
    // By hand: each region's 2023/24 posts (filled + vacant, all roles) × its 65+ population 2040 ÷ 2023.
    let base = 0;
    let need2040 = 0;
    for (const region of REGIONS) {
      const posts = workforce
        .filter((r) => r.area_code === region.code && (r.measure === 'filled_posts' || r.measure === 'vacancies'))
        .reduce((s, r) => s + Number(r.value), 0);
      base += posts;
      need2040 += (posts * pop(region.code, '65+', 2040)) / pop(region.code, '65+', 2023);
    }
    assert.ok(Math.abs(england(result, 2023).demand - base) < 1e-6);
    assert.ok(Math.abs(england(result, 2040).demand - need2040) < 1e-6);
    const extra = need2040 - base;
    assert.ok(extra > 550_000 && extra < 575_000, `extra posts ${extra}`);
    const methodology = await t.services.workforce.methodology();
    assert.ok(methodology?.publishedMethod);
    assert.ok(Math.abs(methodology.publishedMethod.extraPosts - extra) < 1e-6);
    assert.equal(methodology.publishedMethod.published.extraPosts, 540_000);
    const growth65 = pop(ENGLAND.code, '65+', 2040) / pop(ENGLAND.code, '65+', 2023) - 1;
    assert.ok(Math.abs(methodology.publishedMethod.population65Growth - growth65) < 1e-9);
  });

  it('keeps mass balance every year: stock + starters + moves in − leavers − retirements − moves out = next stock', async () => {
    const result = await t.services.workforce.run({ scenario: 'real-living-wage', runs: 0 });
    for (const variant of ['baseline', 'deliveryAdjusted'] as const) {
      const rows = result[variant].rows;
      for (const row of rows.filter((r) => r.year > result.baseYear)) {
        const prior = rows.find((r) => r.geography === row.geography && r.role === row.role && r.year === row.year - 1)!;
        const balance = prior.filled + row.starters + row.movesIn - row.leavers - row.retirements - row.movesOut;
        assert.ok(Math.abs(balance - row.filled) < 1e-6 * Math.max(1, row.filled), `${variant} ${row.geography} ${row.role} ${row.year}`);
      }
    }
  });

  it('weights items by delivery status: in-progress and complete items close the gap, not-started ones are worth nothing until they move', async () => {
    const before = await t.services.workforce.run({ scenario: 'current-policy', runs: 0 });
    assert.ok(england(before, 2040, 'deliveryAdjusted').gap < england(before, 2040).gap);
    const worth = (r: RunResult, code: string) => r.items.find((i) => i.code === code)!;
    assert.equal(worth(before, 'TR-02').status, 'in_progress');
    assert.equal(worth(before, 'TR-02').weight, 0.5);
    assert.ok(worth(before, 'TR-02').change < 0);
    assert.equal(worth(before, 'AR-07').change, 0);
    // The attraction plan is delivered: it now counts in full.
    const [ar07] = await t.database.db.select().from(items).where(eq(items.code, 'AR-07'));
    await t.database.db.transaction((tx) => t.services.strategy.applyProgress(tx, systemActor, ar07!.id, { status: 'complete', note: 'Done', asOf: '2026-11-01' }));
    const afterDelivery = await t.services.workforce.run({ scenario: 'current-policy', runs: 0 });
    assert.notEqual(afterDelivery.hash, before.hash);
    assert.ok(worth(afterDelivery, 'AR-07').change < 0);
    assert.equal(worth(afterDelivery, 'AR-07').weight, 1);
    assert.ok(england(afterDelivery, 2040, 'deliveryAdjusted').gap < england(before, 2040, 'deliveryAdjusted').gap);
    assert.equal(england(afterDelivery, 2040).gap, england(before, 2040).gap, 'the baseline ignores items');
    const itemPage = await t.services.workforce.itemWorth('AR-07');
    assert.equal(itemPage?.item?.change, worth(afterDelivery, 'AR-07').change);
  });

  it('gives the same numbers for the same seed, and bands that hold the median', async () => {
    const a = await t.services.workforce.run({ scenario: 'current-policy', runs: 40, seed: 7 });
    const b = await t.services.workforce.run({ scenario: 'current-policy', runs: 40, seed: 7 });
    const c = await t.services.workforce.run({ scenario: 'current-policy', runs: 40, seed: 8 });
    assert.deepEqual(a.deliveryAdjusted.bands, b.deliveryAdjusted.bands);
    assert.equal(a.hash, b.hash);
    assert.notEqual(a.hash, c.hash);
    assert.notDeepEqual(a.deliveryAdjusted.bands, c.deliveryAdjusted.bands);
    const gap = a.deliveryAdjusted.bands!.find((x) => x.year === 2040 && x.measure === 'gap')!;
    assert.ok(gap.p10 < gap.p50 && gap.p50 < gap.p90);
    assert.ok(a.sensitivity.length === a.uncertain.length && a.sensitivity[0]!.swing >= a.sensitivity.at(-1)!.swing);
  });

  it('stores a published scenario’s default view once, with an audit event, and replays it exactly', async () => {
    const runs = await countRuns();
    const first = await t.services.workforce.run({ scenario: 'age-mix-demand', runs: 1000 });
    assert.equal(first.stored, true);
    assert.equal(await countRuns(), runs + 1);
    const again = await t.services.workforce.run({ scenario: 'age-mix-demand' });
    assert.equal(again.id, first.id);
    assert.equal(await countRuns(), runs + 1);
    const audit = await t.database.db.select().from(auditEvents).where(eq(auditEvents.action, 'workforce.run'));
    assert.ok(audit.some((e) => e.objectId === String(first.id)));
    const replay = await t.services.workforce.reproduce(first.id!);
    assert.equal(replay.sameHash, true);
    assert.equal(replay.sameResult, true);
    // A custom scenario, or another seed, is computed and not stored.
    const custom = await t.services.workforce.run({ scenario: { levers: [{ kind: 'training', size: 0.1, startYear: 2026, rampYears: 2 }] }, runs: 0 });
    assert.equal(custom.stored, false);
    assert.equal(await countRuns(), runs + 1);
  });

  it('moves the gap the right way as levers grow (monotonic on the real data)', async () => {
    const gap = async (kind: string, size: number) =>
      england(await t.services.workforce.run({ scenario: { levers: size ? [{ kind, size, startYear: 2026, rampYears: 3 }] : [] }, runs: 0 }), 2040).gap;
    const none = await gap('training', 0);
    for (const kind of ['pay_premium', 'attraction', 'training', 'productivity', 'prevention']) {
      const small = await gap(kind, 0.1);
      const large = await gap(kind, 0.3);
      assert.ok(large < small && small < none, `${kind}: ${none} > ${small} > ${large}`);
    }
  });

  it('names the field for impossible parameters and stores nothing', async () => {
    const runs = await countRuns();
    const run = (request: unknown) => t.services.workforce.run(request);
    await assert.rejects(run({ scenario: { levers: [{ kind: 'training', size: 1, startYear: 2026, rampYears: 1 }] } }), (e) =>
      assertProblem(e, 'scenario.levers[0].size', /between -1 and 1/),
    );
    await assert.rejects(run({ scenario: { levers: [{ kind: 'international', size: -1.5, startYear: 2026, rampYears: 1 }] } }), (e) =>
      assertProblem(e, 'scenario.levers[0].size', /below none/),
    );
    await assert.rejects(run({ scenario: { inProgressWeight: 1.5 } }), (e) => assertProblem(e, 'scenario.inProgressWeight', /1 or less/));
    await assert.rejects(run({ scenario: { inProgressWeight: -0.2 } }), (e) => assertProblem(e, 'scenario.inProgressWeight', /0 or more/));
    await assert.rejects(run({ scenario: 'current-policy', to: 2060 }), (e) => assertProblem(e, 'scenario.to', /between 2024 and 2047/));
    await assert.rejects(run({ geography: 'E12000099' }), (e) => assertProblem(e, 'geography', /not england, regions, or an English region/));
    await assert.rejects(run({ runs: 20_000 }), (e) => assertProblem(e, 'runs', /10000 or fewer/));
    await assert.rejects(run({ scenario: 'no-such-scenario' }), (e) => assertProblem(e, 'scenario', /not a saved scenario/));
    await assert.rejects(run({ scenario: { driver: { kind: 'age_mix', shares: { '18-64': 0.5, '65-84': 0.5, '85+': 0.5 } } } }), (e) =>
      assertProblem(e, 'scenario.driver.shares', /add up to 1/),
    );
    assert.equal(await countRuns(), runs);
  });

  it('saves scenarios with their author, refuses a duplicate name and a stale edit, and keeps current policy', async () => {
    const [admin] = await t.database.db.insert(users).values({ email: 'analyst@example.org', name: 'Ann Analyst', role: 'strategy_team' }).returning();
    const params = { driver: { kind: 'age65' }, baselinePolicy: true, levers: [{ kind: 'pay_premium', size: 1, startYear: 2027, rampYears: 2 }], inProgressWeight: 0.5, to: 2040 };
    const saved = await t.services.workforce.saveScenario(systemActor, admin!.id, { name: 'Pay £1 above the floor', description: 'Option 3', published: false, params });
    assert.equal(saved.slug, 'pay-1-above-the-floor');
    assert.equal(saved.authorId, admin!.id);
    assert.equal((await t.services.workforce.scenarios({ publishedOnly: true })).some((s) => s.slug === saved.slug), false);
    await assert.rejects(t.services.workforce.saveScenario(systemActor, admin!.id, { name: 'pay £1 ABOVE the floor', params }), (e) => assertProblem(e, 'name', /already exists/));
    const updated = await t.services.workforce.saveScenario(systemActor, admin!.id, { name: saved.name, published: true, params }, { slug: saved.slug, version: saved.version });
    assert.equal(updated.version, 2);
    await assert.rejects(t.services.workforce.saveScenario(systemActor, admin!.id, { name: saved.name, params }, { slug: saved.slug, version: 1 }), ConflictError);
    await assert.rejects(
      t.services.workforce.saveScenario(systemActor, admin!.id, { name: 'Too far', params: { ...params, to: 2050 } }),
      (e) => assertProblem(e, 'params.to', /between 2024 and 2047/),
    );
    const run = await t.services.workforce.run({ scenario: 'Pay £1 above the floor', runs: 0 });
    assert.equal(run.scenario.slug, saved.slug);
    await t.services.workforce.deleteScenario(systemActor, saved.slug);
    assert.equal(await t.services.workforce.scenario(saved.slug), undefined);
    await assert.rejects(t.services.workforce.deleteScenario(systemActor, 'current-policy'), InputError);
  });

  it('replaces the levers an item declares, audited, and the item’s worth follows', async () => {
    await t.services.workforce.setItemLevers(systemActor, 'TR-02', [{ kind: 'training', size: 0.2, startYear: 2025, rampYears: 2, source: 'Test' }]);
    const item = await t.services.workforce.leversOf('TR-02');
    assert.deepEqual(item?.levers, [{ kind: 'training', size: 0.2, startYear: 2025, rampYears: 2, source: 'Test' }]);
    await assert.rejects(t.services.workforce.setItemLevers(systemActor, 'TR-02', [{ kind: 'magic', size: 1, startYear: 2025, rampYears: 1 }]), (e) =>
      assertProblem(e, 'levers.0.kind', /must be one of/),
    );
    await assert.rejects(t.services.workforce.setItemLevers(systemActor, 'TR-02', [{ kind: 'productivity', size: 1.2, startYear: 2025, rampYears: 1 }]), (e) =>
      assertProblem(e, 'items[0](TR-02).levers[0].size', /between -1 and 1/),
    );
    const audit = await t.database.db.select().from(auditEvents).where(eq(auditEvents.action, 'workforce.item-levers.update'));
    assert.equal(audit.length, 1);
  });

  it('works out what levers delivered in full are worth, writing nothing', async () => {
    const runsBefore = (await t.database.db.select().from(workforceRuns)).length;
    const none = await t.services.workforce.worthOfLevers([]);
    assert.ok(none);
    assert.equal(none.change, 0);
    assert.equal(none.with, none.without);
    const training = await t.services.workforce.worthOfLevers([{ kind: 'training', size: 0.05, startYear: 2027, rampYears: 3 }]);
    assert.ok(training);
    assert.equal(training.to, 2040);
    assert.equal(training.without, none.without, 'the same baseline');
    assert.ok(training.change < 0, `fewer leavers close the gap (${training.change})`);
    assert.equal(training.change, training.with - training.without);
    const bigger = await t.services.workforce.worthOfLevers([{ kind: 'training', size: 0.1, startYear: 2027, rampYears: 3 }]);
    assert.ok(bigger!.change < training.change, 'a bigger lever closes more of the gap');
    await assert.rejects(() => t.services.workforce.worthOfLevers([{ kind: 'training', size: 'lots', startYear: 2027, rampYears: 3 }]), (e) => assertProblem(e, 'levers.0.size', /number/));
    assert.equal((await t.database.db.select().from(workforceRuns)).length, runsBefore, 'no run stored');
  });
});

describe('importing newer datasets', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp('demo');
  });
  after(async () => t.close());

  const datasetCount = async () => (await t.database.db.select({ n: sql<number>`count(*)::int` }).from(workforceDatasets))[0]!.n;
  const populationTable = () => shipped('population-snpp2022', 'population.csv');
  const workforceTable = () => shipped('workforce-base-2023', 'workforce.csv');

  it('refuses a population projection with gaps, listing the missing cells, and writes nothing', async () => {
    const before = await datasetCount();
    const gappy = withoutRows(populationTable(), (v) => v.area_code === 'E12000007' && v.age_band === '85+' && (v.year === '2031' || v.year === '2032'));
    const result = await t.services.workforce.importDataset('population', gappy, file('gappy'), systemActor);
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.match(result.problems[0]!.message, /2 missing cells: London \(E12000007\) 85\+ 2031; London \(E12000007\) 85\+ 2032/);
    assert.equal(await datasetCount(), before);
  });

  it('names the row and column of a bad cell, an unknown region and a rate over 100%', async () => {
    const table = populationTable();
    table.rows[4]!.values = { ...table.rows[4]!.values, population: '-5' };
    table.rows[9]!.values = { ...table.rows[9]!.values, area_code: 'E12000099' };
    const result = await t.services.workforce.importDataset('population', table, file('bad'), systemActor);
    assert.ok(!result.ok);
    assert.deepEqual(
      result.problems.map((p) => [p.row, p.column]),
      [
        [6, 'population'],
        [11, 'area_code'],
      ],
    );
    const base = workforceTable();
    const turnover = base.rows.findIndex((r) => r.values.measure === 'turnover_rate');
    base.rows[turnover]!.values = { ...base.rows[turnover]!.values, value: '1.5' };
    const bad = await t.services.workforce.importDataset('workforce', base, file('bad base'), systemActor);
    assert.ok(!bad.ok);
    assert.equal(bad.problems[0]!.row, turnover + 2);
    assert.match(bad.problems[0]!.message, /between 0 and 1/);
    const missing = withoutRows(workforceTable(), (v) => v.area_code === 'E12000001' && v.role === 'registered_nurse' && v.measure === 'labour_pool');
    const gap = await t.services.workforce.importDataset('workforce', missing, file('gap'), systemActor);
    assert.ok(!gap.ok);
    assert.match(gap.problems[0]!.message, /1 missing cell: North East \(E12000001\) registered_nurse labour_pool/);
  });

  it('makes a newer workforce base the one the model reads, audited', async () => {
    const before = await t.services.workforce.run({ scenario: 'published-method', runs: 0 });
    const doubled = workforceTable();
    for (const r of doubled.rows) if (r.values.measure === 'vacancies') r.values = { ...r.values, value: String(Number(r.values.value) * 2) };
    const result = await t.services.workforce.importDataset('workforce', doubled, file('doubled vacancies'), systemActor);
    assert.ok(result.ok, JSON.stringify(result));
    const after = await t.services.workforce.run({ scenario: 'published-method', runs: 0 });
    assert.equal(after.datasets.workforce.id, result.dataset.id);
    assert.ok(Math.abs(england(after, 2023).demand - england(before, 2023).demand - 131_000) < 0.01, `${england(after, 2023).demand} ${england(before, 2023).demand}`);
    const audit = await t.database.db.select().from(auditEvents).where(eq(auditEvents.action, 'workforce.dataset.import'));
    assert.ok(audit.some((e) => e.objectId === String(result.dataset.id)));
  });
});
