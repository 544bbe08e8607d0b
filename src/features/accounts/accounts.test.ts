// Who may do what: the first administrator, signing in and out, lockout, managing roles, and
// every route of the permission table walked as every role.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { systemActor } from '../../platform/audit/audit.ts';
import { ACCESS, API_SCOPE_NAMES, can, type AccessRule } from '../../platform/auth/permissions.ts';
import { ROLES, type Role } from '../../platform/auth/roles.ts';
import { hashPassword, hashToken, newToken, verifyPassword } from '../../platform/auth/secrets.ts';
import { queryRows } from '../../platform/db/client.ts';
import { ConflictError, ForbiddenError } from '../../platform/http/errors.ts';
import { createTestApp, SAMPLE_FILES, type TestApp } from '../../testing.ts';
import { users } from './schema.ts';

const PASSWORD = 'a long enough passphrase';

describe('secrets', () => {
  it('hashes passwords with argon2id and verifies them', async () => {
    const hash = await hashPassword(PASSWORD);
    assert.match(hash, /^\$argon2id\$/);
    assert.equal(await verifyPassword(hash, PASSWORD), true);
    assert.equal(await verifyPassword(hash, 'wrong'), false);
    assert.equal(await verifyPassword(null, PASSWORD), false, 'no account: still false, after the same work');
  });

  it('makes unguessable tokens and stores only their hash', () => {
    const a = newToken();
    assert.equal(Buffer.from(a, 'base64url').length, 32);
    assert.notEqual(a, newToken());
    assert.match(hashToken(a), /^[0-9a-f]{64}$/);
    assert.notEqual(hashToken(a), a);
  });
});

describe('the permission table', () => {
  it('lets roles do only what their rows say, and reporters act only for their organisation', () => {
    const reporter = { id: 1, email: 'r@x', name: 'R', role: 'organisation_reporter' as Role, organisationId: 7 };
    assert.equal(can(null, 'public'), true);
    assert.equal(can(null, 'admin.home'), false);
    assert.equal(can(reporter, 'users.list'), false);
    assert.equal(can(reporter, 'organisation.view', { organisationId: 7 }), true);
    assert.equal(can(reporter, 'organisation.view', { organisationId: 8 }), false);
    assert.equal(can({ ...reporter, role: 'strategy_team', organisationId: null }, 'organisation.view', { organisationId: 8 }), true);
    const token = { ...reporter, id: 0, token: { id: 1, name: 'script', scopes: ['organisation:read'] } };
    assert.equal(can(token, 'organisation.view', { organisationId: 7 }), true, 'a token with the scope, on its organisation');
    assert.equal(can(token, 'organisation.view', { organisationId: 8 }), false, 'never another organisation');
    assert.equal(can({ ...token, token: { ...token.token, scopes: [] } }, 'organisation.view', { organisationId: 7 }), false, 'not without the scope');
    assert.equal(can(token, 'api-tokens.manage', { organisationId: 7 }), false, 'tokens cannot make tokens');
    assert.equal(can(token, 'admin.home'), false, 'rows without a scope are closed to tokens');
    assert.equal(can(token, 'account.whoami'), true);
  });
});

describe('accounts', () => {
  let t: TestApp;
  const ids: Partial<Record<Role, number>> = {};
  let cqcId: number;
  let cqcSlug: string;

  async function addUser(role: Role, email: string, organisationId: number | null = null): Promise<number> {
    const [row] = await t.database.db.insert(users).values({ email, name: email.split('@')[0]!, role, organisationId, passwordHash: await hashPassword(PASSWORD) }).returning();
    return row!.id;
  }

  before(async () => {
    t = await createTestApp('demo');
    const catalogue = await t.services.strategy.catalogue();
    const cqc = catalogue.organisations.find((o) => o.shortName === 'CQC')!;
    cqcId = cqc.id;
    cqcSlug = cqc.slug;
  });
  after(async () => t.close());

  it('offers a one-time set-up link only while nobody has an account', async () => {
    const link = await t.services.accounts.createSetupLink(systemActor);
    assert.ok(link);
    assert.deepEqual(await t.services.accounts.setupLink(link.token), { email: null });
    const res = await t.app.inject(`/setup/${link.token}`);
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /Set up the first administrator/);
    const { user } = await t.services.accounts.completeSetup(link.token, { name: 'Ada', email: 'ada@example.org', password: PASSWORD }, {});
    assert.equal(user.role, 'administrator');
    ids.administrator = user.id;
    await assert.rejects(t.services.accounts.completeSetup(link.token, { name: 'Eve', email: 'eve@example.org', password: PASSWORD }, {}), ForbiddenError);
    assert.equal(await t.services.accounts.createSetupLink(systemActor), undefined, 'no more links once someone can sign in');
    assert.equal((await t.app.inject(`/setup/${link.token}`)).statusCode, 404);
    const stored = await queryRows<{ token_hash: string }>(t.database.db, sql`select token_hash from account_tokens`);
    assert.ok(stored.every((r) => r.token_hash !== link.token), 'only the hash is stored');
  });

  it('sets up the other roles for the rest of the suite', async () => {
    ids.strategy_team = await addUser('strategy_team', 'team@example.org');
    ids.organisation_reporter = await addUser('organisation_reporter', 'reporter@cqc.example', cqcId);
    ids.evidence_reviewer = await addUser('evidence_reviewer', 'reviewer@example.org');
    ids.body_member = await addUser('body_member', 'member@example.org');
    ids.viewer = await addUser('viewer', 'viewer@example.org');
    assert.equal(Object.keys(ids).length, ROLES.length);
  });

  /** Signs in through the real form (CSRF token and all); returns the session cookie header. */
  async function signIn(email: string, password = PASSWORD): Promise<{ res: LightMyRequestResponse; cookie: string }> {
    const form = await t.app.inject('/login');
    const csrfCookie = form.cookies.find((c) => c.name === 'hub_csrf')!;
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]!;
    const res = await t.app.inject({
      method: 'POST',
      url: '/login',
      cookies: { hub_csrf: csrfCookie.value },
      payload: new URLSearchParams({ _csrf: token, email, password }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const session = res.cookies.find((c) => c.name === 'hub_session');
    return { res, cookie: `hub_csrf=${csrfCookie.value}${session ? `; hub_session=${session.value}` : ''}` };
  }

  it('signs in with a server-side session in an HttpOnly, SameSite=Lax cookie, new at every sign-in', async () => {
    const first = await signIn('TEAM@example.org');
    assert.equal(first.res.statusCode, 303);
    assert.equal(first.res.headers.location, '/admin');
    const cookie = first.res.cookies.find((c) => c.name === 'hub_session')!;
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Lax');
    const second = await signIn('team@example.org');
    assert.notEqual(second.res.cookies.find((c) => c.name === 'hub_session')!.value, cookie.value);
    const home = await t.app.inject({ url: '/admin', headers: { cookie: first.cookie } });
    assert.match(home.body, /team@example\.org/);
  });

  it('answers an unknown email and a wrong password with the same words', async () => {
    const unknown = await signIn('nobody@example.org');
    const wrong = await signIn('viewer@example.org', 'not the password');
    assert.equal(unknown.res.statusCode, 401);
    assert.equal(wrong.res.statusCode, 401);
    const message = (r: LightMyRequestResponse) => /govuk-error-summary__list">([\s\S]*?)<\/ul>/.exec(r.body)?.[1]?.replace(/\s+/g, ' ');
    assert.equal(message(unknown.res), message(wrong.res));
    assert.match(message(unknown.res) ?? '', /Enter a correct email address and password/);
  });

  it('locks an email after five failures, even with the right password, and even for unknown emails', async () => {
    for (let i = 0; i < 4; i++) assert.equal((await signIn('body@example.org', 'x')).res.statusCode, 401);
    await addUser('viewer', 'body@example.org');
    const fifth = await signIn('body@example.org', 'x');
    assert.equal(fifth.res.statusCode, 429);
    assert.match(fifth.res.body, /Too many attempts to sign in\. Wait 15 minutes/);
    assert.equal((await signIn('body@example.org')).res.statusCode, 429, 'the right password waits too');
    for (let i = 0; i < 5; i++) await signIn('ghost@example.org', 'x');
    assert.equal((await signIn('ghost@example.org', 'x')).res.statusCode, 429, 'unknown emails lock the same way');
    const audit = await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from audit_events where action = 'sign_in.locked'`);
    assert.ok(Number(audit[0]!.n) >= 2);
  });

  it('limits how often one address can submit the sign-in form', async () => {
    const limited = await createTestApp('demo', { signInRateLimit: 3 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await limited.app.inject({ method: 'POST', url: '/login', payload: '', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
        statuses.push(res.statusCode);
      }
      assert.deepEqual(statuses, [403, 403, 403, 429]);
    } finally {
      await limited.close();
    }
  });

  it('refuses a form without its CSRF token', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/login', payload: 'email=ada%40example.org&password=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(res.statusCode, 403);
    assert.match(res.body, /This form has expired/);
  });

  it('signs out: the session no longer works', async () => {
    const { cookie } = await signIn('viewer@example.org');
    const page = await t.app.inject({ url: '/sign-out', headers: { cookie } });
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1]!;
    const out = await t.app.inject({ method: 'POST', url: '/sign-out', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: `_csrf=${encodeURIComponent(token)}` });
    assert.equal(out.statusCode, 303);
    const after = await t.app.inject({ url: '/admin', headers: { cookie } });
    assert.equal(after.statusCode, 303);
    assert.match(after.headers.location as string, /^\/login/);
  });

  it('shows a reporter only their organisation’s items', async () => {
    const { cookie } = await signIn('reporter@cqc.example');
    const home = await t.app.inject({ url: '/admin', headers: { cookie } });
    const work = home.body.slice(home.body.indexOf('data-qa="organisation-work"'));
    for (const code of ['AR-06', 'TR-01', 'TR-05A']) assert.match(work, new RegExp(`/recommendations/${code}"`));
    assert.doesNotMatch(work, /\/recommendations\/AR-04"/, 'a DHSC-only item is not theirs');
    assert.equal((await t.app.inject({ url: '/admin/users', headers: { cookie } })).statusCode, 403);
  });

  it('keeps role changes to the rules: admins only by admins, reporters need an organisation, no lost updates', async () => {
    const team = { id: ids.strategy_team!, email: 'team@example.org', name: 'team', role: 'strategy_team' as Role, organisationId: null };
    const admin = { id: ids.administrator!, email: 'ada@example.org', name: 'Ada', role: 'administrator' as Role, organisationId: null };
    const viewer = (await t.services.accounts.getUser(admin, ids.viewer!))!;
    await assert.rejects(t.services.accounts.updateUser(systemActor, team, viewer.id, { role: 'administrator', organisationId: null, version: viewer.version }), ForbiddenError);
    await assert.rejects(t.services.accounts.updateUser(systemActor, admin, viewer.id, { role: 'organisation_reporter', organisationId: null, version: viewer.version }), /organisation this reporter reports for/);
    const updated = await t.services.accounts.updateUser(systemActor, admin, viewer.id, { role: 'organisation_reporter', organisationId: cqcId, version: viewer.version });
    assert.equal(updated.version, viewer.version + 1);
    await assert.rejects(t.services.accounts.updateUser(systemActor, team, viewer.id, { role: 'viewer', organisationId: null, version: viewer.version }), ConflictError);
    const audit = await queryRows<{ before: { role: string }; after: { role: string } }>(t.database.db, sql`select before, after from audit_events where action = 'user.updated' and object_id = ${String(viewer.id)}`);
    assert.deepEqual([audit[0]?.before.role, audit[0]?.after.role], ['viewer', 'organisation_reporter']);
    // Back as it was: the permission walk below signs in as each role.
    await t.services.accounts.updateUser(systemActor, admin, viewer.id, { role: 'viewer', organisationId: null, version: updated.version });
  });

  it('signs a deactivated person out at once', async () => {
    const { cookie } = await signIn('member@example.org');
    assert.equal((await t.app.inject({ url: '/admin', headers: { cookie } })).statusCode, 200);
    const admin = { id: ids.administrator!, email: 'ada@example.org', name: 'Ada', role: 'administrator' as Role, organisationId: null };
    const member = (await t.services.accounts.getUser(admin, ids.body_member!))!;
    await t.services.accounts.setStatus(systemActor, admin, member.id, 'deactivated', member.version);
    assert.equal((await t.app.inject({ url: '/admin', headers: { cookie } })).statusCode, 303);
    assert.equal((await signIn('member@example.org')).res.statusCode, 401);
    const reactivated = await t.services.accounts.setStatus(systemActor, admin, member.id, 'active', member.version + 1);
    assert.equal(reactivated.status, 'active');
  });

  it('walks every route of the permission table as every role, as an API token, and across organisations', async () => {
    const sessions = new Map<Role | 'anonymous', string>([['anonymous', '']]);
    const emails: Record<Role, string> = {
      administrator: 'ada@example.org',
      strategy_team: 'team@example.org',
      organisation_reporter: 'reporter@cqc.example',
      evidence_reviewer: 'reviewer@example.org',
      body_member: 'member@example.org',
      viewer: 'viewer@example.org',
    };
    await t.database.db.execute(sql`delete from sign_in_throttle`);
    for (const role of ROLES) sessions.set(role, (await signIn(emails[role])).cookie);
    const admin = { id: ids.administrator!, email: 'ada@example.org', name: 'Ada', role: 'administrator' as Role, organisationId: null };
    const { token: apiToken } = await t.services.apiTokens.create(systemActor, admin, cqcId, { name: 'walk', scopes: [...API_SCOPE_NAMES], expiresInDays: 1 });
    const otherSlug = (await t.services.strategy.catalogue()).organisations.find((o) => o.id !== cqcId)!.slug;

    // Evidence files: a published update's file for the route walk, and drafts' files of CQC and
    // of another organisation for the object rule the download checks.
    const report = { status: 'in_progress' as const, confidence: 'on_track' as const, summary: 'Walk.', narrative: '', evidence: [], milestones: '' };
    const pdf = (filename: string) => ({ add: [{ filename, contentType: 'application/pdf' as const, bytes: SAMPLE_FILES.pdf }], remove: [] });
    const submitted = await t.services.progress.save(systemActor, admin, 'AR-06', cqcId, report, undefined, true, pdf('published.pdf'));
    await t.services.progress.publish(systemActor, admin, submitted.id, submitted.version);
    const cqcDraft = await t.services.progress.save(systemActor, admin, 'AR-06', cqcId, report, undefined, false, pdf('cqc-draft.pdf'));
    const other = (await t.services.strategy.catalogue()).organisations.find((o) => o.slug === otherSlug)!;
    const otherWork = await t.services.strategy.organisationItems(other.id);
    const otherItem = [...otherWork.leads, ...otherWork.partners].find((i) => i.status !== 'retired')!;
    const otherDraft = await t.services.progress.save(systemActor, admin, otherItem.code, other.id, report, undefined, false, pdf('other-draft.pdf'));
    const fileOf = async (updateId: number) => {
      const [f] = await queryRows<{ id: number; filename: string }>(t.database.db, sql`select id, filename from progress_evidence_files where update_id = ${updateId}`);
      return `/evidence/${f!.id}/${f!.filename}`;
    };
    const publishedFile = await fileOf(submitted.id);

    const sample = (url: string, organisation = cqcSlug) =>
      // AR-06 is one CQC leads, so the reporter's own-organisation routes have something to show.
      url
        .replace('/evidence/:id/:filename', publishedFile)
        .replace(':organisation', organisation)
        .replace(':code', url.includes(':organisation') ? 'AR-06' : 'AR-01')
        .replace(':id', String(ids.viewer))
        .replace(':token', 'not-a-real-token')
        .replace(':slug', 'current-policy')
        .replace(':year', '2025');

    /** One request as a browser would make it: the CSRF token of its own session on writes. */
    async function request(method: string, url: string, cookie: string, bearer?: string): Promise<LightMyRequestResponse> {
      const formPage = await t.app.inject({ url: cookie ? '/sign-out' : '/login', headers: cookie ? { cookie } : {} });
      const csrfCookie = formPage.cookies.find((c) => c.name === 'hub_csrf')?.value ?? /hub_csrf=([^;]+)/.exec(cookie)?.[1];
      const token = /name="_csrf" value="([^"]+)"/.exec(formPage.body)?.[1];
      const cookieHeader = [cookie.replace(/hub_csrf=[^;]*;? ?/, ''), csrfCookie ? `hub_csrf=${csrfCookie}` : ''].filter(Boolean).join('; ');
      return t.app.inject({
        method: method as 'GET' | 'POST',
        url,
        headers: {
          ...(cookieHeader ? { cookie: cookieHeader } : {}),
          ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
          ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(method === 'POST' ? { payload: token ? `_csrf=${encodeURIComponent(token)}` : '' } : {}),
      });
    }
    const refused = (res: LightMyRequestResponse) => res.statusCode === 401 || res.statusCode === 403 || (res.statusCode === 303 && String(res.headers.location).startsWith('/login?next='));

    // A draft's files: only the roles of evidence.view-unpublished, reporters for their own organisation.
    for (const [updateId, organisationId] of [[cqcDraft.id, cqcId], [otherDraft.id, other.id]] as const) {
      const url = await fileOf(updateId);
      for (const [who, cookie] of sessions) {
        const person = who === 'anonymous' ? null : { id: ids[who] ?? 0, email: emails[who], name: who, role: who, organisationId: who === 'organisation_reporter' ? cqcId : null };
        const allowed = can(person, 'evidence.view-unpublished', { organisationId });
        const res = await request('GET', url, cookie);
        assert.equal(!refused(res), allowed, `GET ${url} as ${who}: expected ${allowed ? 'allowed' : 'refused'}, got ${res.statusCode}`);
        if (allowed) assert.equal(res.statusCode, 200);
      }
      assert.ok(refused(await request('GET', url, '', apiToken)), `GET ${url}: an API token is refused`);
    }
    assert.equal((await t.app.inject(publishedFile)).statusCode, 200, 'a published update’s file is public');

    // Signing out ends the sessions the walk uses, so it goes last.
    const routes = t.app.accessRoutes
      .filter((r) => !r.url.includes('*') && !r.url.startsWith('/test-only'))
      .sort((a, b) => Number(a.method === 'POST' && a.access === 'account.sign-out') - Number(b.method === 'POST' && b.access === 'account.sign-out'));
    assert.ok(routes.length >= 30, `${routes.length} routes to walk`);
    for (const route of routes) {
      const rule: AccessRule = ACCESS[route.access];
      const isApi = route.url.startsWith('/api/');
      for (const [who, cookie] of sessions) {
        const res = await request(route.method, sample(route.url), cookie);
        const allowed = rule.roles === 'anyone' || (who !== 'anonymous' && (rule.roles === 'signed-in' || rule.roles.includes(who)));
        assert.equal(!refused(res), allowed, `${route.method} ${route.url} as ${who}: expected ${allowed ? 'allowed' : 'refused'}, got ${res.statusCode}`);
      }
      // An organisation's token: only API rows naming a scope it holds; pages ignore it.
      const asToken = await request(route.method, sample(route.url), '', apiToken);
      const tokenAllowed = rule.roles === 'anyone' || (isApi && !!rule.apiScope && (rule.roles === 'signed-in' || rule.roles.includes('organisation_reporter')));
      assert.equal(!refused(asToken), tokenAllowed, `${route.method} ${route.url} as an API token: expected ${tokenAllowed ? 'allowed' : 'refused'}, got ${asToken.statusCode}`);
      // Rows scoped to an organisation refuse a reporter, or a token, of another.
      if (rule.object === 'own-organisation' && route.url.includes(':organisation')) {
        assert.ok(refused(await request(route.method, sample(route.url, otherSlug), sessions.get('organisation_reporter')!)), `${route.method} ${route.url}: a reporter of another organisation is refused`);
        if (isApi) assert.ok(refused(await request(route.method, sample(route.url, otherSlug), '', apiToken)), `${route.method} ${route.url}: another organisation's token is refused`);
      }
    }
  });
});
