// Caches serve the same body until the data revision moves, and never serve stale data after a
// local write.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RenderCache, Revision, RevisionMemo } from './cache.ts';

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
