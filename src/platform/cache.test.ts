// Caches serve the same body until its stamp moves on; readers who accept an older body get
// one no older than they allow, and it is brought up to date behind them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RenderCache, Revision, RevisionMemo, type Stamp } from './cache.ts';

describe('caching by revision', () => {
  it('builds a body once per key and revision, with a stable ETag', async () => {
    const cache = new RenderCache();
    let builds = 0;
    const build = async () => `body ${++builds}`;
    const a = await cache.get('k', 1, build);
    const b = await cache.get('k', 1, build);
    assert.equal(builds, 1);
    assert.equal(a.etag, b.etag);
    const c = await cache.get('k', 2, build);
    assert.equal(c.body, 'body 2');
    assert.notEqual(c.etag, a.etag);
  });

  it('keeps each key with its own stamp: a new stamp for one key leaves the others', async () => {
    const cache = new RenderCache();
    let builds = 0;
    const build = async () => `body ${++builds}`;
    await cache.get('a', 'a1', build);
    await cache.get('b', 'b1', build);
    await cache.get('a', 'a2', build);
    assert.equal((await cache.get('b', 'b1', build)).body, 'body 2', 'b is still the body built first');
    assert.equal(builds, 3);
  });

  it('gives the same body the same ETag, whatever stamp it was built at', async () => {
    const cache = new RenderCache();
    const a = await cache.get('k', 1, async () => 'same');
    const b = await cache.get('k', 2, async () => 'same');
    assert.equal(a.etag, b.etag);
  });

  it('serves a body within the age a reader accepts without working out the stamp, and refreshes it behind them', async () => {
    let now = 0;
    const cache = new RenderCache({ now: () => now });
    let stamp: Stamp = 1;
    let stampReads = 0;
    const stampNow = async () => {
      stampReads++;
      return stamp;
    };
    let builds = 0;
    const build = async () => `body ${++builds} at stamp ${stamp}`;
    const stale = { refreshMs: 500, maxMs: 5000 };
    assert.equal((await cache.get('k', stampNow, build, stale)).body, 'body 1 at stamp 1');
    stamp = 2;
    now = 100;
    assert.equal((await cache.get('k', stampNow, build, stale)).body, 'body 1 at stamp 1', 'young enough: sent as it is');
    assert.equal(stampReads, 1, 'the stamp was not even worked out');
    now = 600;
    assert.equal((await cache.get('k', stampNow, build, stale)).body, 'body 1 at stamp 1', 'older than refreshMs: still sent, while the new one is built');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(builds, 2);
    assert.equal((await cache.get('k', stampNow, build, stale)).body, 'body 2 at stamp 2', 'the next reader gets the new body');
    // Without `stale` (a signed-in reader) the stamp is always worked out: never an old body.
    stamp = 3;
    assert.equal((await cache.get('k', stampNow, build)).body, 'body 3 at stamp 3');
  });

  it('never serves a body older than the most a reader accepts', async () => {
    let now = 0;
    const cache = new RenderCache({ now: () => now });
    let stamp = 1;
    const build = async () => `stamp ${stamp}`;
    await cache.get('k', async () => stamp, build, { refreshMs: 500, maxMs: 5000 });
    stamp = 2;
    now = 5000;
    assert.equal((await cache.get('k', async () => stamp, build, { refreshMs: 500, maxMs: 5000 })).body, 'stamp 2');
  });

  it('counts a body as current again when a check finds its stamp unchanged', async () => {
    let now = 0;
    const cache = new RenderCache({ now: () => now });
    let builds = 0;
    const build = async () => `body ${++builds}`;
    const stale = { refreshMs: 500, maxMs: 5000 };
    await cache.get('k', async () => 1, build, stale);
    now = 600;
    await cache.get('k', async () => 1, build, stale); // checks in the background: unchanged
    await new Promise((resolve) => setImmediate(resolve));
    now = 5500; // 5.5 s after it was built, but found current 4.9 s ago: still served
    assert.equal((await cache.get('k', async () => 2, build, stale)).body, 'body 1');
  });

  it('keeps at most its capacity, dropping the least recently used', async () => {
    const cache = new RenderCache({ capacity: 2 });
    let builds = 0;
    const build = async () => String(++builds);
    await cache.get('a', 1, build);
    await cache.get('b', 1, build);
    await cache.get('a', 1, build);
    await cache.get('c', 1, build); // drops b
    await cache.get('a', 1, build);
    assert.equal(builds, 3);
    await cache.get('b', 1, build);
    assert.equal(builds, 4);
  });

  it('shares one build among concurrent requests for the same key', async () => {
    const cache = new RenderCache();
    let builds = 0;
    const build = async () => {
      builds++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return 'body';
    };
    const results = await Promise.all(Array.from({ length: 32 }, () => cache.get('k', 1, build)));
    assert.equal(builds, 1);
    assert.ok(results.every((r) => r.body === 'body'));
  });

  it('computes ETags from the fingerprint, so a per-process placeholder does not change them', async () => {
    const a = new RenderCache({ fingerprint: (b) => b.replaceAll('PLACEHOLDER-A', '') });
    const b = new RenderCache({ fingerprint: (body) => body.replaceAll('PLACEHOLDER-B', '') });
    const etagA = (await a.get('k', 3, async () => '<script nonce="PLACEHOLDER-A">')).etag;
    const etagB = (await b.get('k', 3, async () => '<script nonce="PLACEHOLDER-B">')).etag;
    assert.equal(etagA, etagB);
  });

  it('does not cache a failed build', async () => {
    const cache = new RenderCache();
    await assert.rejects(cache.get('k', 1, async () => Promise.reject(new Error('no'))));
    assert.equal((await cache.get('k', 1, async () => 'ok')).body, 'ok');
  });

  it('re-reads the revision ahead, once half its age has gone, without making callers wait', async () => {
    let reads = 0;
    let release: () => void = () => undefined;
    const revision = new Revision(async () => {
      reads++;
      if (reads > 1) await new Promise<void>((resolve) => (release = resolve));
      return reads;
    }, 40);
    assert.equal(await revision.current(), 1);
    await new Promise((resolve) => setTimeout(resolve, 25));
    assert.equal(await revision.current(), 1, 'half its age gone: the old value, at once, while it is read again');
    assert.equal(reads, 2);
    release();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(await revision.current(), 2);
  });

  it('does not let a read begun before a local write undo it', async () => {
    let release: (v: number) => void = () => undefined;
    const revision = new Revision(() => new Promise<number>((resolve) => (release = resolve)), 0);
    const reading = revision.current();
    revision.set(9);
    release(8);
    assert.equal(await reading, 8, 'the caller who asked before the write gets what was read');
    const always = new Revision(async () => 10, 60_000);
    always.set(9);
    assert.equal(await always.current(), 9);
    // The slow read above finished after the write: the write's value stands.
    const held = new Revision(() => new Promise<number>((resolve) => (release = resolve)), 60_000);
    const first = held.current();
    held.set(5);
    release(4);
    await first;
    assert.equal(await held.current(), 5);
  });

  it('re-reads the revision only when it is older than allowed, once for many callers', async () => {
    let reads = 0;
    const revision = new Revision(async () => ++reads, 60_000);
    const values = await Promise.all([revision.current(), revision.current(), revision.current()]);
    assert.deepEqual(values, [1, 1, 1]);
    assert.equal(reads, 1);
    revision.set(7);
    assert.equal(await revision.current(), 7);
    const always = new Revision(async () => ++reads, 0);
    assert.notEqual(await always.current(), await always.current());
  });

  it('memoises values per revision', async () => {
    const memo = new RevisionMemo();
    let builds = 0;
    await memo.get('x', 1, async () => ++builds);
    await memo.get('x', 1, async () => ++builds);
    await memo.get('x', 2, async () => ++builds);
    assert.equal(builds, 2);
  });

  it('rebuilds a value keyed by its inputs only when they change', async () => {
    const memo = new RevisionMemo();
    let draws = 0;
    const chart = (counts: number[]) => memo.get('chart', JSON.stringify(counts), async () => `chart ${++draws}`);
    assert.equal(await chart([3, 4]), 'chart 1');
    assert.equal(await chart([3, 4]), 'chart 1', 'the same counts: the same chart, not drawn again');
    assert.equal(await chart([3, 5]), 'chart 2');
    assert.equal(draws, 2);
  });
});
