// Hostile input against every public route and every API endpoint the app registers (found at
// run time, so a route added later is covered without touching this file): thousands of
// malformed, oversized, wrongly-typed, unicode-edge and script-bearing values in paths, query
// strings, forms (with a valid CSRF token, so validation itself is reached) and JSON bodies.
// Nothing may answer 5xx, and no script-bearing value may come back unescaped in a page.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { ACCESS, type AccessRule } from '../auth/permissions.ts';
import { addPeople, createTestApp, signInAs, type TestApp } from '../../testing.ts';

/** Values a person would type only to break something; each script-bearing one is unique so a reflection can be traced. */
const SCRIPTS = [
  '<script>alert("hostile-1")</script>',
  '"><img src=x onerror=alert("hostile-2")>',
  "'><svg onload=alert('hostile-3')>",
  '</textarea><script>alert("hostile-4")</script>',
  '<a href="javascript:alert(\'hostile-5\')">x</a>',
  '<iframe srcdoc="<script>alert(\'hostile-6\')</script>">',
  '<style>@import "//hostile-7.invalid";</style>',
  '<body onload=alert("hostile-8")>',
] as const;

const OTHERS = [
  '',
  ' ',
  '\t\r\n',
  '0',
  '-1',
  '1.5',
  '1e309',
  'NaN',
  'Infinity',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '{"__proto__":{"admin":true}}',
  '9'.repeat(400),
  '-9223372036854775809',
  '2024-02-30',
  '0000-00-00',
  '31/12/2024',
  '../../../../etc/passwd',
  '%00',
  '%',
  '%%32%65',
  '\u0000',
  'a\u0000b',
  '\u0007\u001b[31m',
  '\uD800',
  '\uDFFF\uD800',
  '\uFEFFbom',
  '\u202Eevil\u202C',
  '\u200B\u200C\u200D',
  'e\u0301'.repeat(2_000),
  '👩🏽‍⚕️🏳️‍🌈'.repeat(50),
  'Ω≈ç√∫˜µ≤≥÷',
  'ＡＢＣ１２３',
  'مرحبا بالعالم',
  '\u2028\u2029',
  "'; drop table items; --",
  '" or 1=1 --',
  '{{7*7}}',
  '{% debug %}',
  '${7*7}',
  '#{7*7}',
  'x'.repeat(5_001),
  'y'.repeat(100_001),
  'mailto:someone@example.org',
  'not-an-email@',
  'a@b',
  'AR-01',
  'current-policy',
  'https://example.org/' + 'p'.repeat(3_000),
];

const VALUES = [...SCRIPTS, ...OTHERS];

/** Query parameter names the hub's pages and API take, and some they do not. */
const QUERY_NAMES = ['page', 'per_page', 'q', 'format', 'area', 'theme', 'status', 'type', 'shift', 'lead', 'sort', 'cycle', 'scenario', 'geography', 'to', 'runs', 'seed', 'next', 'when', 'body', 'organisation', 'outcome', '__proto__', 'constructor'];

/** JSON bodies of the wrong shape for any endpoint. */
function jsonBodies(): unknown[] {
  let deep: unknown = 'bottom';
  for (let i = 0; i < 2_000; i++) deep = { a: deep };
  const wide = Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i]));
  const bodies: unknown[] = [null, 0, 'string', [], [1, 2, 3], {}, deep, wide, { __proto__: { polluted: true } }, Array.from({ length: 20_000 }, () => 1)];
  for (const value of VALUES) {
    bodies.push({ scenario: value }, { scenario: 'current-policy', runs: value }, { parameters: value, seed: value, to: value, geography: value });
  }
  bodies.push({ scenario: 'current-policy', runs: -1 }, { scenario: 'current-policy', runs: 1e12 }, { scenario: 'current-policy', seed: 1.5 }, { scenario: 'current-policy', to: 99999 });
  return bodies;
}

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

describe('hostile input on every public route and API endpoint', () => {
  let t: TestApp;
  let team: string;
  const random = seeded(20261124);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  let requests = 0;
  const failures: string[] = [];

  before(async () => {
    t = await createTestApp('demo', { signInRateLimit: 1_000_000 });
    await addPeople(t, [{ email: 'team@example.org', name: 'Tom Team', role: 'strategy_team' }]);
    team = (await signInAs(t.app, 'team@example.org')).cookie;
  });
  after(async () => t.close());

  /** A CSRF token and the cookie that goes with it, for `cookie`'s session (or none). */
  async function csrf(cookie: string): Promise<{ token: string; cookie: string }> {
    const page = await t.app.inject({ url: '/login', headers: cookie ? { cookie } : {} });
    const formPage = page.body.includes('name="_csrf"') ? page : await t.app.inject({ url: '/sign-out', headers: { cookie } });
    const csrfCookie = [page, formPage].flatMap((p) => p.cookies).find((c) => c.name === 'hub_csrf')?.value;
    const token = /name="_csrf" value="([^"]+)"/.exec(formPage.body)?.[1];
    assert.ok(token && csrfCookie, 'a CSRF token to send with forms');
    return { token, cookie: [cookie, `hub_csrf=${csrfCookie}`].filter(Boolean).join('; ') };
  }

  /** The field names of the form a GET of `url` shows, if it shows one. */
  async function formFields(url: string, cookie: string): Promise<string[]> {
    const page = await t.app.inject({ url, headers: cookie ? { cookie } : {} });
    if (page.statusCode !== 200 || !String(page.headers['content-type']).startsWith('text/html')) return [];
    return [...new Set([...page.body.matchAll(/\bname="([^"]+)"/g)].map((m) => m[1]!).filter((n) => n !== '_csrf'))];
  }

  function check(label: string, res: LightMyRequestResponse): void {
    requests++;
    if (res.statusCode >= 500) {
      failures.push(`${label} → ${res.statusCode}: ${res.body.slice(0, 300)}`);
      return;
    }
    const type = String(res.headers['content-type'] ?? '');
    if (type.startsWith('text/html')) {
      for (const script of SCRIPTS) {
        if (res.body.includes(script)) failures.push(`${label} → ${res.statusCode}: the page repeats ${JSON.stringify(script)} unescaped`);
      }
      // Part of one (cut to a field's length) counts too: an opening tag of ours, not escaped.
      if (/<(script|img|svg|iframe|body|style|a)\b[^>]*?(alert|hostile-)/i.test(res.body)) failures.push(`${label} → ${res.statusCode}: a script-bearing value appears unescaped`);
    }
  }

  /** A value as a path segment: percent-encoded bytes (a lone surrogate as its replacement character). */
  const segment = (value: string) => [...Buffer.from(value, 'utf8')].map((b) => (/[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
  /** Each `:param` replaced by a value (URL-encoded) from the list, or bytes that are not UTF-8 at all. */
  const fillPath = (url: string, value: () => string) => url.replace(/:[A-Za-z]+/g, () => segment(value()).slice(0, 3_000));
  const BAD_BYTES = ['%C0%AF', '%FF%FE', '%ED%A0%80', '%E0%A4%A', '%00', '..%2F..%2F'];
  const samplePath = (url: string) => url.replace(':code', 'AR-01').replace(':slug', 'steering-group').replace(':year', '2025').replace(/:[A-Za-z]+/g, '1');

  async function hammerRoute(route: { method: string; url: string }, cookie: string, who: string): Promise<void> {
    const label = (detail: string) => `${who} ${route.method} ${route.url} ${detail}`.slice(0, 400);
    const hasParams = route.url.includes(':');
    if (route.method === 'GET') {
      if (hasParams) for (const bytes of BAD_BYTES) check(label(`path=${bytes}`), await t.app.inject({ url: route.url.replace(/:[A-Za-z]+/g, bytes), headers: cookie ? { cookie } : {} }));
      if (hasParams) for (const value of VALUES) check(label(`path=${JSON.stringify(value).slice(0, 60)}`), await t.app.inject({ url: fillPath(route.url, () => value), headers: cookie ? { cookie } : {} }));
      for (const value of VALUES) {
        const params = new URLSearchParams();
        for (let i = 0; i < 3; i++) params.append(pick(QUERY_NAMES), value);
        params.append(pick(QUERY_NAMES), pick(VALUES));
        check(label(`query=${JSON.stringify(value).slice(0, 60)}`), await t.app.inject({ url: `${samplePath(route.url)}?${params.toString()}`, headers: cookie ? { cookie } : {} }));
      }
      return;
    }
    // Writes: forms with a good CSRF token and bad fields, then JSON of every wrong shape.
    const url = samplePath(route.url);
    const fields = route.url.startsWith('/api/') ? [] : await formFields(url.replace(/\/(delete|publish|resend-invite|confirm)$/, ''), cookie);
    const names = fields.length ? fields : ['email', 'name', 'title', 'summary', 'text', 'version', 'page'];
    const { token, cookie: withCsrf } = await csrf(cookie);
    for (const value of VALUES) {
      const body = new URLSearchParams({ _csrf: token });
      for (const name of names) {
        body.append(name, random() < 0.8 ? value : pick(VALUES));
        if (random() < 0.2) body.append(name, pick(VALUES));
      }
      const res = await t.app.inject({ method: route.method as 'POST', url, headers: { cookie: withCsrf, 'content-type': 'application/x-www-form-urlencoded' }, payload: body.toString() });
      check(label(`form value=${JSON.stringify(value).slice(0, 60)}`), res);
    }
    for (const body of route.url.startsWith('/api/') ? jsonBodies() : jsonBodies().slice(0, 10)) {
      const res = await t.app.inject({ method: route.method as 'POST', url, headers: { cookie: withCsrf, 'content-type': 'application/json', 'x-csrf-token': token }, payload: JSON.stringify(body) ?? 'null' });
      check(label(`json=${(JSON.stringify(body) ?? '').slice(0, 60)}`), res);
    }
    // Bodies that are not what they claim to be.
    for (const [type, payload] of [
      ['application/json', '{"unterminated": '],
      ['application/json', '\u0000\u0001'],
      ['application/x-www-form-urlencoded', '%E0%A4%A'],
      ['application/x-www-form-urlencoded', 'a=%ZZ&b=%'],
      ['text/plain', 'just text'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n'],
      ['application/x-www-form-urlencoded', `_csrf=${token}&${'z='.padEnd(1_100_000, 'z')}`],
    ] as const) {
      check(label(`raw ${type}`), await t.app.inject({ method: route.method as 'POST', url, headers: { cookie: withCsrf, 'content-type': type }, payload }));
    }
  }

  it('answers every public route and API endpoint without a 5xx or an unescaped script', { timeout: 1_200_000 }, async () => {
    const routes = t.app.accessRoutes.filter((r) => !r.url.includes('*') && !r.url.startsWith('/test-only') && r.access !== 'account.sign-out');
    const publicRoutes = routes.filter((r) => (ACCESS[r.access] as AccessRule).roles === 'anyone');
    const apiRoutes = routes.filter((r) => r.url.startsWith('/api/') && (ACCESS[r.access] as AccessRule).roles !== 'anyone');
    assert.ok(publicRoutes.length >= 20, `${publicRoutes.length} public routes`);
    for (const route of publicRoutes) await hammerRoute(route, '', 'anonymous');
    // API endpoints as the strategy team too, so the checks behind sign-in are reached.
    for (const route of [...apiRoutes, ...publicRoutes.filter((r) => r.url.startsWith('/api/'))]) await hammerRoute(route, team, 'strategy team');
    assert.ok(requests >= 3_000, `${requests} requests sent`);
    assert.deepEqual(failures.slice(0, 20), [], `${failures.length} of ${requests} requests failed`);
  });
});
