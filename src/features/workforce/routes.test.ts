// The workforce model's pages, API and admin through the real app: the page shows what the
// service computes, levers move the figures the right way, bad input names its field and
// stores nothing, the methodology page computes the published comparison, the API answers JSON,
// CSV and problem JSON, the strategy team manages scenarios and items' levers (reporters may
// not), and an item's page shows its worth at once after its levers change.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { ENGLAND } from '../../model/types.ts';
import { systemActor } from '../../platform/audit/audit.ts';
import { queryRows } from '../../platform/db/client.ts';
import { addPeople, createTestApp, pageText, section, signInAs, submitForm, type TestApp } from '../../testing.ts';
import type { RunResult } from './service.ts';

/** The figure a headline block shows, as a number. */
function figure(html: string, qa: string): number {
  const text = pageText(section(html, qa).slice(0, 400)).replace(/^[^>]*>/, '');
  const match = /(-?[\d,]+)/.exec(text);
  assert.ok(match, `no figure in ${qa}`);
  return Number(match[1]!.replaceAll(',', ''));
}

const n = (v: number) => Math.round(v).toLocaleString('en-GB');
const englandLast = (result: RunResult, which: 'baseline' | 'deliveryAdjusted') =>
  result[which].rows.find((r) => r.geography === ENGLAND.code && r.role === 'all' && r.year === result.to)!;

const DEFAULT_FORM = { scenario: 'current-policy', driver: 'age65', visa: 'yes', inProgress: '50', to: '2040' };
const query = (fields: Record<string, string>) => `/workforce?${new URLSearchParams(fields).toString()}`;

describe('the workforce model pages and API', () => {
  let t: TestApp;
  let team: string;
  let admin: string;
  let reporter: string;
  const runCount = async () => (await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from workforce_runs`))[0]!.n;

  before(async () => {
    t = await createTestApp('demo', { workforcePageRuns: 20 });
    const cqc = (await t.services.strategy.catalogue()).organisations.find((o) => o.shortName === 'CQC')!;
    await addPeople(t, [
      { email: 'team@example.org', name: 'Tom Team', role: 'strategy_team' },
      { email: 'admin@example.org', name: 'Ada Admin', role: 'administrator' },
      { email: 'reporter@cqc.example', name: 'Rita Reporter', role: 'organisation_reporter', organisationId: cqc.id },
    ]);
    team = (await signInAs(t.app, 'team@example.org')).cookie;
    admin = (await signInAs(t.app, 'admin@example.org')).cookie;
    reporter = (await signInAs(t.app, 'reporter@cqc.example')).cookie;
  });
  after(async () => t?.close());

  it('shows the figures the service computes for the default scenario, with the chart, its table and the run’s provenance', async () => {
    const res = await t.app.inject('/workforce');
    assert.equal(res.statusCode, 200);
    const result = await t.services.workforce.run({ scenario: 'current-policy', runs: 20, seed: 1 });
    const adjusted = englandLast(result, 'deliveryAdjusted');
    const baseline = englandLast(result, 'baseline');
    assert.equal(figure(res.body, 'figure-demand'), Math.round(adjusted.demand));
    assert.equal(figure(res.body, 'figure-filled'), Math.round(adjusted.filled));
    assert.equal(figure(res.body, 'figure-gap'), Math.round(adjusted.gap));
    const headline = pageText(section(res.body, 'table-headline').slice(0, 6000));
    assert.match(headline, new RegExp(`Gap \\(posts short\\) ${n(baseline.gap)} ${n(adjusted.gap)}`));
    const gapBand = result.deliveryAdjusted.bands!.find((b) => b.year === result.to && b.measure === 'gap')!;
    assert.match(headline, new RegExp(`${n(gapBand.p10)} to ${n(gapBand.p90)}`));
    // The chart is an accessible SVG, and its numbers are in the table beside it.
    assert.match(section(res.body, 'chart-demand-supply'), /<svg [^>]*role="img"[^>]*aria-labelledby="chart-demand-supply-title"/);
    assert.match(pageText(section(res.body, 'table-chart')), new RegExp(`2040 ${n(adjusted.demand)}`));
    // Regions and roles in the last year; the items’ worth links to each item.
    assert.match(pageText(section(res.body, 'table-regions')), /London [\d,]+/);
    assert.match(pageText(section(res.body, 'table-roles')), /Registered nurses [\d,]+/);
    const items = section(res.body, 'table-items');
    assert.match(items, /href="\/recommendations\/AR-01"/);
    assert.match(pageText(items), /Pay premium: care workers paid £0\.50 an hour more above the wage floor from 2026, full effect over 4 years/);
    assert.match(pageText(section(res.body, 'table-sensitivity')), /Turnover rate/);
    assert.match(pageText(section(res.body, 'run')), new RegExp(result.hash));
    assert.match(pageText(section(res.body, 'run')), /2022-based/);
    assert.doesNotMatch(res.body, /<script(?![^>]*nonce)[^>]*>[^<]/, 'no inline script without the nonce');
    assert.doesNotMatch(res.body, /\sstyle="/, 'no inline styles');
    assert.match(res.body, /href="\/workforce"[^>]*aria-current|aria-current="page"[^>]*href="\/workforce"|Workforce model/);
  });

  it('moves the delivery-adjusted figures the right way when a lever changes in the address', async () => {
    const base = await t.app.inject(query({ ...DEFAULT_FORM }));
    const training = await t.app.inject(query({ ...DEFAULT_FORM, 'training-size': '10', 'training-start': '2026', 'training-ramp': '2' }));
    const prevention = await t.app.inject(query({ ...DEFAULT_FORM, 'prevention-size': '5', 'prevention-start': '2026', 'prevention-ramp': '1' }));
    assert.equal(base.statusCode, 200);
    assert.equal(training.statusCode, 200, pageText(training.body).slice(0, 500));
    // Unchanged values are the saved scenario itself, so the same figures as the default view.
    assert.equal(figure(base.body, 'figure-gap'), figure((await t.app.inject('/workforce')).body, 'figure-gap'));
    assert.ok(figure(training.body, 'figure-gap') < figure(base.body, 'figure-gap'), 'fewer leavers close the gap');
    assert.ok(figure(training.body, 'figure-filled') > figure(base.body, 'figure-filled'), 'fewer leavers fill more posts');
    assert.ok(figure(prevention.body, 'figure-demand') < figure(base.body, 'figure-demand'), 'prevention needs fewer posts');
    assert.match(pageText(training.body), /Current policy \(adjusted\)/);
    // The form keeps the values, so the result is a link.
    assert.match(training.body, /id="training-size" name="training-size"[^>]*value="10"/);
    // Without the visa closure, more international recruits fill more posts.
    const noVisa = await t.app.inject(query({ ...DEFAULT_FORM, visa: 'no' }));
    assert.ok(figure(noVisa.body, 'figure-filled') > figure(base.body, 'figure-filled'));
  });

  it('refuses impossible values with an error summary naming each field, and stores nothing', async () => {
    const before = await runCount();
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ 'training-size': '100', 'training-start': '2026', 'training-ramp': '1' }, 'training-size', /Training and retention: the size must be less than 100%/],
      [{ 'international-size': '-150', 'international-start': '2026', 'international-ramp': '1' }, 'international-size', /International recruitment: the size must be −100% or more/],
      [{ inProgress: '-10' }, 'inProgress', /in-progress item counts must be between 0% and 100%/],
      [{ to: '2090' }, 'to', /The last year must be between 2024 and 2047/],
      [{ driver: 'age_mix', 'share-18-64': '30', 'share-65-84': '30', 'share-85': '30' }, 'share-18-64', /The three shares must add up to 100% \(they add up to 90%\)/],
      [{ 'attraction-size': '10', 'attraction-start': '1990', 'attraction-ramp': '1' }, 'attraction-start', /Attraction: the start year must be between 2024 and 2047/],
      [{ 'pay-size': 'lots', 'pay-start': '2026', 'pay-ramp': '1' }, 'pay-size', /Pay premium: the size must be a number/],
    ];
    for (const [fields, field, message] of cases) {
      const res = await t.app.inject(query({ ...DEFAULT_FORM, ...fields }));
      assert.equal(res.statusCode, 400, `${field}: ${res.statusCode}`);
      const summary = section(res.body, 'error-summary');
      assert.match(pageText(summary.slice(0, 3000)), message);
      assert.match(summary, new RegExp(`href="#${field}"`));
      assert.match(res.body, new RegExp(`id="${field}-error"`), `${field} has its own error message`);
      assert.match(res.body, /<title>Error: /);
      assert.doesNotMatch(res.body, /data-qa="headline"/, 'no results for a bad form');
    }
    const unknown = await t.app.inject('/workforce?scenario=nope');
    assert.equal(unknown.statusCode, 400);
    assert.match(pageText(section(unknown.body, 'error-summary')), /Choose one of the published scenarios/);
    const strange = await t.app.inject('/workforce?utm_source=x');
    assert.equal(strange.statusCode, 400);
    assert.equal(await runCount(), before, 'nothing stored');
  });

  it('explains the model and reproduces the published +540,000 from the data', async () => {
    const res = await t.app.inject('/workforce/methodology');
    assert.equal(res.statusCode, 200);
    const method = (await t.services.workforce.methodology())!;
    const published = method.publishedMethod!;
    assert.equal(pageText(section(res.body, 'extra-posts').slice(0, 200)).replace(/^[^>]*>\s*/, '').split(' ')[0], n(published.extraPosts));
    const text = pageText(res.body);
    assert.match(text, /540,000/);
    assert.match(text, /1\.84 million/);
    assert.match(pageText(section(res.body, 'population-growth').slice(0, 200)), new RegExp(`${Math.round(published.population65Growth * 100)}%`));
    assert.match(pageText(section(res.body, 'published-explanation').slice(0, 2000)), /vintage/);
    assert.match(text, /Office for National Statistics|ONS/);
    assert.match(pageText(section(res.body, 'base-by-role')), /Care workers [\d,]+/);
    assert.match(pageText(section(res.body, 'uncertain')), /Turnover rate 85% to 115%, most likely 100%/);
    assert.match(pageText(section(res.body, 'item-levers')), /AR-01/);
    assert.match(pageText(section(res.body, 'missing')), /Local authorities/);
  });

  it('answers the API: published scenarios, projections as JSON and CSV, problem JSON naming the field, and stored runs', async () => {
    const list = await t.app.inject('/api/v1/workforce/scenarios');
    assert.equal(list.statusCode, 200);
    const scenarios = list.json<{ data: { slug: string; params: { to: number } }[] }>().data;
    assert.ok(scenarios.some((s) => s.slug === 'current-policy' && s.params.to === 2040));
    assert.ok(scenarios.some((s) => s.slug === 'published-method'));

    const post = (payload: unknown, url = '/api/v1/workforce/projections') => t.app.inject({ method: 'POST', url, payload: payload as Record<string, unknown> });
    const json = await post({ scenario: 'current-policy', runs: 10, geography: 'regions' });
    assert.equal(json.statusCode, 200);
    const body = json.json<RunResult & { lines: { geography: string; year: number; gapDelivered: number }[] }>();
    assert.equal(body.lines.length, 9 * body.years.length);
    const service = await t.services.workforce.run({ scenario: 'current-policy', runs: 10 });
    assert.equal(body.hash, service.hash);
    const london = service.deliveryAdjusted.rows.find((r) => r.geography === 'E12000007' && r.role === 'all' && r.year === 2040)!;
    assert.equal(body.lines.find((l) => l.geography === 'E12000007' && l.year === 2040)!.gapDelivered, london.gap);

    const csv = await post({ scenario: { levers: [{ kind: 'training', size: 0.05, startYear: 2026, rampYears: 2 }] }, runs: 0 }, '/api/v1/workforce/projections?format=csv');
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    const lines = csv.body.trim().split('\n');
    assert.equal(lines[0], 'geography,area,year,demand,filled_baseline,gap_baseline,filled_delivery,gap_delivery,vacancy_rate_delivery,starters_delivery,leavers_delivery,gap_p10,gap_p50,gap_p90');
    assert.equal(lines.length, 1 + 18);
    assert.match(lines[1]!, /^E92000001,England,2023,/);

    const problems: [unknown, string][] = [
      [{ geography: 'atlantis', runs: 0 }, 'geography'],
      [{ runs: 10_001 }, 'runs'],
      [{ scenario: { inProgressWeight: -0.5 }, runs: 0 }, 'scenario.inProgressWeight'],
      [{ scenario: { levers: [{ kind: 'training', size: -2, startYear: 2026, rampYears: 1 }] }, runs: 0 }, 'scenario.levers'],
      [{ scenario: 'current-policy', to: 2090, runs: 0 }, 'scenario.to'],
    ];
    const before = await runCount();
    for (const [payload, parameter] of problems) {
      const res = await post(payload);
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      const errors = res.json<{ errors: { parameter: string; message: string }[] }>().errors;
      assert.ok(errors.some((e) => e.parameter.startsWith(parameter)), `${JSON.stringify(errors)} names ${parameter}`);
    }
    assert.equal(await runCount(), before);
    assert.equal((await post({ runs: 0 }, '/api/v1/workforce/projections?format=xml')).statusCode, 400);

    const stored = await t.services.workforce.run({ scenario: 'real-living-wage', runs: 10 }, { store: true, actor: systemActor });
    const fetched = await t.app.inject(`/api/v1/workforce/runs/${stored.id}`);
    assert.equal(fetched.statusCode, 200);
    assert.equal(fetched.json<RunResult>().hash, stored.hash);
    assert.equal(fetched.json<RunResult>().stored, true);
    assert.equal((await t.app.inject('/api/v1/workforce/runs/999999')).statusCode, 404);
    assert.equal((await t.app.inject('/api/v1/workforce/runs/abc')).statusCode, 400);

    const doc = (await t.app.inject('/api/v1/openapi.json')).json<{ paths: Record<string, Record<string, { requestBody?: unknown }>> }>();
    assert.ok(doc.paths['/api/v1/workforce/projections']?.post?.requestBody);
    assert.ok(doc.paths['/api/v1/workforce/scenarios']?.get && doc.paths['/api/v1/workforce/runs/{id}']?.get);
  });

  it('lets the strategy team create, edit, publish and delete scenarios, keeping their input on a clash', async () => {
    const list = await t.app.inject({ url: '/admin/workforce', headers: { cookie: team } });
    assert.equal(list.statusCode, 200);
    assert.match(pageText(section(list.body, 'scenarios')), /Current policy Published Shipped with the hub/);
    assert.match(pageText(section(list.body, 'datasets')), /Population projection .* 2022-based/);

    // "Save as a scenario" from /workforce carries the values there.
    const page = await t.app.inject({ url: query({ ...DEFAULT_FORM, 'training-size': '7', 'training-start': '2027', 'training-ramp': '3' }), headers: { cookie: team } });
    const saveHref = /href="([^"]+)" data-qa="save-as-scenario"/.exec(page.body)![1]!.replaceAll('&amp;', '&');
    const prefilled = await t.app.inject({ url: saveHref, headers: { cookie: team } });
    assert.equal(prefilled.statusCode, 200);
    assert.match(prefilled.body, /id="training-size" name="training-size"[^>]*value="7"/);
    assert.doesNotMatch((await t.app.inject('/workforce')).body, /save-as-scenario/, 'not offered to the public');

    const fields = { ...DEFAULT_FORM, name: 'Training push', description: 'Seven per cent fewer leavers.', 'training-size': '7', 'training-start': '2027', 'training-ramp': '3' };
    const { scenario: _s, ...form } = fields;
    const bad = await submitForm(t.app, { url: '/admin/workforce/scenarios', formUrl: '/admin/workforce/scenarios/new', cookie: team, fields: { ...form, name: '', inProgress: '150' } });
    assert.equal(bad.statusCode, 400);
    assert.match(pageText(section(bad.body, 'error-summary')), /Enter a name for the scenario.*between 0% and 100%/);
    const created = await submitForm(t.app, { url: '/admin/workforce/scenarios', formUrl: '/admin/workforce/scenarios/new', cookie: team, fields: form });
    assert.equal(created.statusCode, 303, pageText(created.body).slice(0, 400));
    const saved = (await t.services.workforce.scenario('training-push'))!;
    assert.equal(saved.published, false);
    assert.deepEqual(saved.params.levers, [{ kind: 'training', size: 0.07, startYear: 2027, rampYears: 3 }]);
    const confirmation = await t.app.inject({ url: '/admin/workforce', headers: { cookie: `${team}; ${created.headers['set-cookie']!.toString().split(';')[0]}` } });
    assert.match(pageText(section(confirmation.body, 'saved')), /The scenario “Training push” is saved as a draft/);
    assert.equal((await t.app.inject('/workforce?scenario=training-push')).statusCode, 400, 'a draft is not public');

    // Someone else saves first: the form comes back with this person's values and a 409.
    const editUrl = '/admin/workforce/scenarios/training-push/edit';
    const stale = await t.app.inject({ url: editUrl, headers: { cookie: team } });
    await t.services.workforce.saveScenario(systemActor, 1, { name: 'Training push', description: 'Changed elsewhere.', published: false, params: saved.params }, { slug: 'training-push', version: saved.version });
    const staleToken = /name="_csrf" value="([^"]+)"/.exec(stale.body)![1]!;
    const csrfCookie = stale.cookies.find((c) => c.name === 'hub_csrf')!.value;
    const clash = await t.app.inject({
      method: 'POST',
      url: editUrl,
      headers: { cookie: `${team}; hub_csrf=${csrfCookie}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: staleToken, version: String(saved.version), ...form, description: 'My own words.' }).toString(),
    });
    assert.equal(clash.statusCode, 409);
    assert.match(pageText(section(clash.body, 'conflict')), /Someone else saved this scenario/);
    assert.match(clash.body, />My own words\.<\/textarea>/);
    assert.equal((await t.services.workforce.scenario('training-push'))!.description, 'Changed elsewhere.');

    const edited = await submitForm(t.app, { url: editUrl, cookie: team, fields: { ...form, description: 'My own words.', published: 'true', version: String(saved.version + 1) } });
    assert.equal(edited.statusCode, 303);
    assert.equal((await t.services.workforce.scenario('training-push'))!.published, true);
    assert.equal((await t.app.inject('/workforce?scenario=training-push')).statusCode, 200, 'published, it is public');

    const current = (await t.services.workforce.scenario('training-push'))!;
    const unpublished = await submitForm(t.app, { url: '/admin/workforce/scenarios/training-push/publish', formUrl: '/admin/workforce', cookie: team, fields: { version: String(current.version), published: 'false' } });
    assert.equal(unpublished.statusCode, 303);
    assert.equal((await t.services.workforce.scenario('training-push'))!.published, false);

    const confirm = await t.app.inject({ url: '/admin/workforce/scenarios/training-push/delete', headers: { cookie: team } });
    assert.match(pageText(confirm.body), /Delete the scenario “Training push”\?/);
    const deleted = await submitForm(t.app, { url: '/admin/workforce/scenarios/training-push/delete', cookie: team, fields: {} });
    assert.equal(deleted.statusCode, 303);
    assert.equal(await t.services.workforce.scenario('training-push'), undefined);
    const protectedPage = await t.app.inject({ url: '/admin/workforce/scenarios/current-policy/delete', headers: { cookie: team } });
    assert.match(pageText(section(protectedPage.body, 'cannot-delete')), /default view/);
    const refused = await submitForm(t.app, { url: '/admin/workforce/scenarios/current-policy/delete', formUrl: '/admin/workforce/scenarios/current-policy/edit', cookie: team, fields: {} });
    assert.equal(refused.statusCode, 400);
    assert.ok(await t.services.workforce.scenario('current-policy'));

    const audit = await queryRows<{ action: string }>(t.database.db, sql`select action from audit_events where object_type = 'workforce_scenario' and actor_type = 'user' order by id`);
    assert.deepEqual(audit.map((r) => r.action), ['workforce.scenario.create', 'workforce.scenario.update', 'workforce.scenario.update', 'workforce.scenario.delete']);

    for (const url of ['/admin/workforce', '/admin/workforce/scenarios/new', '/admin/workforce/items/AR-01']) {
      assert.equal((await t.app.inject({ url, headers: { cookie: reporter } })).statusCode, 403, `${url} as a reporter`);
    }
  });

  it('edits an item’s levers, and the item page shows its new worth at once', async () => {
    const itemPage = async () => (await t.app.inject('/recommendations/AR-01')).body;
    const worthBefore = (await t.services.workforce.itemWorth('AR-01'))!;
    const before = await itemPage();
    const worthText = pageText(section(before, 'workforce-worth').slice(0, 3000));
    assert.match(worthText, /Pay premium: care workers paid £0\.50 an hour more/);
    assert.match(worthText, new RegExp(`by ${worthBefore.item ? (Math.round(worthBefore.item.change) < 0 ? '−' : '+') + n(Math.abs(worthBefore.item.change)) : '0'} posts`));

    const form = await t.app.inject({ url: '/admin/workforce/items/AR-01', headers: { cookie: admin } });
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /id="lever-0-size" name="lever-0-size"[^>]*value="0.50"/);
    assert.match(form.body, /id="lever-1-kind" name="lever-1-kind"/, 'a blank row to add a lever');

    const bad = await submitForm(t.app, { url: '/admin/workforce/items/AR-01', cookie: admin, fields: { rows: '2', 'lever-0-kind': 'training', 'lever-0-size': '120', 'lever-0-start': '2026', 'lever-0-ramp': '1', 'lever-1-kind': '', 'lever-1-size': '' } });
    assert.equal(bad.statusCode, 400);
    assert.match(pageText(section(bad.body, 'error-summary')), /Lever 1: the size must be less than 100%/);
    assert.match(section(bad.body, 'error-summary'), /href="#lever-0-size"/);

    const saved = await submitForm(t.app, {
      url: '/admin/workforce/items/AR-01',
      cookie: admin,
      fields: { rows: '2', 'lever-0-kind': 'pay_premium', 'lever-0-size': '0.50', 'lever-0-start': '2026', 'lever-0-ramp': '4', 'lever-0-remove': 'yes', 'lever-1-kind': 'training', 'lever-1-size': '8', 'lever-1-start': '2026', 'lever-1-ramp': '2', 'lever-1-roles': ['care_worker', 'registered_nurse'], 'lever-1-source': 'Test' },
    });
    assert.equal(saved.statusCode, 303, pageText(saved.body).slice(0, 500));
    const levers = (await t.services.workforce.leversOf('AR-01'))!.levers;
    assert.deepEqual(levers, [{ kind: 'training', size: 0.08, startYear: 2026, rampYears: 2, roles: ['care_worker', 'registered_nurse'], source: 'Test' }]);
    const after = pageText(section(await itemPage(), 'workforce-worth').slice(0, 3000));
    assert.match(after, /Training and retention: 8% fewer leavers \(care workers, registered nurses\) from 2026/);
    assert.doesNotMatch(after, /Pay premium/);

    const none = await submitForm(t.app, { url: '/admin/workforce/items/AR-01', cookie: admin, fields: { rows: '1', 'lever-0-kind': 'training', 'lever-0-size': '8', 'lever-0-start': '2026', 'lever-0-ramp': '2', 'lever-0-remove': 'yes' } });
    assert.equal(none.statusCode, 303);
    assert.match(pageText(section(await itemPage(), 'workforce-worth').slice(0, 3000)), /declares no levers/);
    const refused = await submitForm(t.app, { url: '/admin/workforce/items/AR-01', formUrl: '/recommendations/AR-01/follow', cookie: reporter, fields: { rows: '0' } });
    assert.equal(refused.statusCode, 403);
  });

  it('shows the first published scenario when current policy is unpublished', async () => {
    const current = (await t.services.workforce.scenario('current-policy'))!;
    const input = { name: current.name, description: current.description, params: current.params };
    const hidden = await t.services.workforce.saveScenario(systemActor, 1, { ...input, published: false }, { slug: current.slug, version: current.version });
    const res = await t.app.inject('/workforce');
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /<option value="published-method" selected>/);
    assert.doesNotMatch(res.body, /value="current-policy"/);
    await t.services.workforce.saveScenario(systemActor, 1, { ...input, published: true }, { slug: current.slug, version: hidden.version });
  });
});

describe('the workforce model without data', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp('empty');
  });
  after(async () => t?.close());

  it('says how to load the datasets', async () => {
    for (const url of ['/workforce', '/workforce/methodology']) {
      const res = await t.app.inject(url);
      assert.equal(res.statusCode, 200);
      assert.match(pageText(section(res.body, 'no-data')), /npx strategy-hub import population FILE/);
    }
    assert.deepEqual((await t.app.inject('/api/v1/workforce/scenarios')).json(), { data: [] });
  });
});
