// Ties the tracker to the model: each strategy item declares the levers it moves, and its
// delivery status decides how much of them counts (complete in full, in progress in part, not
// started or retired not at all). "What an item is worth" is the change in a headline output
// between the delivery-adjusted projection with and without that item.
import { headlineGap, project } from './project.ts';
import type { Projection } from './project.ts';
import type { ItemLevers, ItemStatus, Lever, ModelInputs, Scenario } from './types.ts';
import { leverProblems } from './validate.ts';
import type { Problem } from './validate.ts';

export interface DeliveryWeights {
  /** Share of an in-progress item's levers that counts; default 0.5. */
  inProgress?: number;
}

/** How much of an item's levers count at a status: complete 1, in progress a parameter, else 0. */
export function deliveryWeight(status: ItemStatus | null, weights: DeliveryWeights = {}): number {
  if (status === 'complete') return 1;
  if (status === 'in_progress') return weights.inProgress ?? 0.5;
  return 0;
}

export function itemProblems(items: readonly ItemLevers[], weights: DeliveryWeights = {}): Problem[] {
  const problems: Problem[] = [];
  const w = weights.inProgress;
  if (w !== undefined && !(w >= 0 && w <= 1)) {
    problems.push({ path: 'weights.inProgress', message: 'weights.inProgress must be between 0 and 1' });
  }
  items.forEach((item, i) => {
    item.levers.forEach((l, j) => problems.push(...leverProblems(`items[${i}](${item.code}).levers[${j}]`, l)));
  });
  return problems;
}

/** The items' levers with each size scaled by its item's delivery weight (zero-weight ones dropped). */
export function deliveryAdjustedLevers(items: readonly ItemLevers[], weights: DeliveryWeights = {}): Lever[] {
  return items.flatMap((item) => {
    const w = deliveryWeight(item.status, weights);
    return w === 0 ? [] : item.levers.map((l) => ({ ...l, size: l.size * w }));
  });
}

/** The scenario with the delivery-adjusted item levers added to its own. */
export function deliveryAdjustedScenario(scenario: Scenario, items: readonly ItemLevers[], weights: DeliveryWeights = {}): Scenario {
  return { ...scenario, name: `${scenario.name} (delivery-adjusted)`, levers: [...scenario.levers, ...deliveryAdjustedLevers(items, weights)] };
}

export interface ItemWorth {
  code: string;
  /** Headline with every item − headline without this one (for the gap, negative = it closes the gap). */
  change: number;
}

/**
 * What each item is worth: the headline (default England's 2040 gap, all roles) of the
 * delivery-adjusted projection, minus the same without that item's levers. Sorted by size of
 * effect, largest first; items whose levers do not count at their status are worth 0.
 */
export function itemWorth(
  inputs: ModelInputs,
  scenario: Scenario,
  items: readonly ItemLevers[],
  options: DeliveryWeights & { headline?: (p: Projection) => number } = {},
): ItemWorth[] {
  const headline = options.headline ?? ((p: Projection) => headlineGap(p));
  const all = headline(project(inputs, deliveryAdjustedScenario(scenario, items, options)));
  return items
    .map((item) => {
      if (deliveryWeight(item.status, options) === 0 || item.levers.length === 0) return { code: item.code, change: 0 };
      const without = items.filter((other) => other !== item);
      return { code: item.code, change: all - headline(project(inputs, deliveryAdjustedScenario(scenario, without, options))) };
    })
    .sort((a, b) => Math.abs(b.change) - Math.abs(a.change) || a.code.localeCompare(b.code));
}
