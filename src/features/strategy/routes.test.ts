// What a person and an API client see of the published strategy: the real app, real views,
// on the demo data (24 items) plus, where paging is tested, generated items.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { cliActor } from '../../platform/audit/audit.ts';
import { parseCsv, toCsv } from '../../platform/files/spreadsheet.ts';
import { addPeople, createTestApp, eventually, pageText, section, signInAs, type TestApp } from '../../testing.ts';
import { ITEM_COLUMNS } from './forms.ts';

function resultCodes(html: string): string[] {
  return [...section(html, 'results').matchAll(/href="\/recommendations\/([A-Z0-9-]+)"/g)].map((m) => m[1]!);
}

describe('public strategy pages', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp('demo');
  });
  after(async () => t.close());

  const get = async (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

  it('home page shows what the strategy is and figures computed from the data', async () => {
    const res = await get('/');
    assert.equal(res.statusCode, 200);
    const page = pageText(res.body);
    assert.match(page, /Workforce Strategy for Adult Social Care in England/);
    const figures = pageText(section(res.body, 'headline-figures'));
    assert.match(figures, /24 recommendations and commitments: 18 recommendations, 2 commitments, 4 not stated/);
    assert.match(figures, /21% in progress or complete \(5 of 24\)/);
    assert.match(figures, /24 organisations leading or supporting items/);
    assert.match(page, /67% need some government action \(16 of 24\)/);
    assert.match(page, /25% can be done only by government \(6 of 24\)/);
    assert.match(page, /18 with no progress reported yet/);
    assert.match(pageText(section(res.body, 'areas')), /Attract and retain.*12 items.*Train.*8 items.*Transform.*4 items/);
    assert.match(pageText(section(res.body, 'data-notice')), /Demonstration data/);
  });

  it('home page figures follow the data when items change', async () => {
    const local = await createTestApp('demo');
    try {
      const rows = parseCsv(`code,title,area,lead_organisations,status\nAR-02,Pay modelling,attract-and-retain,DHSC,complete\n`);
      await local.services.strategy.importItems(rows, cliActor('test'));
      const page = pageText((await local.app.inject('/')).body);
      assert.match(page, /25% in progress or complete \(6 of 24\)/);
    } finally {
      await local.close();
    }
  });

  it('strategy page shows areas, themes, priorities, shifts and the phases', async () => {
    const res = await get('/strategy');
    assert.equal(res.statusCode, 200);
    assert.match(pageText(section(res.body, 'areas')), /Attract and retain.*\(12 items\).*Train.*\(8 items\).*Transform.*\(4 items\)/);
    assert.match(pageText(section(res.body, 'themes')), /Pay and conditions \(3\).*Training \(10\).*Leadership and management \(2\)/);
    assert.match(pageText(section(res.body, 'priorities')), /Action on pay and terms.*Investment in training and career pathways.*A legal basis for workforce planning/);
    assert.match(pageText(section(res.body, 'shifts')), /Hospital to community.*Analogue to digital.*Sickness to prevention/);
    assert.match(
      pageText(section(res.body, 'phases')),
      /Research and planning October 2023 November 2023.*Development November 2023 May 2024.*Finalising June 2024 July 2024.*Communication and implementation July 2024 Ongoing/,
    );
  });

  it('lists every item with a result count, in strategy order', async () => {
    const res = await get('/recommendations');
    assert.equal(res.statusCode, 200);
    assert.match(pageText(section(res.body, 'result-count')), /^[^0-9]*24 results/);
    const codes = resultCodes(res.body);
    assert.equal(codes.length, 20, 'first page of 20');
    assert.deepEqual(codes.slice(0, 3), ['AR-01', 'AR-02', 'AR-03']);
    assert.match(res.body, /href="\/recommendations\?page=2"/, 'a link to page 2');
    const page2 = await get('/recommendations?page=2');
    assert.deepEqual(resultCodes(page2.body), ['TX-01', 'TX-02', 'TX-03', 'TX-04']);
  });

  const filters: [string, string[]][] = [
    ['area=transform', ['TX-01', 'TX-02', 'TX-03', 'TX-04']],
    ['type=commitment', ['AR-06', 'TR-05A']],
    ['status=complete', ['TR-04']],
    ['status=not_started&status=complete', ['AR-07', 'TR-04']],
    ['theme=leadership-and-management', ['TR-06', 'TX-02']],
    ['shift=analogue-to-digital', ['TR-05A', 'TR-05B']],
    ['lead=care-quality-commission', ['AR-06', 'TR-01', 'TR-05A']],
    ['q=dementia', ['TR-02']],
    ['q=nursing+placement', ['AR-11']],
    ['area=train&theme=career-development', ['TR-02', 'TR-07']],
    ['status=in_progress&area=attract-and-retain', ['AR-01', 'AR-11', 'AR-12']],
  ];
  for (const [query, expected] of filters) {
    it(`filters by ${query}`, async () => {
      const res = await get(`/recommendations?${query}`);
      assert.equal(res.statusCode, 200);
      assert.deepEqual(resultCodes(res.body), expected);
      assert.match(pageText(section(res.body, 'result-count')), new RegExp(`${expected.length} results?`));
    });
  }

  it('keeps chosen filters ticked and offers a link to remove each one', async () => {
    const res = await get('/recommendations?area=transform&status=in_progress&status=not_reported');
    assert.match(res.body, /<input[^>]*name="area"[^>]*value="transform"[^>]*checked/);
    const selected = section(res.body, 'selected-filters');
    assert.match(selected, /href="\/recommendations\?status=not_reported&amp;area=transform"/, 'removing "In progress" keeps the rest');
    assert.match(selected, /href="\/recommendations\?status=in_progress&amp;status=not_reported"/, 'removing the area keeps the statuses');
  });

  it('shows an empty state when nothing matches', async () => {
    const res = await get('/recommendations?q=zebra');
    assert.equal(res.statusCode, 200);
    assert.match(pageText(section(res.body, 'no-results')), /No recommendations or commitments match/);
    assert.match(pageText(section(res.body, 'result-count')), /0 results/);
  });

  const badQueries: [string, string][] = [
    ['area=nowhere', 'area'],
    ['theme=gardening', 'theme'],
    ['lead=ministry-of-magic', 'lead'],
    ['status=finished', 'status'],
    ['type=suggestion', 'type'],
    ['shift=left', 'shift'],
    ['page=0', 'page'],
    ['page=abc', 'page'],
    ['page=1&page=2', 'page'],
    ['colour=blue', 'colour'],
    ['area=Not%20A%20Slug', 'area'],
    [`q=${'x'.repeat(201)}`, 'q'],
    ['q=%00', 'q'],
    ['area[]=train', 'area[]'],
  ];
  for (const [query, parameter] of badQueries) {
    it(`answers ${query.slice(0, 40)} with a 400 page naming ${parameter}`, async () => {
      const res = await get(`/recommendations?${query}`);
      assert.equal(res.statusCode, 400);
      assert.match(res.headers['content-type'] as string, /text\/html/);
      assert.match(pageText(section(res.body, 'problems')), new RegExp(`${parameter.replace(/[[\]]/g, '\\$&')}:`));
    });
  }

  it('answers a page past the last with 404', async () => {
    const res = await get('/recommendations?page=3');
    assert.equal(res.statusCode, 404);
    assert.match(pageText(res.body), /Page not found/);
  });

  it('shows one item with everything it asks and who owns it', async () => {
    const res = await get('/recommendations/AR-01');
    assert.equal(res.statusCode, 200);
    const details = pageText(section(res.body, 'item-details'));
    assert.match(pageText(res.body), /Joined-up, consistent, multi-year government action on pay and job quality/);
    assert.match(details, /Type Recommendation/);
    assert.match(details, /Lead organisation Central government/);
    assert.match(details, /Partner organisations Local government, Trade unions, Employers/);
    assert.match(details, /Target 2024/);
    assert.match(details, /Status In progress as at 18 July 2025/);
    assert.match(details, /Latest progress Being taken forward through the Fair Pay Agreement route/);
    assert.match(details, /Government role Shared/);
    assert.match(details, /Themes Pay and conditions/);
    assert.match(details, /Short-term priorities Action on pay and terms and conditions/);
    assert.match(details, /Government shifts None/);
  });

  it('leaves unknown fields empty and says so', async () => {
    const details = pageText(section((await get('/recommendations/TR-06')).body, 'item-details'));
    assert.match(details, /Type Not stated/);
    assert.match(details, /Target Not stated/);
    assert.match(details, /Status Not reported/);
  });

  it('redirects a lower-case code and answers an unknown one with 404', async () => {
    const lower = await get('/recommendations/tr-02');
    assert.equal(lower.statusCode, 301);
    assert.equal(lower.headers.location, '/recommendations/TR-02');
    assert.equal((await get('/recommendations/ZZ-99')).statusCode, 404);
    assert.equal((await get('/recommendations/%3Cscript%3E')).statusCode, 404);
  });

  it('answers unknown pages with the GOV.UK-style 404 page', async () => {
    const res = await get('/no-such-page');
    assert.equal(res.statusCode, 404);
    assert.match(pageText(res.body), /Page not found.*If you typed the web address, check it is correct/);
  });

  it('sends ETags and answers 304 when the page has not changed', async () => {
    for (const url of ['/', '/recommendations', '/recommendations/AR-01', '/api/v1/items']) {
      const first = await get(url);
      const etag = first.headers.etag as string;
      assert.ok(etag, `${url} has an ETag`);
      const again = await get(url, { 'if-none-match': etag });
      assert.equal(again.statusCode, 304, url);
      assert.equal(again.body, '');
    }
  });

  it('changes the ETag when the data changes', async () => {
    const local = await createTestApp('demo');
    try {
      const before = (await local.app.inject('/recommendations/AR-03')).headers.etag;
      await local.services.strategy.importItems(parseCsv('code,title,area,lead_organisations\nAR-03,Plan a transition,attract-and-retain,DHSC\n'), cliActor('test'));
      const res = await local.app.inject({ url: '/recommendations/AR-03', headers: { 'if-none-match': String(before) } });
      assert.equal(res.statusCode, 200);
      assert.match(pageText(res.body), /Plan a transition/);
    } finally {
      await local.close();
    }
  });

  it('gives readers without cookies a page a moment old while it is rebuilt, and everyone else the new one at once', async () => {
    // As in production: readers without cookies accept a page up to `maxMs` old, refreshed from `refreshMs`.
    const local = await createTestApp('demo', { publicStale: { refreshMs: 100, maxMs: 60_000 } });
    try {
      await addPeople(local, [{ email: 'editor@example.org', name: 'Editor', role: 'strategy_team' }]);
      const { cookie } = await signInAs(local.app, 'editor@example.org');
      const title = async (url: string, headers: Record<string, string> = {}) => /<title>([^<]*)</.exec((await local.app.inject({ url, headers })).body)?.[1] ?? '';
      const before = await title('/recommendations/AR-03');
      assert.match(before, /^AR-03: /);
      assert.doesNotMatch(before, /Edited title for the cache test/);
      const otherStamp = await local.services.strategy.itemStamp('AR-04');
      await local.services.strategy.importItems(parseCsv('code,title,area,lead_organisations\nAR-03,Edited title for the cache test,attract-and-retain,DHSC\n'), cliActor('test'));
      assert.equal(await title('/recommendations/AR-03'), before, 'within refreshMs: the page as it was');
      assert.match(await title('/recommendations/AR-03', { cookie }), /Edited title for the cache test/, 'signed in: the change at once');
      await new Promise((resolve) => setTimeout(resolve, 120));
      await title('/recommendations/AR-03'); // older than refreshMs: still the old page, and a new one is built
      await eventually(async () => /Edited title for the cache test/.test(await title('/recommendations/AR-03')), 5000, 'the rebuilt page');
      // A browser carrying any of the hub's cookies (a champion's session here) may have made the
      // change: it gets the current page, as the signed-in do.
      await local.services.strategy.importItems(parseCsv('code,title,area,lead_organisations\nAR-03,Edited again for the cache test,attract-and-retain,DHSC\n'), cliActor('test'));
      assert.match(await title('/recommendations/AR-03', { cookie: 'hub_champion=a-session' }), /Edited again for the cache test/);
      // An import changes the catalogue's organisations' item counts, not what AR-04's page shows.
      assert.equal(await local.services.strategy.itemStamp('AR-04'), otherStamp, 'another item keeps its stamp, and so its cached page');
      assert.notEqual(await local.services.strategy.itemStamp('AR-03'), undefined);
    } finally {
      await local.close();
    }
  });

  it('protects pages with a nonce-based CSP, fresh on every response', async () => {
    const a = await get('/');
    const b = await get('/');
    const nonce = (res: typeof a) => /script-src[^;]*'nonce-([^']+)'/.exec(res.headers['content-security-policy'] as string)?.[1];
    assert.ok(nonce(a));
    assert.notEqual(nonce(a), nonce(b), 'cached pages still get a new nonce');
    assert.match(a.body, new RegExp(`<script nonce="${nonce(a)}">`));
    assert.equal(a.headers['x-frame-options'], 'SAMEORIGIN');
    assert.equal(a.headers['x-content-type-options'], 'nosniff');
    // Nonces come from a block of random bytes drawn 256 at a time: past a block, still never repeated.
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const res = await get('/');
      const policy = res.headers['content-security-policy'] as string;
      for (const n of policy.matchAll(/'nonce-([0-9a-f]+)'/g)) {
        assert.equal(n[1]!.length, 32, '16 random bytes');
        assert.ok(!seen.has(n[1]!), 'no nonce is ever used twice');
        seen.add(n[1]!);
      }
    }
    assert.equal(seen.size, 600, 'a script and a style nonce on every response');
  });

  it('gives every response a request id, keeping a valid one from a proxy', async () => {
    const fresh = await get('/healthz');
    assert.match(fresh.headers['x-request-id'] as string, /^[0-9a-f-]{36}$/);
    const kept = await get('/healthz', { 'x-request-id': 'proxy-abc-12345' });
    assert.equal(kept.headers['x-request-id'], 'proxy-abc-12345');
  });

  it('reports liveness and readiness', async () => {
    const health = await get('/healthz');
    assert.deepEqual(health.json(), { status: 'ok' });
    const ready = await get('/readyz');
    assert.equal(ready.statusCode, 200);
    assert.equal(ready.json<{ migrations: { upToDate: boolean } }>().migrations.upToDate, true);
  });

  it('serves GOV.UK Frontend assets but not its templates', async () => {
    assert.equal((await get('/assets/govuk-frontend.min.css')).statusCode, 200);
    assert.equal((await get('/assets/govuk-frontend.min.js')).statusCode, 200);
    assert.equal((await get('/assets/fonts/bold-b542beb274-v2.woff2')).statusCode, 200);
    assert.equal((await get('/assets/template.njk')).statusCode, 404);
  });
});

describe('read API', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp('demo');
  });
  after(async () => t.close());

  it('lists items as JSON with paging metadata and links', async () => {
    const res = await t.app.inject('/api/v1/items?area=train&per_page=5');
    assert.equal(res.statusCode, 200);
    const body = res.json<{ data: { code: string; leads: { slug: string }[]; url: string }[]; meta: Record<string, number>; links: Record<string, string | null> }>();
    assert.deepEqual(body.meta, { total: 8, page: 1, per_page: 5, pages: 2 });
    assert.deepEqual(body.data.map((i) => i.code), ['TR-01', 'TR-02', 'TR-03', 'TR-04', 'TR-05A']);
    assert.equal(body.data[1]!.url, '/recommendations/TR-02');
    assert.deepEqual(body.data[1]!.leads.map((o) => o.slug), ['department-of-health-and-social-care', 'skills-for-care']);
    assert.equal(body.links.next, '/api/v1/items?area=train&page=2&per_page=5');
    assert.equal(body.links.prev, null);
  });

  it('returns every matching item as CSV in the import columns', async () => {
    const res = await t.app.inject('/api/v1/items?format=csv&theme=training');
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^text\/csv/);
    const rows = parse<Record<string, string>>(res.body, { columns: true });
    assert.equal(rows.length, 10);
    assert.deepEqual(Object.keys(rows[0]!), [...ITEM_COLUMNS]);
    assert.ok(rows.every((r) => r.themes!.split('; ').includes('training')));
    const tr02 = rows.find((r) => r.code === 'TR-02')!;
    assert.equal(tr02.progress_note, 'Care Workforce Pathway expanded to 8 role categories (April 2025); dementia training committed.');
    assert.equal(tr02.lead_organisations, 'DHSC; SfC');
  });

  it('returns one item with its organisations, themes and version', async () => {
    const res = await t.app.inject('/api/v1/items/TR-01');
    assert.equal(res.statusCode, 200);
    const item = res.json<Record<string, unknown>>();
    assert.equal(item.code, 'TR-01');
    assert.equal(item.government_role, 'none');
    assert.deepEqual(item.partners, [{ slug: 'skills-for-care', name: 'Skills for Care', short_name: 'SfC' }]);
    assert.deepEqual(item.themes, [
      { slug: 'training', name: 'Training' },
      { slug: 'regulation-and-registration', name: 'Regulation and registration' },
    ]);
    assert.equal(item.version, 1);
  });

  it('answers unknown codes, parameters and values with problem JSON naming them', async () => {
    const missing = await t.app.inject('/api/v1/items/ZZ-99');
    assert.equal(missing.statusCode, 404);
    assert.match(missing.headers['content-type'] as string, /^application\/problem\+json/);
    const bad = await t.app.inject('/api/v1/items?per_page=1000&lead=nobody&format=pdf');
    assert.equal(bad.statusCode, 400);
    const problem = bad.json<{ status: number; errors: { parameter: string }[] }>();
    assert.equal(problem.status, 400);
    assert.deepEqual(problem.errors.map((e) => e.parameter).sort(), ['format', 'per_page']);
    const unknownLead = await t.app.inject('/api/v1/items?lead=nobody');
    assert.deepEqual(unknownLead.json<{ errors: { parameter: string; message: string }[] }>().errors, [
      { parameter: 'lead', message: '"nobody" is not an organisation that leads an item' },
    ]);
  });

  it('lists organisations with the items they lead and support, as JSON and CSV', async () => {
    const res = await t.app.inject('/api/v1/organisations');
    const data = res.json<{ data: { slug: string; items_led: number; items_supported: number; is_government: boolean }[] }>().data;
    const sfc = data.find((o) => o.slug === 'skills-for-care');
    assert.deepEqual([sfc?.items_led, sfc?.items_supported, sfc?.is_government], [6, 1, false]);
    const csv = await t.app.inject('/api/v1/organisations?format=csv');
    assert.match(csv.body, /^slug,name,short_name,kind,is_government,website,items_led,items_supported\n/);
  });

  it('describes itself in OpenAPI, with the filters the routes validate', async () => {
    const res = await t.app.inject('/api/v1/openapi.json');
    assert.equal(res.statusCode, 200);
    const doc = res.json<{ openapi: string; paths: Record<string, { get: { parameters?: { name: string; schema: { type?: string; items?: { enum?: string[] } } }[] } }>; components: { schemas: Record<string, unknown> } }>();
    assert.equal(doc.openapi, '3.0.3');
    // Every API route is described, and nothing else.
    const apiRoutes = t.app.accessRoutes
      .filter((r) => r.url.startsWith('/api/') && r.url !== '/api/v1/openapi.json')
      .map((r) => r.url.replace(/:(\w+)/g, '{$1}'));
    assert.deepEqual(Object.keys(doc.paths).sort(), [...new Set(apiRoutes)].sort());
    assert.ok(['/api/v1/items', '/api/v1/items/{code}', '/api/v1/organisations'].every((p) => doc.paths[p]));
    const params = doc.paths['/api/v1/items']!.get.parameters!;
    assert.deepEqual(params.map((p) => p.name), ['area', 'theme', 'lead', 'status', 'type', 'shift', 'q', 'page', 'per_page', 'format']);
    const status = params.find((p) => p.name === 'status')!;
    assert.equal(status.schema.type, 'array');
    assert.deepEqual(status.schema.items?.enum, ['not_started', 'in_progress', 'complete', 'retired', 'not_reported']);
    assert.ok(doc.components.schemas.ItemList && doc.components.schemas.Item && doc.components.schemas.ItemSummary && doc.components.schemas.Problem);
    // Every reference resolves to a component, and no generator leftovers remain.
    const raw = res.body;
    for (const [, id] of raw.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) assert.ok(doc.components.schemas[id!], `$ref to ${id} resolves`);
    assert.doesNotMatch(raw, /__shared|"\$id"|"\$schema"/);
  });
});

describe('paging through many items', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp('demo');
    const rows = Array.from({ length: 75 }, (_, i) => ({
      code: `PG-${String(i + 1).padStart(3, '0')}`,
      title: `Paged item ${i + 1}`,
      area: 'transform',
      lead_organisations: 'DHSC',
    }));
    const result = await t.services.strategy.importItems(parseCsv(toCsv(['code', 'title', 'area', 'lead_organisations'], rows)), cliActor('test'));
    assert.equal(result.created, 75);
  });
  after(async () => t.close());

  it('pages filtered results, keeping the filters in every page link', async () => {
    const res = await t.app.inject('/recommendations?area=transform&page=3');
    assert.equal(res.statusCode, 200);
    assert.match(pageText(section(res.body, 'result-count')), /79 results/);
    assert.equal(resultCodes(res.body).length, 20);
    assert.match(res.body, /href="\/recommendations\?area=transform&amp;page=2"[^>]*rel="prev"|rel="prev"[^>]*href="\/recommendations\?area=transform&amp;page=2"/);
    assert.match(res.body, /href="\/recommendations\?area=transform&amp;page=4"/);
    const last = await t.app.inject('/recommendations?area=transform&page=4');
    assert.equal(resultCodes(last.body).length, 19);
    assert.equal((await t.app.inject('/recommendations?area=transform&page=5')).statusCode, 404);
  });
});
