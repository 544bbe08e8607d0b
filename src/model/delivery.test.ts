// The tracker and the model speak to each other: an item's levers count as its status allows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deliveryAdjustedLevers, deliveryAdjustedScenario, deliveryWeight, itemProblems, itemWorth } from './delivery.ts';
import { headlineGap, project } from './project.ts';
import { regionalInputs } from './test-fixtures.ts';
import type { ItemLevers, ItemStatus, Lever, Scenario } from './types.ts';

const attraction: Lever = { kind: 'attraction', size: 0.2, startYear: 2026, rampYears: 2 };
const item = (code: string, status: ItemStatus | null, levers: Lever[] = [attraction]): ItemLevers => ({ code, status, levers });
const base: Scenario = { name: 'base', levers: [] };

describe('delivery-adjusted levers', () => {
  it('weigh complete 1, in progress 0.5 (or as set), not started, retired and unknown 0', () => {
    assert.deepEqual(
      (['complete', 'in_progress', 'not_started', 'retired', null] as const).map((s) => deliveryWeight(s)),
      [1, 0.5, 0, 0, 0],
    );
    assert.equal(deliveryWeight('in_progress', { inProgress: 0.3 }), 0.3);
    const levers = deliveryAdjustedLevers([item('A', 'complete'), item('B', 'in_progress'), item('C', 'not_started'), item('D', 'retired')]);
    assert.deepEqual(levers.map((l) => l.size), [0.2, 0.1]);
  });

  it('move the projection fully when complete, half when in progress, not at all otherwise', () => {
    const inputs = regionalInputs();
    // Prevention acts on demand linearly, so half the lever is exactly half the change in demand.
    const prevention: Lever = { kind: 'prevention', size: 0.1, startYear: 2026, rampYears: 2 };
    const demand = (status: ItemStatus) =>
      project(inputs, deliveryAdjustedScenario(base, [item('TX-03', status, [prevention])])).rows.find((r) => r.geography === 'E92000001' && r.role === 'all' && r.year === 2040)!.demand;
    const none = project(inputs, base).rows.find((r) => r.geography === 'E92000001' && r.role === 'all' && r.year === 2040)!.demand;
    const full = none - demand('complete');
    assert.ok(full > 0);
    assert.ok(Math.abs(none - demand('in_progress') - full / 2) < 1e-6);
    assert.equal(demand('not_started'), none);
    assert.equal(demand('retired'), none);
  });

  it('value each item as the change in the 2040 gap without it', () => {
    const inputs = regionalInputs();
    const items = [
      item('AR-07', 'complete'),
      item('AR-01', 'in_progress', [{ kind: 'pay_premium', size: 1, startYear: 2025, rampYears: 3 }]),
      item('AR-09', 'not_started'),
      item('TR-04', 'retired'),
    ];
    const worth = itemWorth(inputs, base, items);
    const all = headlineGap(project(inputs, deliveryAdjustedScenario(base, items)));
    const withoutAR07 = headlineGap(project(inputs, deliveryAdjustedScenario(base, items.filter((i) => i.code !== 'AR-07'))));
    const ar07 = worth.find((w) => w.code === 'AR-07')!;
    assert.equal(ar07.change, all - withoutAR07);
    assert.ok(ar07.change < 0, 'a complete attraction item closes the gap');
    assert.ok(worth.find((w) => w.code === 'AR-01')!.change < 0);
    assert.deepEqual(worth.slice(2).map((w) => [w.code, w.change]), [['AR-09', 0], ['TR-04', 0]]);
    assert.ok(Math.abs(worth[0]!.change) >= Math.abs(worth[1]!.change), 'largest effect first');
  });

  it('names bad item levers and weights', () => {
    assert.deepEqual(
      itemProblems([item('AR-03', 'complete', [{ kind: 'international', size: -2, startYear: 2025, rampYears: 1 }])], { inProgress: 2 }).map((p) => p.message),
      ['weights.inProgress must be between 0 and 1', 'items[0](AR-03).levers[0].size must not cut international recruits below none (-1)'],
    );
  });
});
