// Organisations' API tokens: made through the organisation's page, shown once, stored hashed,
// limited to their organisation and scopes, revocable, and timestamped when used.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../platform/db/client.ts';
import { addPeople, createTestApp, signInAs, submitForm, type TestApp } from '../../testing.ts';


describe('organisation API tokens', () => {
  let t: TestApp;
  let cqc: { id: number; slug: string };
  let sfc: { id: number; slug: string };
  let reporter: string;
  let team: string;
  let token: string;
  let tokenId: number;

  const api = (url: string, bearer?: string, cookie?: string) =>
    t.app.inject({ url, headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(cookie ? { cookie } : {}) } });

  async function createToken(cookie: string, slug: string, fields: Record<string, string | string[]>) {
    return submitForm(t.app, { url: `/admin/organisations/${slug}/tokens`, formUrl: `/admin/organisations/${slug}/tokens/new`, cookie, fields });
  }

  before(async () => {
    t = await createTestApp('demo');
    const organisations = (await t.services.strategy.catalogue()).organisations;
    cqc = organisations.find((o) => o.shortName === 'CQC')!;
    sfc = organisations.find((o) => o.slug === 'skills-for-care')!;
    await addPeople(t, [
      { email: 'team@example.org', name: 'Tom Team', role: 'strategy_team' },
      { email: 'rita@cqc.example', name: 'Rita Reporter', role: 'organisation_reporter', organisationId: cqc.id },
    ]);
    team = (await signInAs(t.app, 'team@example.org')).cookie;
    reporter = (await signInAs(t.app, 'rita@cqc.example')).cookie;
  });
  after(async () => t.close());

  it('lets a reporter create a token for their organisation, shown once and stored only as a hash', async () => {
    const page = await t.app.inject({ url: `/admin/organisations/${cqc.slug}`, headers: { cookie: reporter } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /has no API tokens/);
    const res = await createToken(reporter, cqc.slug, { name: 'Quarterly script', scopes: 'organisation:read', expires: '90' });
    assert.equal(res.statusCode, 201);
    assert.equal(res.headers['cache-control'], 'no-store');
    token = /data-qa="token">([^<]+)</.exec(res.body)![1]!;
    assert.match(token, /^wsh_[A-Za-z0-9_-]{43}$/);
    const [row] = await queryRows<{ id: number; token_hash: string; prefix: string; scopes: string[]; days: number }>(
      t.database.db,
      sql`select id, token_hash, prefix, scopes, extract(epoch from expires_at - now()) / 86400 as days from api_tokens`,
    );
    tokenId = row!.id;
    assert.notEqual(row!.token_hash, token);
    assert.ok(!JSON.stringify(row).includes(token), 'the token itself is stored nowhere');
    assert.ok(token.startsWith(row!.prefix));
    assert.deepEqual(row!.scopes, ['organisation:read']);
    assert.ok(Math.abs(Number(row!.days) - 90) < 0.01);
    const list = await t.app.inject({ url: `/admin/organisations/${cqc.slug}`, headers: { cookie: reporter } });
    assert.match(list.body, /Quarterly script/);
    assert.ok(!list.body.includes(token), 'never shown again');
    const audit = await queryRows<{ after: Record<string, unknown>; organisation_id: number }>(t.database.db, sql`select after, organisation_id from audit_events where action = 'api_token.created'`);
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.organisation_id, cqc.id);
    assert.ok(!JSON.stringify(audit).includes(token), 'not in the audit trail either');
  });

  it('acts for its organisation through the API, records when it was last used', async () => {
    const me = await api('/api/v1/me', token);
    assert.equal(me.statusCode, 200);
    assert.deepEqual(me.json(), { type: 'api_token', name: 'Quarterly script', email: null, role: 'organisation_reporter', organisation: { slug: cqc.slug, name: 'Care Quality Commission' }, scopes: ['organisation:read'] });
    const work = await api(`/api/v1/organisations/${cqc.slug}/work`, token);
    assert.equal(work.statusCode, 200);
    assert.ok(work.json<{ leads: { code: string }[] }>().leads.some((i) => i.code === 'AR-06'));
    const [used] = await queryRows<{ last_used_at: Date | null }>(t.database.db, sql`select last_used_at from api_tokens where id = ${tokenId}`);
    assert.ok(used!.last_used_at, 'last used time recorded');
  });

  it('cannot reach another organisation, other rows, or pages', async () => {
    const other = await api(`/api/v1/organisations/${sfc.slug}/work`, token);
    assert.equal(other.statusCode, 403);
    assert.equal(other.headers['content-type'], 'application/problem+json; charset=utf-8');
    // Pages take sessions only: a token there is no one.
    const page = await api(`/admin/organisations/${cqc.slug}`, token);
    assert.equal(page.statusCode, 303);
    assert.match(String(page.headers.location), /^\/login/);
  });

  it('refuses mistyped, revoked and expired tokens with 401 and says why', async () => {
    for (const bad of ['wsh_nope', `${token.slice(0, -1)}X`, 'Basic abc']) {
      const res = await t.app.inject({ url: '/api/v1/me', headers: { authorization: bad.startsWith('Basic') ? bad : `Bearer ${bad}` } });
      assert.equal(res.statusCode, 401, bad);
      assert.match(res.json<{ detail: string }>().detail, /not valid/);
      assert.match(String(res.headers['www-authenticate']), /Bearer/);
    }
    const expiring = await createToken(team, cqc.slug, { name: 'Soon gone', scopes: 'organisation:read', expires: '90' });
    const soon = /data-qa="token">([^<]+)</.exec(expiring.body)![1]!;
    assert.equal((await api('/api/v1/me', soon)).statusCode, 200, 'the strategy team can make tokens for any organisation');
    await t.database.db.execute(sql`update api_tokens set expires_at = now() - interval '1 second' where name = 'Soon gone'`);
    assert.equal((await api('/api/v1/me', soon)).statusCode, 401, 'expired');
  });

  it('keeps a reporter to their own organisation’s tokens and pages', async () => {
    assert.equal((await t.app.inject({ url: `/admin/organisations/${sfc.slug}`, headers: { cookie: reporter } })).statusCode, 403);
    assert.equal((await t.app.inject({ url: `/admin/organisations/${sfc.slug}/tokens/new`, headers: { cookie: reporter } })).statusCode, 403);
    const res = await t.app.inject({ url: `/api/v1/organisations/${sfc.slug}/work`, headers: { cookie: reporter } });
    assert.equal(res.statusCode, 403, 'through the API with a session too');
    assert.equal((await t.app.inject({ url: '/admin/organisations', headers: { cookie: reporter } })).statusCode, 403);
    const [n] = await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from api_tokens where organisation_id = ${sfc.id}`);
    assert.equal(Number(n!.n), 0);
  });

  it('validates the form: a name, at least one known scope, an expiry', async () => {
    const res = await createToken(reporter, cqc.slug, { name: '', scopes: 'items:delete', expires: 'forever' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /govuk-error-summary/);
    assert.match(res.body, /Enter a name/);
    assert.match(res.body, /Select what the token may do from the list/);
    assert.match(res.body, /Select when the token expires/);
    const none = await createToken(reporter, cqc.slug, { name: 'No scopes', expires: '90' });
    assert.equal(none.statusCode, 400);
    assert.match(none.body, /Select what the token may do/);
  });

  it('revokes a token at once, once', async () => {
    // The second try comes from a page opened before the first (its form no longer shows once revoked).
    const revoke = () => submitForm(t.app, { url: `/admin/organisations/${cqc.slug}/tokens/${tokenId}/revoke`, formUrl: `/admin/organisations/${cqc.slug}/tokens/new`, cookie: reporter, fields: {} });
    const res = await revoke();
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, `/admin/organisations/${cqc.slug}`);
    assert.ok(res.cookies.some((c) => c.name === 'hub_flash'), 'a confirmation for the next page');
    assert.equal((await api('/api/v1/me', token)).statusCode, 401);
    const again = await revoke();
    assert.equal(again.statusCode, 409);
    assert.match(again.body, /already revoked/);
    const audit = await queryRows<{ before: { revokedAt: unknown }; after: { revokedAt: unknown } }>(t.database.db, sql`select before, after from audit_events where action = 'api_token.revoked'`);
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.before.revokedAt, null);
    assert.ok(audit[0]!.after.revokedAt);
  });

  it('ignores session cookies on API writes (they carry no CSRF token)', async () => {
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/organisations/${cqc.slug}/work`, headers: { cookie: reporter } });
    assert.ok([401, 404, 405].includes(res.statusCode), `got ${res.statusCode}`);
  });

  it('describes the token scheme in the OpenAPI document', async () => {
    type Doc = {
      components: { securitySchemes: Record<string, { scheme: string }> };
      paths: Record<string, { get: { security?: unknown; responses: Record<string, unknown> } }>;
    };
    const doc = (await t.app.inject('/api/v1/openapi.json')).json<Doc>();
    assert.equal(doc.components.securitySchemes.apiToken?.scheme, 'bearer');
    assert.deepEqual(doc.paths['/api/v1/organisations/{organisation}/work']!.get.security, [{ apiToken: ['organisation:read'] }]);
    assert.ok(doc.paths['/api/v1/me']!.get.responses['401']);
  });
});
