// A run's hash is stable across key order and changes with anything that changes the numbers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, runHash } from './hash.ts';
import { regionalInputs } from './test-fixtures.ts';
import type { Scenario } from './types.ts';

const scenario: Scenario = { name: 'base', levers: [{ kind: 'attraction', size: 0.1, startYear: 2026, rampYears: 2 }] };

function reversedKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reversedKeys) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversedKeys(v)])) as T;
  }
  return value;
}

describe('run hashes', () => {
  const inputs = regionalInputs();
  const hash = runHash({ inputs, scenario, seed: 1 });

  it('is a SHA-256 hex digest that ignores key order', () => {
    assert.match(hash, /^[0-9a-f]{64}$/);
    assert.equal(runHash(reversedKeys({ inputs, scenario, seed: 1 })), hash);
    assert.equal(canonicalJson({ b: 1, a: [2, { d: 3, c: undefined }] }), '{"a":[2,{"d":3}],"b":1}');
  });

  it('changes with any input, the scenario, the seed or the engine version', () => {
    const changed = regionalInputs();
    changed.geographies.E12000009!.roles.other!.turnoverRate.value += 0.001;
    const vintage = regionalInputs();
    vintage.geographies.E12000001!.population['65+']!.vintage = '2023-based';
    const hashes = [
      hash,
      runHash({ inputs: changed, scenario, seed: 1 }),
      runHash({ inputs: vintage, scenario, seed: 1 }),
      runHash({ inputs, scenario: { ...scenario, levers: [] }, seed: 1 }),
      runHash({ inputs, scenario, seed: 2 }),
      runHash({ inputs, scenario, seed: 1 }, '0.0.0'),
      runHash({ inputs, scenario, seed: 1, runs: 500 }),
    ];
    assert.equal(new Set(hashes).size, hashes.length);
  });

  it('refuses numbers JSON cannot keep', () => {
    assert.throws(() => canonicalJson({ a: Number.NaN }), /non-finite/);
  });
});
