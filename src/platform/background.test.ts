import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BackgroundLane } from './background.ts';

describe('the background lane', () => {
  it('runs at most `concurrency` at once, makes callers wait when the backlog is full, and finishes everything', async () => {
    const lane = new BackgroundLane({ concurrency: 2, backlog: 3 });
    let running = 0;
    let most = 0;
    const releases: (() => void)[] = [];
    const work = () =>
      new Promise<void>((resolve) => {
        running++;
        most = Math.max(most, running);
        releases.push(() => {
          running--;
          resolve();
        });
      });
    for (let i = 0; i < 5; i++) await lane.start('test', work); // 2 running, 3 waiting
    assert.deepEqual(lane.load, { running: 2, waiting: 3 });
    let sixthAccepted = false;
    const sixth = lane.start('test', work).then(() => (sixthAccepted = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(sixthAccepted, false, 'the sixth waits for room');
    releases.shift()!();
    await sixth;
    assert.equal(sixthAccepted, true);
    while (lane.load.running) {
      releases.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await lane.settled();
    assert.equal(most, 2);
    assert.equal(running, 0);
  });

  it('logs a failure and carries on', async () => {
    const errors: string[] = [];
    const lane = new BackgroundLane({ concurrency: 1, backlog: 10, logError: (_e, m) => errors.push(m) });
    let ran = false;
    await lane.start('first failed', () => Promise.reject(new Error('boom')));
    await lane.start('second', async () => void (ran = true));
    await lane.settled();
    assert.deepEqual(errors, ['first failed']);
    assert.equal(ran, true);
  });
});
