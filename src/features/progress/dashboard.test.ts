// The progress dashboard against a strategy small enough to work out by hand: every figure
// on /progress, /progress/organisations and /api/v1/progress/summary is compared with numbers
// computed in the comments below, not by the code under test. The updates are reported and
// published through the real forms; only their publication dates are then set, so status
// over time has a history to show.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { cliActor } from '../../platform/audit/audit.ts';
import { parseCsv, toCsv } from '../../platform/files/spreadsheet.ts';
import { addPeople, createTestApp, pageText, publishUpdate, signInAs, submitUpdate, type TestApp } from '../../testing.ts';
import { areas, strategies, terms } from '../strategy/schema.ts';
import { ITEM_COLUMNS, ORGANISATION_COLUMNS } from '../strategy/forms.ts';
import { quarterBounds, quarterOf } from './figures.ts';

const SCRIPT_AREA = '<script>alert("area")</script>';

/** The body rows of the table with this data-qa hook, each as its cells' text. */
function tableRows(html: string, qa: string): string[][] {
  const start = html.indexOf(`data-qa="${qa}"`);
  assert.ok(start >= 0, `no table ${qa}`);
  const table = html.slice(start, html.indexOf('</table>', start));
  const body = table.slice(table.indexOf('<tbody'));
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((row) => [...row[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => pageText(cell[1]!).trim()));
}

function headline(html: string, qa: string): string {
  const start = html.indexOf(`data-qa="${qa}"`);
  return pageText(html.slice(start, html.indexOf('</div>', start))).replace(/^[^>]*>/, '').trim();
}

/** The quarters from `first` to the current one, as the page labels them. */
function quartersSince(first: string): string[] {
  const out: string[] = [];
  const now = quarterOf(new Date());
  for (let p = first; p <= now; p = p.endsWith('Q4') ? `${Number(p.slice(0, 4)) + 1}-Q1` : `${p.slice(0, 6)}${Number(p.slice(6)) + 1}`) out.push(p);
  return out;
}

describe('the progress dashboard', () => {
  let t: TestApp;
  let team: string;
  const reporters: Record<string, string> = {};

  /** A reporter submits, the strategy team publishes, and the publication is dated `publishedAt`. */
  async function publish(organisation: string, code: string, status: string, publishedAt: string) {
    const id = await submitUpdate(t, reporters[organisation]!, organisation, code, { status, summary: `${code} is ${status} (${publishedAt}).` });
    await publishUpdate(t, team, id);
    await t.database.db.execute(sql`update progress_updates set published_at = ${publishedAt}::timestamptz where id = ${id}`);
  }

  before(async () => {
    t = await createTestApp('empty');
    const db = t.database.db;
    const [strategy] = await db
      .insert(strategies)
      .values({ slug: 'test', title: 'A test strategy', shortTitle: 'Test', summary: 'For the dashboard test.', publishedOn: '2025-01-15' })
      .returning();
    await db.insert(areas).values([
      { strategyId: strategy!.id, slug: 'attract', name: 'Attract', position: 1 },
      { strategyId: strategy!.id, slug: 'scripted', name: SCRIPT_AREA, position: 2 },
    ]);
    await db.insert(terms).values([
      { strategyId: strategy!.id, kind: 'theme', slug: 'pay', name: 'Pay', position: 1 },
      { strategyId: strategy!.id, kind: 'theme', slug: 'training', name: 'Training', position: 2 },
      { strategyId: strategy!.id, kind: 'shift', slug: 'hospital-to-community', name: 'Hospital to community', position: 1 },
      { strategyId: strategy!.id, kind: 'shift', slug: 'sickness-to-prevention', name: 'Sickness to prevention', position: 2 },
    ]);
    const actor = cliActor('dashboard test');
    const orgs = await t.services.strategy.importOrganisations(
      parseCsv(
        toCsv(ORGANISATION_COLUMNS, [
          { name: 'Department of Health', short_name: 'DH', kind: 'central_government', is_government: 'yes', website: '' },
          { name: 'County Council', short_name: 'CC', kind: 'local_government', is_government: 'no', website: '' },
          { name: 'Care Workforce Body', short_name: 'CWB', kind: 'workforce_body', is_government: 'no', website: '' },
        ]),
      ),
      actor,
    );
    assert.equal(orgs.ok, true, JSON.stringify(orgs.problems));
    const item = (code: string, area: string, leads: string, partners: string, role: string, status: string, asOf: string, themes: string, shifts: string) => ({
      code, type: 'recommendation', title: `Item ${code}`, summary: '', area, lead_organisations: leads, partner_organisations: partners,
      target: '', target_date: '', government_role: role, status, progress_note: '', progress_as_of: asOf, themes, priorities: '', shifts, body: '',
    });
    const imported = await t.services.strategy.importItems(
      parseCsv(
        toCsv(ITEM_COLUMNS, [
          item('I-01', 'attract', 'DH', 'CWB', 'government_only', '', '', 'pay', 'hospital-to-community'),
          item('I-02', 'attract', 'DH; CC', '', 'shared', 'in_progress', '2025-02-10', 'pay; training', ''),
          item('I-03', 'attract', 'CWB', 'DH', 'none', 'complete', '', 'training', 'sickness-to-prevention'),
          item('I-04', 'scripted', 'CC', '', 'shared', 'not_started', '2025-05-01', '', 'hospital-to-community; sickness-to-prevention'),
          item('I-05', 'scripted', 'CWB', 'CC', 'none', '', '', 'training', ''),
          item('I-06', 'scripted', 'DH', '', '', '', '', 'pay', ''),
          item('I-07', 'attract', 'CC', 'CWB', 'government_only', 'retired', '', 'pay', 'hospital-to-community'),
          item('I-08', 'attract', 'CWB', '', 'none', 'in_progress', '', '', 'hospital-to-community'),
        ]),
      ),
      actor,
    );
    assert.equal(imported.ok, true, JSON.stringify(imported.problems));

    const catalogue = await t.services.strategy.catalogue();
    const id = (short: string) => catalogue.organisations.find((o) => o.shortName === short)!;
    await addPeople(t, [
      { email: 'team@example.org', name: 'Tom Team', role: 'strategy_team' },
      { email: 'dh@example.org', name: 'Dee', role: 'organisation_reporter', organisationId: id('DH').id },
      { email: 'cc@example.org', name: 'Cee', role: 'organisation_reporter', organisationId: id('CC').id },
      { email: 'cwb@example.org', name: 'Bee', role: 'organisation_reporter', organisationId: id('CWB').id },
    ]);
    team = (await signInAs(t.app, 'team@example.org')).cookie;
    for (const [short, email] of [['DH', 'dh@example.org'], ['CC', 'cc@example.org'], ['CWB', 'cwb@example.org']] as const) {
      reporters[id(short).slug] = (await signInAs(t.app, email)).cookie;
    }
    const dh = id('DH').slug;
    const cc = id('CC').slug;
    const cwb = id('CWB').slug;
    // Published in date order, as they would be, so each item's status is its latest update's.
    await publish(dh, 'I-01', 'in_progress', '2025-04-20T10:00:00Z'); // 2025 Q2
    await publish(cwb, 'I-05', 'not_started', '2025-06-10T10:00:00Z'); // 2025 Q2
    await publish(cwb, 'I-05', 'in_progress', '2025-06-25T10:00:00Z'); // 2025 Q2: the later one counts
    await publish(cwb, 'I-03', 'complete', '2025-08-01T10:00:00Z'); // 2025 Q3
    await publish(dh, 'I-01', 'complete', '2025-09-03T10:00:00Z'); // 2025 Q3
    await publish(cc, 'I-02', 'not_started', '2025-11-05T10:00:00Z'); // 2025 Q4
    await publish(dh, 'I-02', 'in_progress', '2026-02-14T10:00:00Z'); // 2026 Q1
  });
  after(async () => t.close());

  // Active items (I-07 is retired) and their status now:
  //   I-01 complete, I-02 in progress, I-03 complete, I-04 not started, I-05 in progress,
  //   I-06 not reported, I-08 in progress.
  const EXPECTED = {
    items: { total: 8, active: 7, retired: 1 },
    // in progress or complete: I-01, I-02, I-03, I-05, I-08 = 5 of 7 = 71.4% → 71
    in_progress_or_complete: { count: 5, of: 7, percent: 71 },
    // shared or government only: I-01, I-02, I-04 = 3 of 7 = 42.9% → 43
    needs_government_action: { count: 3, of: 7, percent: 43 },
    // government only: I-01 = 1 of 7 = 14.3% → 14
    government_only: { count: 1, of: 7, percent: 14 },
    // I-06 says nothing about government
    government_role_not_stated: 1,
    // I-04 | I-02, I-05, I-08 | I-01, I-03 | I-06
    by_status: { not_started: 1, in_progress: 3, complete: 2, not_reported: 1 },
    by_area: [
      // I-01 c, I-02 ip, I-03 c, I-08 ip (I-07 retired)
      { slug: 'attract', name: 'Attract', counts: { not_started: 0, in_progress: 2, complete: 2, not_reported: 0 }, total: 4 },
      // I-04 ns, I-05 ip, I-06 nr
      { slug: 'scripted', name: SCRIPT_AREA, counts: { not_started: 1, in_progress: 1, complete: 0, not_reported: 1 }, total: 3 },
    ],
    by_lead_organisation_kind: [
      // DH leads I-01 c, I-02 ip, I-06 nr
      { slug: 'central_government', name: 'Central government', counts: { not_started: 0, in_progress: 1, complete: 1, not_reported: 1 }, total: 3 },
      // CC leads I-02 ip, I-04 ns (I-07 retired)
      { slug: 'local_government', name: 'Local government', counts: { not_started: 1, in_progress: 1, complete: 0, not_reported: 0 }, total: 2 },
      // CWB leads I-03 c, I-05 ip, I-08 ip
      { slug: 'workforce_body', name: 'Workforce development body', counts: { not_started: 0, in_progress: 2, complete: 1, not_reported: 0 }, total: 3 },
    ],
    by_theme: [
      // I-01 c, I-02 ip, I-06 nr (I-07 retired)
      { slug: 'pay', name: 'Pay', counts: { not_started: 0, in_progress: 1, complete: 1, not_reported: 1 }, total: 3 },
      // I-02 ip, I-03 c, I-05 ip
      { slug: 'training', name: 'Training', counts: { not_started: 0, in_progress: 2, complete: 1, not_reported: 0 }, total: 3 },
    ],
    by_government_shift: [
      // I-01 c, I-04 ns, I-08 ip (I-07 retired)
      { slug: 'hospital-to-community', name: 'Hospital to community', counts: { not_started: 1, in_progress: 1, complete: 1, not_reported: 0 }, total: 3 },
      // I-03 c, I-04 ns
      { slug: 'sickness-to-prevention', name: 'Sickness to prevention', counts: { not_started: 1, in_progress: 0, complete: 1, not_reported: 0 }, total: 2 },
    ],
  };
  // Status at the end of each quarter from the strategy's publication (2025 Q1), by item:
  //   I-01: updates Q2 ip, Q3 c            → nr, ip, c, c, c
  //   I-02: updates 2025 Q4 ns, 2026 Q1 ip → nr, nr, nr, ns, ip (its imported status was replaced)
  //   I-03: update Q3 c                    → nr, nr, c, c, c
  //   I-04: no update, ns as of 2025-05-01 → nr, ns, ns, ns, ns
  //   I-05: updates Q2 ns then ip          → nr, ip, ip, ip, ip
  //   I-06: nothing                        → nr throughout
  //   I-08: no update, ip with no date     → ip throughout
  // [not started, in progress, complete, not reported] per quarter:
  const OVER_TIME: [string, number[]][] = [
    ['2025-Q1', [0, 1, 0, 6]], // I-08
    ['2025-Q2', [1, 3, 0, 3]], // I-04 | I-01, I-05, I-08 | – | I-02, I-03, I-06
    ['2025-Q3', [1, 2, 2, 2]], // I-04 | I-05, I-08 | I-01, I-03 | I-02, I-06
    ['2025-Q4', [2, 2, 2, 1]], // I-02 starts "not started"
    ['2026-Q1', [1, 3, 2, 1]], // I-02 in progress: the same as now, and so every quarter since
  ];
  const expectedOverTime = () =>
    quartersSince('2025-Q1').map((period, i) => {
      const [ns, ip, c, nr] = (OVER_TIME[Math.min(i, OVER_TIME.length - 1)]![1]);
      assert.equal(i < OVER_TIME.length ? OVER_TIME[i]![0] : period, period);
      return { period, ...quarterBounds(period), counts: { not_started: ns!, in_progress: ip!, complete: c!, not_reported: nr! }, total: 7 };
    });

  it('gives the hand-worked figures in the API', async () => {
    const res = await t.app.inject('/api/v1/progress/summary');
    assert.equal(res.statusCode, 200);
    const body = res.json<Record<string, unknown>>();
    for (const [key, value] of Object.entries(EXPECTED)) assert.deepEqual(body[key], value, key);
    assert.deepEqual(
      body.status_over_time,
      expectedOverTime().map((p) => ({ period: p.period, starts_on: p.startsOn, ends_on: p.endsOn, counts: p.counts, total: p.total })),
    );
    assert.equal(body.latest_update_published_at, '2026-02-14T10:00:00.000Z');
  });

  it('shows the same figures on /progress, in its headline figures and tables', async () => {
    const res = await t.app.inject('/progress');
    assert.equal(res.statusCode, 200);
    const html = res.body;
    assert.equal(headline(html, 'figure-moving'), '71% in progress or complete (5 of 7)');
    assert.equal(headline(html, 'figure-government-any'), '43% need some government action (3 of 7)');
    assert.equal(headline(html, 'figure-government-only'), '14% can be done only by government (1 of 7)');
    assert.match(pageText(html), /1 retired item is not counted/);
    assert.match(pageText(html), /For 1 item, whether government must act is not stated/);
    const cells = (g: { name: string; counts: Record<string, number>; total: number }) => [g.name, ...['not_started', 'in_progress', 'complete', 'not_reported'].map((s) => String(g.counts[s])), String(g.total)];
    assert.deepEqual(tableRows(html, 'table-status'), [['All items', '1', '3', '2', '1', '7']]);
    assert.deepEqual(tableRows(html, 'table-area'), EXPECTED.by_area.map(cells));
    assert.deepEqual(tableRows(html, 'table-lead-kind'), EXPECTED.by_lead_organisation_kind.map(cells));
    assert.deepEqual(tableRows(html, 'table-theme'), EXPECTED.by_theme.map(cells));
    assert.deepEqual(tableRows(html, 'table-shift'), EXPECTED.by_government_shift.map(cells));
    assert.deepEqual(tableRows(html, 'table-over-time'), expectedOverTime().map((p) => cells({ name: p.label, counts: p.counts, total: p.total })));
    assert.equal(tableRows(html, 'table-over-time')[0]![0], 'January to March 2025');
    // The latest verified updates, newest first.
    assert.match(pageText(html), /Latest verified updates I-02: Item I-02 In progress Department of Health, published 14 February 2026\. I-02 is in_progress/);
  });

  it('agrees with the home page’s headline figures', async () => {
    const home = await t.app.inject('/');
    assert.match(pageText(home.body), /71% in progress or complete \(5 of 7\)/);
    assert.match(pageText(home.body), /43% need some government action \(3 of 7\)/);
    assert.match(pageText(home.body), /14% can be done only by government \(1 of 7\)/);
    assert.match(home.body, /<a class="govuk-link" href="\/progress" data-qa="progress-link">/, 'and links to the dashboard');
  });

  it('draws each chart as an accessible SVG image, escaping names from the data', async () => {
    const html = (await t.app.inject('/progress')).body;
    const svgs = [...html.matchAll(/<svg [^>]*>/g)].map((m) => m[0]);
    assert.equal(svgs.length, 6);
    for (const svg of svgs) assert.match(svg, /role="img" aria-labelledby="chart-[a-z-]+-title" aria-describedby="chart-[a-z-]+-desc"/);
    assert.match(html, /<title id="chart-area-title">Items by area<\/title>/);
    assert.doesNotMatch(html, /<script>alert/, 'the area name is never markup');
    assert.match(html, /<text[^>]*>&lt;script&gt;alert/, 'but it is in the chart, escaped');
    assert.doesNotMatch(html, /\sstyle="/, 'no inline styles for the CSP to refuse');
    const areaChart = html.slice(html.indexOf('data-qa="chart-area"'), html.indexOf('data-qa="table-area"'));
    assert.match(areaChart, /<text[^>]*>Attract<\/text>/, 'each area labels its bar');
  });

  it('lists each organisation’s record on /progress/organisations, sortable', async () => {
    // Care Workforce Body: leads I-03 c, I-05 ip, I-08 ip (3 of 3 = 100%); supports I-01; updates on I-05 ×2, I-03 (latest 1 Aug 2025)
    // County Council: leads I-02 ip, I-04 ns (1 of 2 = 50%; I-07 retired); supports I-05; one update (5 Nov 2025)
    // Department of Health: leads I-01 c, I-02 ip, I-06 nr (2 of 3 = 66.7% → 67%); supports I-03; updates on I-01 ×2, I-02 (latest 14 Feb 2026)
    const rows = [
      ['Care Workforce Body', '3', '1', '100% (3 of 3)', '3', '1 August 2025'],
      ['County Council', '2', '1', '50% (1 of 2)', '1', '5 November 2025'],
      ['Department of Health', '3', '1', '67% (2 of 3)', '3', '14 February 2026'],
    ];
    const byName = await t.app.inject('/progress/organisations');
    assert.equal(byName.statusCode, 200);
    assert.deepEqual(tableRows(byName.body, 'organisations'), rows);
    const byLatest = await t.app.inject('/progress/organisations?sort=latest');
    assert.deepEqual(tableRows(byLatest.body, 'organisations'), [rows[2], rows[1], rows[0]]);
    const byMoving = await t.app.inject('/progress/organisations?sort=moving');
    assert.deepEqual(tableRows(byMoving.body, 'organisations').map((r) => r[0]), ['Care Workforce Body', 'Department of Health', 'County Council']);
    assert.match(byMoving.body, /aria-sort="descending"/);
    assert.equal((await t.app.inject('/progress/organisations?sort=size')).statusCode, 400);
    assert.equal((await t.app.inject('/progress/organisations?page=2')).statusCode, 404);
  });

  it('refuses unknown parameters and answers conditional requests', async () => {
    assert.equal((await t.app.inject('/progress?area=attract')).statusCode, 400);
    const api = await t.app.inject('/api/v1/progress/summary?x=1');
    assert.equal(api.statusCode, 400);
    assert.equal(api.headers['content-type'], 'application/problem+json; charset=utf-8');
    for (const url of ['/progress', '/api/v1/progress/summary', '/progress/organisations']) {
      const first = await t.app.inject(url);
      const etag = first.headers.etag as string;
      assert.ok(etag, url);
      assert.equal((await t.app.inject({ url, headers: { 'if-none-match': etag } })).statusCode, 304, url);
    }
    const openapi = (await t.app.inject('/api/v1/openapi.json')).json<{ paths: Record<string, unknown> }>();
    assert.ok(openapi.paths['/api/v1/progress/summary']);
  });

  it('changes as soon as another update is published', async () => {
    const before = await t.app.inject('/progress');
    const dh = (await t.services.strategy.catalogue()).organisations.find((o) => o.shortName === 'DH')!.slug;
    await publish(dh, 'I-06', 'in_progress', new Date().toISOString());
    const after = await t.app.inject({ url: '/progress', headers: { 'if-none-match': before.headers.etag as string } });
    assert.equal(after.statusCode, 200, 'the old ETag no longer matches');
    // I-06 moves from not reported to in progress: 6 of 7 = 85.7% → 86
    assert.equal(headline(after.body, 'figure-moving'), '86% in progress or complete (6 of 7)');
    assert.deepEqual(tableRows(after.body, 'table-status'), [['All items', '1', '4', '2', '0', '7']]);
    assert.deepEqual(tableRows(after.body, 'table-over-time').at(-1)!.slice(1), ['1', '4', '2', '0', '7']);
    const summary = (await t.app.inject('/api/v1/progress/summary')).json<{ in_progress_or_complete: unknown }>();
    assert.deepEqual(summary.in_progress_or_complete, { count: 6, of: 7, percent: 86 });
  });
});
