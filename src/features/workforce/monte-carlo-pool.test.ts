// The Monte Carlo pool through real worker threads: the same result as monteCarlo() in one
// thread whatever the number of workers, progress as runs complete, errors reported without
// breaking the pool, and workers that load under both ways the app starts tsx.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import os from 'node:os';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { regionalInputs, src, tri, uncertainInput } from '../../model/test-fixtures.ts';
import type { ModelInputs, Scenario } from '../../model/types.ts';
import { monteCarlo } from '../../model/uncertainty.ts';
import type { UncertainInput } from '../../model/uncertainty.ts';
import { ModelInputError } from '../../model/validate.ts';
import { MonteCarloPool } from './monte-carlo-pool.ts';

const input = uncertainInput;
const uncertain: UncertainInput[] = [
  input('turnover', { kind: 'role_rate', field: 'turnoverRate' }, tri(0.85, 1.15)),
  input('retirement', { kind: 'role_rate', field: 'retirementRate' }, tri(0.8, 1.2)),
  input('labour pool', { kind: 'role_rate', field: 'labourPool' }, tri(0.7, 1.3)),
  input('demand growth', { kind: 'demand_growth' }, tri(0.7, 1.3)),
  input('pay works', { kind: 'lever_effect', lever: 'pay_premium' }, { kind: 'uniform', min: 0.3, max: 1.3 }),
];
const scenario: Scenario = {
  name: 'pay and attraction',
  levers: [
    { kind: 'pay_premium', size: 1, startYear: 2026, rampYears: 3 },
    { kind: 'attraction', size: 0.1, startYear: 2027, rampYears: 2 },
  ],
};
function inputs(): ModelInputs {
  const i = regionalInputs();
  i.progression.push({ from: 'other', to: 'care_worker', rate: src(0.1) });
  return i;
}

describe('the Monte Carlo pool', () => {
  const one = new MonteCarloPool({ workers: 1 });
  const two = new MonteCarloPool({ workers: 2 });
  after(() => Promise.all([one.close(), two.close()]));

  it('gives monteCarlo()’s result exactly, with one worker or two', async () => {
    const options = { seed: 2024, runs: 301 };
    const single = monteCarlo(inputs(), scenario, uncertain, options);
    assert.deepStrictEqual(await one.run(inputs(), scenario, uncertain, options), single);
    assert.deepStrictEqual(await two.run(inputs(), scenario, uncertain, options), single);
    // Fewer runs than workers: one chunk.
    assert.deepStrictEqual(await two.run(inputs(), scenario, uncertain, { seed: 7, runs: 1 }), monteCarlo(inputs(), scenario, uncertain, { seed: 7, runs: 1 }));
  });

  it('reuses its workers for runs asked for at once, each with its own result', async () => {
    const asked = [11, 12, 13].map((seed) => ({ seed, runs: 40 }));
    const results = await Promise.all(asked.map((options) => two.run(inputs(), scenario, uncertain, options)));
    results.forEach((result, i) => assert.deepStrictEqual(result, monteCarlo(inputs(), scenario, uncertain, asked[i]!)));
    assert.notDeepEqual(results[0]!.headlineGaps, results[1]!.headlineGaps);
  });

  it('reports progress across the workers, ending with every run done', async () => {
    const seen: [number, number][] = [];
    await two.run(inputs(), scenario, uncertain, { seed: 1, runs: 500, onProgress: (done, total) => seen.push([done, total]) });
    assert.ok(seen.length >= 10, `progress reported ${seen.length} times`);
    assert.ok(seen.every(([, total]) => total === 500));
    assert.ok(seen.every(([done], i) => i === 0 || done >= seen[i - 1]![0]), 'never goes back');
    assert.deepEqual(seen.at(-1), [500, 500]);
  });

  it('fails a run whose progress callback throws, once its chunks are done, and keeps working', async () => {
    const failing = () => {
      throw new Error('progress bar broke');
    };
    await assert.rejects(two.run(inputs(), scenario, uncertain, { seed: 1, runs: 400, onProgress: failing }), /progress bar broke/);
    assert.deepStrictEqual(await two.run(inputs(), scenario, uncertain, { seed: 2, runs: 400 }), monteCarlo(inputs(), scenario, uncertain, { seed: 2, runs: 400 }));
  });

  it('refuses bad options and invalid draws as monteCarlo() does, and keeps working', async () => {
    await assert.rejects(two.run(inputs(), scenario, uncertain, { seed: -1, runs: 0 }), /runs must be a whole number.*; seed must be/);
    const training: Scenario = { name: 'training', levers: [{ kind: 'training', size: 0.9, startYear: 2026, rampYears: 1 }] };
    const works = [input('training works', { kind: 'lever_effect', lever: 'training' }, tri(0.5, 1.5))];
    await assert.rejects(two.run(inputs(), training, works, { seed: 1, runs: 200 }), ModelInputError);
    assert.deepStrictEqual(await two.run(inputs(), scenario, uncertain, { seed: 3, runs: 20 }), monteCarlo(inputs(), scenario, uncertain, { seed: 3, runs: 20 }));
  });

  it('has a worker per available core by default, finishes runs asked for before closing, and refuses runs after', async () => {
    const pool = new MonteCarloPool();
    assert.equal(pool.size, os.availableParallelism());
    const asked = pool.run(inputs(), scenario, uncertain, { seed: 1, runs: 5 });
    await pool.close();
    assert.equal((await asked).runs, 5, 'a run asked for before close() completes');
    await assert.rejects(pool.run(inputs(), scenario, uncertain, { seed: 1, runs: 5 }), /closed/);
    assert.throws(() => new MonteCarloPool({ workers: 0 }), /workers must be a whole number/);
  });

  it('starts its workers when tsx was registered by register(), as bin/strategy-hub.js does', async () => {
    const pool = fileURLToPath(new URL('./monte-carlo-pool.ts', import.meta.url));
    const fixtures = fileURLToPath(new URL('../../model/test-fixtures.ts', import.meta.url));
    const script = `
      import { register } from 'tsx/esm/api';
      register();
      const { MonteCarloPool } = await import(${JSON.stringify(pool)});
      const { regionalInputs } = await import(${JSON.stringify(fixtures)});
      const pool = new MonteCarloPool({ workers: 2 });
      const uncertain = ${JSON.stringify(uncertain)};
      const result = await pool.run(regionalInputs(), ${JSON.stringify(scenario)}, uncertain, { seed: 5, runs: 30 });
      await pool.close();
      console.log(JSON.stringify(result.headlineGaps));`;
    // Run from the project root (where tsx resolves), without the test runner's --import tsx.
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: root, timeout: 60_000 });
    assert.deepStrictEqual(JSON.parse(stdout) as number[], monteCarlo(regionalInputs(), scenario, uncertain, { seed: 5, runs: 30 }).headlineGaps);
  });
});
