// A bug gives a 500 that shows no internals and quotes a reference; odd input never does.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from '../../testing.ts';

describe('error pages and problem JSON', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp('demo');
    t.app.get('/test-only/boom', async () => {
      throw new Error('secret internals: password=hunter2');
    });
    t.app.get('/api/v1/test-only/boom', async () => {
      throw new Error('secret internals');
    });
  });
  after(async () => t.close());

  it('shows the GOV.UK-style 500 page with a reference, and nothing of the error', async () => {
    const res = await t.app.inject({ url: '/test-only/boom', headers: { 'x-request-id': 'ref-12345678' } });
    assert.equal(res.statusCode, 500);
    assert.match(res.body, /Sorry, there is a problem with the service/);
    assert.match(res.body, /quote reference <strong>ref-12345678<\/strong>/);
    assert.doesNotMatch(res.body, /secret internals|hunter2|at .*\.ts/);
  });

  it('answers API errors with problem JSON', async () => {
    const res = await t.app.inject('/api/v1/test-only/boom');
    assert.equal(res.statusCode, 500);
    assert.match(res.headers['content-type'] as string, /^application\/problem\+json/);
    const body = res.json<{ status: number; detail: string; request_id: string }>();
    assert.equal(body.status, 500);
    assert.doesNotMatch(body.detail, /secret/);
    assert.equal(body.request_id, res.headers['x-request-id']);
    const missing = await t.app.inject('/api/v1/nothing-here');
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json<{ title: string }>().title, 'Page not found');
  });

  const odd = ['/recommendations?q=%ZZ', '/recommendations?q=%E0%A4%A', '/recommendations?&&&=&', '/recommendations?page=1e309', '/recommendations?area=%F0%9F%92%A9', '/recommendations/%FF', `/recommendations/${'A'.repeat(300)}`, '/api/v1/items?per_page=-1&page=NaN', '/api/v1/items/%00'];
  for (const url of odd) {
    it(`answers ${url.slice(0, 50)} without a server error`, async () => {
      const res = await t.app.inject(url);
      assert.ok(res.statusCode >= 200 && res.statusCode < 500, `${url} gave ${res.statusCode}`);
    });
  }

  it('escapes what a visitor typed when it shows it back', async () => {
    const res = await t.app.inject('/recommendations?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    assert.equal(res.statusCode, 200);
    assert.doesNotMatch(res.body, /<script>alert\(1\)<\/script>/);
    assert.match(res.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  });
});
