// The share of each turn of the event loop for cached public answers (decision 30).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ReaderTurns } from './reader-turns.ts';

describe('ReaderTurns', () => {
  it('lets a share through at once and the rest in later turns, in the order they came', async () => {
    const turns = new ReaderTurns(3);
    const answered: number[] = [];
    const waits: Promise<unknown>[] = [];
    for (let i = 0; i < 8; i++) {
      const wait = turns.wait();
      if (wait) waits.push(wait.then(() => answered.push(i)));
      else answered.push(i);
    }
    assert.deepEqual(answered, [0, 1, 2], 'three now');
    assert.equal(turns.queued, 5);
    await nextTurn();
    assert.deepEqual(answered, [0, 1, 2, 3, 4, 5], 'three more in the next turn');
    await nextTurn();
    assert.deepEqual(answered, [0, 1, 2, 3, 4, 5, 6, 7], 'the last two in the turn after');
    assert.equal(turns.queued, 0);
    await Promise.all(waits);
  });

  it('counts only the turn it is in: a later arrival waits only when that turn is full', async () => {
    const turns = new ReaderTurns(2);
    assert.equal(turns.wait(), undefined);
    assert.equal(turns.wait(), undefined);
    const third = turns.wait();
    assert.ok(third, 'the third in one turn waits');
    await nextTurn();
    await third;
    // The turn that released it has ended; a new one has room again.
    await nextTurn();
    assert.equal(turns.wait(), undefined);
  });

  it('makes nobody wait under a light load', async () => {
    const turns = new ReaderTurns(1);
    for (let i = 0; i < 5; i++) {
      assert.equal(turns.wait(), undefined, `answer ${i} goes at once`);
      await nextTurn();
      await nextTurn();
    }
  });

  it('refuses a share that is not a positive whole number', () => {
    assert.throws(() => new ReaderTurns(0), /positive whole number/);
    assert.throws(() => new ReaderTurns(1.5), /positive whole number/);
  });
});

describe('PageCache with a share of the turns', () => {
  it('makes readers who take cached pages wait their turn, and nobody else', async () => {
    const { default: Fastify } = await import('fastify');
    const { PageCache } = await import('./conditional.ts');
    let waited = 0;
    class CountingTurns extends ReaderTurns {
      override wait(): Promise<void> | undefined {
        waited++;
        return super.wait();
      }
    }
    const app = Fastify();
    const pages = new PageCache({ stale: { refreshMs: 1000, maxMs: 5000 }, turns: new CountingTurns(1) });
    app.decorateRequest('user', null);
    app.get('/page', (request, reply) => pages.send(request, reply, 'page', async () => 1, async () => 'a page'));
    app.get('/recent', (request, reply) => pages.recent(request, reply, 'recent', async () => 'a recent page'));
    try {
      const answers = await Promise.all([app.inject('/page'), app.inject('/page'), app.inject('/recent')]);
      assert.deepEqual(answers.map((a) => [a.statusCode, a.body]), [[200, 'a page'], [200, 'a page'], [200, 'a recent page']]);
      assert.equal(waited, 3, 'each cached answer to a reader with no cookies took its turn');
      // A browser with one of the hub's cookies gets the current page, built for it, at once.
      const withCookie = await app.inject({ url: '/recent', headers: { cookie: 'hub_csrf=x' } });
      assert.equal(withCookie.body, 'a recent page');
      assert.equal(waited, 3);
    } finally {
      await app.close();
    }
  });
});
