// The annual review through the real app and database: who may run it, the years it may be
// for, decisions and their rules, two people deciding at once, publishing (refused while
// items are undecided; one transaction that freezes a snapshot and changes nothing else),
// immutability afterwards, and the public report as a page, CSV, XLSX and JSON.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'drizzle-orm';
import { systemActor } from '../../platform/audit/audit.ts';
import type { CurrentUser } from '../../platform/auth/roles.ts';
import { queryRows } from '../../platform/db/client.ts';
import { parseCsv, parseXlsx } from '../../platform/files/spreadsheet.ts';
import { ConflictError, ForbiddenError } from '../../platform/http/errors.ts';
import { InputError } from '../../platform/http/validation.ts';
import { addPeople, createTestApp, pageText, section, signInAs, submitForm, type TestApp } from '../../testing.ts';
import type { ItemKind } from '../strategy/schema.ts';
import type { Outcome } from './schema.ts';

describe('annual reviews', () => {
  let t: TestApp;
  let team: string;
  let second: string;
  let admin: string;
  let reporter: string;
  let teamUser: CurrentUser;
  let reporterUser: CurrentUser;
  let allCodes: string[];

  before(async () => {
    t = await createTestApp('demo');
    const catalogue = await t.services.strategy.catalogue();
    const cqcId = catalogue.organisations.find((o) => o.shortName === 'CQC')!.id;
    await addPeople(t, [
      { email: 'team@example.org', name: 'Tom Team', role: 'strategy_team' },
      { email: 'second@example.org', name: 'Sam Second', role: 'strategy_team' },
      { email: 'admin@example.org', name: 'Ada Admin', role: 'administrator' },
      { email: 'reporter@cqc.example', name: 'Rita Reporter', role: 'organisation_reporter', organisationId: cqcId },
    ]);
    team = (await signInAs(t.app, 'team@example.org')).cookie;
    second = (await signInAs(t.app, 'second@example.org')).cookie;
    admin = (await signInAs(t.app, 'admin@example.org')).cookie;
    reporter = (await signInAs(t.app, 'reporter@cqc.example')).cookie;
    const people = await queryRows<{ id: number; email: string }>(t.database.db, sql`select id, email from users`);
    const idOf = (email: string) => people.find((p) => p.email === email)!.id;
    teamUser = { id: idOf('team@example.org'), email: 'team@example.org', name: 'Tom Team', role: 'strategy_team', organisationId: null };
    reporterUser = { id: idOf('reporter@cqc.example'), email: 'reporter@cqc.example', name: 'Rita Reporter', role: 'organisation_reporter', organisationId: cqcId };
    allCodes = (await t.services.strategy.itemsAsTheyStand()).items.map((i) => i.code);
  });
  after(async () => t.close());

  const get = (url: string, cookie = team) => t.app.inject({ url, headers: cookie ? { cookie } : {} });
  /** The page a redirect leads to, with the confirmation it set. */
  const follow = (res: LightMyRequestResponse, cookie = team) => {
    const flash = res.cookies.find((c) => c.name === 'hub_flash');
    assert.ok(flash, 'a confirmation is set');
    return get(String(res.headers.location), `${cookie}; hub_flash=${flash.value}`);
  };
  const reviewRow = async (year: number) =>
    (await queryRows<{ state: string; version: number; figures: unknown; title: string }>(t.database.db, sql`select state, version, figures, title from reviews where year = ${year}`))[0];
  const decisionRow = async (year: number, code: string) =>
    (
      await queryRows<{ outcome: string; rationale: string; version: number }>(
        t.database.db,
        sql`select d.outcome, d.rationale, d.version from review_decisions d join reviews r on r.id = d.review_id join items i on i.id = d.item_id where r.year = ${year} and i.code = ${code}`,
      )
    )[0];
  const snapshotCount = async (year: number) =>
    Number((await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from review_items s join reviews r on r.id = s.review_id where r.year = ${year}`))[0]!.n);
  const auditActions = async (objectType: string) =>
    (await queryRows<{ action: string; object_id: string }>(t.database.db, sql`select action, object_id from audit_events where object_type = ${objectType} order by id`)).map(
      (r) => `${r.action} ${r.object_id}`,
    );
  const decide = (year: number, code: string, outcome: Outcome, rationale: string) =>
    t.services.reviews.decide(systemActor, teamUser, year, code, { outcome, rationale }, undefined);
  /** An item the team adds now, in Transform, with nothing but a code, title and type. */
  const addItem = (code: string, title: string, kind: ItemKind | null) =>
    t.services.strategy.createItem(systemActor, teamUser, {
      code,
      kind,
      title,
      summary: '',
      body: '',
      area: 'transform',
      leads: [],
      partners: [],
      themes: [],
      priorities: [],
      shifts: [],
      targetText: null,
      targetDate: null,
      governmentRole: null,
    });
  const decisionForm = (year: number, code: string, fields: Record<string, string>, cookie = team) =>
    submitForm(t.app, { url: `/admin/reviews/${year}/items/${code}`, formUrl: '/admin/reviews', cookie, fields });

  describe('who may run a review', () => {
    it('is the strategy team and administrators only', async () => {
      assert.equal((await get('/admin/reviews')).statusCode, 200);
      assert.equal((await get('/admin/reviews', admin)).statusCode, 200);
      assert.equal((await get('/admin/reviews', reporter)).statusCode, 403);
      const anonymous = await get('/admin/reviews', '');
      assert.equal(anonymous.statusCode, 303);
      assert.match(String(anonymous.headers.location), /^\/login\?next=/);
      await assert.rejects(t.services.reviews.open(systemActor, reporterUser, 2025), ForbiddenError);
      assert.equal((await submitForm(t.app, { url: '/admin/reviews', formUrl: '/sign-out', cookie: reporter, fields: { year: '2025' } })).statusCode, 403);
      assert.equal(await reviewRow(2025), undefined, 'nothing opened');
    });

    it('shows an empty list, and the public an empty state, before any review', async () => {
      assert.match(pageText((await get('/admin/reviews')).body), /No review has been opened yet/);
      const pub = await get('/reviews', '');
      assert.equal(pub.statusCode, 200);
      assert.match(pageText(pub.body), /No annual review has been published yet/);
      assert.deepEqual(JSON.parse((await get('/api/v1/reviews', '')).body), { data: [] });
    });
  });

  describe('opening a review', () => {
    it('refuses a year outside the strategy’s horizon (2024 start, 15 years), or not a year, writing nothing', async () => {
      for (const year of ['2024', '2040', '1999']) {
        const res = await submitForm(t.app, { url: '/admin/reviews', cookie: team, fields: { year } });
        assert.equal(res.statusCode, 400, year);
        assert.match(pageText(section(res.body, 'error-summary')), /Enter a year from 2025 to 2039: the strategy started in 2024 and runs for 15 years/);
        assert.match(res.body, /<title>Error: /);
      }
      const bad = await submitForm(t.app, { url: '/admin/reviews', cookie: team, fields: { year: 'next' } });
      assert.equal(bad.statusCode, 400);
      assert.match(pageText(bad.body), /Year must be 4 numbers, like 2025/);
      const empty = await submitForm(t.app, { url: '/admin/reviews', cookie: team, fields: { year: '' } });
      assert.match(pageText(empty.body), /Enter the year of the review/);
      assert.equal(Number((await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from reviews`))[0]!.n), 0);
    });

    it('opens the 2025 review, titled "One year on", with an audit event', async () => {
      const res = await submitForm(t.app, { url: '/admin/reviews', cookie: team, fields: { year: '2025' } });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/admin/reviews/2025');
      const page = await follow(res);
      assert.match(pageText(section(page.body, 'saved')), /The 2025 review is open/);
      assert.match(pageText(page.body), /One year on/);
      assert.equal((await reviewRow(2025))!.title, 'One year on');
      assert.deepEqual(await auditActions('review'), ['review.opened 2025']);
    });

    it('allows one review per year, in order, one open at a time', async () => {
      const again = await submitForm(t.app, { url: '/admin/reviews', cookie: team, fields: { year: '2025' } });
      assert.equal(again.statusCode, 400);
      assert.match(pageText(again.body), /There is already a review for 2025/);
      const next = await submitForm(t.app, { url: '/admin/reviews', cookie: team, fields: { year: '2026' } });
      assert.equal(next.statusCode, 400);
      assert.match(pageText(next.body), /The 2025 review is still open: publish it before you open another/);
      assert.equal(await reviewRow(2026), undefined);
    });

    it('keeps the review unpublished from the public: 404 for the page, its downloads and the API', async () => {
      for (const url of ['/reviews/2025', '/reviews/2025.csv', '/reviews/2025.xlsx', '/api/v1/reviews/2025']) {
        assert.equal((await get(url, '')).statusCode, 404, url);
      }
      assert.doesNotMatch(pageText((await get('/reviews', '')).body), /2025 review/);
    });
  });

  describe('recording decisions', () => {
    it('lists every item with "No decision yet" and filters by decision', async () => {
      const page = await get('/admin/reviews/2025');
      assert.equal(page.statusCode, 200);
      const table = pageText(section(page.body, 'decisions'));
      for (const code of allCodes) assert.match(table, new RegExp(`${code}\\b`));
      assert.match(pageText(section(page.body, 'review-state')), new RegExp(`0 of ${allCodes.length} active items have a decision`));
      assert.match(pageText(section(page.body, 'filters')), new RegExp(`No decision yet \\(${allCodes.length}\\)`));
      assert.equal((await get('/admin/reviews/2025?outcome=keep')).statusCode, 200);
      assert.match(pageText((await get('/admin/reviews/2025?outcome=keep')).body), /No item matches/);
      assert.equal((await get('/admin/reviews/2025?outcome=maybe')).statusCode, 400);
      assert.equal((await get('/admin/reviews/2031')).statusCode, 404);
      assert.equal((await get('/admin/reviews/next')).statusCode, 404);
      assert.equal((await get('/admin/reviews/2025/items/NOPE-99')).statusCode, 404);
    });

    it('needs an outcome and a reason; nothing is written without them', async () => {
      const res = await decisionForm(2025, 'AR-01', { outcome: '', rationale: '   ', version: '' });
      assert.equal(res.statusCode, 400);
      const summary = pageText(section(res.body, 'error-summary'));
      assert.match(summary, /Select the decision/);
      assert.match(summary, /Enter the reason for the decision/);
      await assert.rejects(decide(2025, 'AR-01', 'keep', ' \n '), InputError);
      assert.equal(await decisionRow(2025, 'AR-01'), undefined);
    });

    it('records a decision through the form, with an audit event, and shows it in the list', async () => {
      const res = await decisionForm(2025, 'AR-01', { outcome: 'keep', rationale: 'Pay is still the heart of the strategy.', version: '' });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/admin/reviews/2025');
      assert.deepEqual(await decisionRow(2025, 'AR-01'), { outcome: 'keep', rationale: 'Pay is still the heart of the strategy.', version: 1 });
      assert.match(pageText(section((await follow(res)).body, 'saved')), /Your decision on AR-01 is saved: Keep/);
      const page = await get('/admin/reviews/2025?outcome=keep');
      assert.match(pageText(section(page.body, 'decisions')), /AR-01.*Keep.*Pay is still the heart of the strategy\./);
      assert.deepEqual(await auditActions('review_decision'), ['review_decision.saved 2025/AR-01']);
    });

    it('offers "New" at the first review only for items added after the strategy was launched', async () => {
      const form = await get('/admin/reviews/2025/items/AR-02');
      assert.doesNotMatch(form.body, /value="new"/, 'a launch item is not offered "New"');
      assert.match(pageText(form.body), /“New” is only for items added since the strategy was launched, and AR-02 was part of it at launch/);
      const res = await decisionForm(2025, 'AR-02', { outcome: 'new', rationale: 'Trying it on.', version: '' });
      assert.equal(res.statusCode, 400);
      assert.match(pageText(section(res.body, 'error-summary')), /“New” is only for items added since the strategy was launched/);
      assert.equal(await decisionRow(2025, 'AR-02'), undefined);

      // An item the team adds now was not in the strategy at launch.
      await addItem('TX-90', 'A workforce data standard', 'commitment');
      const added = await get('/admin/reviews/2025/items/TX-90');
      assert.match(added.body, /value="new"/);
      const saved = await decisionForm(2025, 'TX-90', { outcome: 'new', rationale: 'Added by the Oversight Executive in spring.', version: '' });
      assert.equal(saved.statusCode, 303);
      assert.equal((await decisionRow(2025, 'TX-90'))!.outcome, 'new');
    });

    it('refuses the second of two people saving the same decision, keeping their text and showing the saved one', async () => {
      // Both open the form before either saves: neither form names a version.
      const first = await decisionForm(2025, 'AR-03', { outcome: 'amend', rationale: 'Needs a clearer target.', version: '' }, team);
      assert.equal(first.statusCode, 303);
      const late = await decisionForm(2025, 'AR-03', { outcome: 'keep', rationale: 'Fine as it is, in my view.', version: '' }, second);
      assert.equal(late.statusCode, 409);
      assert.match(late.body, /<title>Error: /);
      assert.match(pageText(section(late.body, 'conflict')), /Someone else saved a decision on AR-03 while you were writing yours/);
      assert.match(late.body, /Fine as it is, in my view\./, 'their text is in the form');
      assert.match(pageText(section(late.body, 'saved-decision')), /Amend.*Needs a clearer target\..*Tom Team/);
      assert.deepEqual(await decisionRow(2025, 'AR-03'), { outcome: 'amend', rationale: 'Needs a clearer target.', version: 1 });

      // Editing from a stale version is refused too; from the saved one it goes through.
      const stale = await decisionForm(2025, 'AR-01', { outcome: 'amend', rationale: 'Stale.', version: '1' }, second);
      assert.equal(stale.statusCode, 303);
      const staleAgain = await decisionForm(2025, 'AR-01', { outcome: 'retire', rationale: 'Also stale.', version: '1' }, team);
      assert.equal(staleAgain.statusCode, 409);
      assert.match(late.body, /name="version" value="1"/, 'the refused form carries the saved version, so saving again replaces it knowingly');
      const knowingly = await decisionForm(2025, 'AR-03', { outcome: 'keep', rationale: 'Fine as it is, in my view.', version: '1' }, second);
      assert.equal(knowingly.statusCode, 303);
      assert.deepEqual(await decisionRow(2025, 'AR-03'), { outcome: 'keep', rationale: 'Fine as it is, in my view.', version: 2 });
    });

    it('links a retire or amend decision to the item admin, and does not change the item', async () => {
      await decide(2025, 'AR-04', 'retire', 'Done: the guidance is out.');
      const page = await get('/admin/reviews/2025/items/AR-04');
      assert.match(page.body, /href="\/admin\/items\/AR-04\/retire"/);
      assert.match(pageText(section(page.body, 'follow-up')), /does not retire the item/);
      const amend = await get('/admin/reviews/2025/items/AR-01');
      assert.match(amend.body, /href="\/admin\/items\/AR-01\/edit"/);
      const item = await t.services.strategy.getItem('AR-04');
      assert.notEqual(item!.status, 'retired');
    });
  });

  describe('publishing', () => {
    let revisionBefore: number;
    let statusesBefore: Map<string, string | null>;

    it('is refused while any active item has no decision, naming each one', async () => {
      const confirm = await get('/admin/reviews/2025/publish');
      assert.equal(confirm.statusCode, 200);
      assert.match(pageText(confirm.body), /The 2025 review cannot be published yet/);
      assert.match(pageText(section(confirm.body, 'undecided')), /AR-02.*AR-05/);
      assert.doesNotMatch(confirm.body, /data-qa="confirm-publish"/);
      const version = (await reviewRow(2025))!.version;
      const res = await submitForm(t.app, { url: '/admin/reviews/2025/publish', formUrl: '/admin/reviews/2025/intro', cookie: team, fields: { version: String(version) } });
      assert.equal(res.statusCode, 400);
      const summary = pageText(section(res.body, 'error-summary'));
      assert.match(summary, /AR-02 has no decision yet/);
      assert.match(res.body, /href="\/admin\/reviews\/2025\/items\/AR-02"/);
      assert.equal((await reviewRow(2025))!.state, 'open');
      assert.equal(await snapshotCount(2025), 0);
      await assert.rejects(t.services.reviews.publish(systemActor, teamUser, 2025, version), (e: unknown) => e instanceof InputError && e.problems.length > 1);
    });

    it('does not need a decision on a retired item', async () => {
      const item = (await t.services.strategy.getItem('TX-04'))!;
      await t.services.strategy.retireItem(systemActor, teamUser, 'TX-04', item.version);
      const undecided = (await t.services.reviews.undecided(teamUser, 2025)).map((l) => l.code);
      assert.ok(!undecided.includes('TX-04'));
    });

    it('lets the team write the title and introduction, refusing a stale save', async () => {
      const { version } = (await reviewRow(2025))!;
      const res = await submitForm(t.app, {
        url: '/admin/reviews/2025/intro',
        cookie: team,
        fields: { title: 'One year on', summary: 'A year of delivery.\n\nMore than half is moving.', version: String(version) },
      });
      assert.equal(res.statusCode, 303);
      const stale = await submitForm(t.app, { url: '/admin/reviews/2025/intro', cookie: second, fields: { title: 'Mine', summary: 'My words.', version: String(version) } });
      assert.equal(stale.statusCode, 409);
      assert.match(stale.body, /My words\./);
      const blank = await submitForm(t.app, { url: '/admin/reviews/2025/intro', cookie: team, fields: { title: ' ', summary: '', version: String(version + 1) } });
      assert.equal(blank.statusCode, 400);
      assert.match(pageText(blank.body), /Enter a title/);
      assert.equal((await reviewRow(2025))!.title, 'One year on');
    });

    it('asks "are you sure" once every active item has a decision', async () => {
      const undecided = await t.services.reviews.undecided(teamUser, 2025);
      for (const line of undecided) {
        const rationale = line.code === 'AR-05' ? '=HYPERLINK("http://evil.example","click")' : `Still needed: ${line.code}.`;
        await decide(2025, line.code, 'keep', rationale);
      }
      const confirm = await get('/admin/reviews/2025/publish');
      assert.match(pageText(confirm.body), /Are you sure you want to publish the 2025 review\?/);
      assert.match(pageText(confirm.body), /This cannot be undone/);
      assert.match(confirm.body, /data-qa="confirm-publish"/);
    });

    it('freezes the snapshot and figures in one transaction, with an audit event, and changes nothing else', async () => {
      revisionBefore = await t.services.strategy.revision();
      statusesBefore = new Map((await t.services.strategy.itemsAsTheyStand()).items.map((i) => [i.code, i.status]));
      const { version } = (await reviewRow(2025))!;
      const res = await submitForm(t.app, { url: '/admin/reviews/2025/publish', cookie: team, fields: { version: String(version) } });
      assert.equal(res.statusCode, 303);
      assert.equal(res.headers.location, '/admin/reviews/2025');
      const page = await follow(res);
      assert.match(pageText(section(page.body, 'published-panel')), /Review published.*The 2025 review is published/);
      const row = (await reviewRow(2025))!;
      assert.equal(row.state, 'published');
      assert.equal(await snapshotCount(2025), allCodes.length + 1, 'every item, the added one and the retired one too');
      const figures = row.figures as { total: number; active: number; byStatus: Record<string, number> };
      assert.equal(figures.total, allCodes.length + 1);
      assert.equal(figures.byStatus.retired, [...statusesBefore.values()].filter((s) => s === 'retired').length);
      assert.equal(figures.active, figures.total - figures.byStatus.retired);
      assert.ok((await auditActions('review')).includes('review.published 2025'));
      // Nothing else: no item changed (AR-04's "retire" is a record), no public revision bumped.
      assert.equal(await t.services.strategy.revision(), revisionBefore);
      const after = new Map((await t.services.strategy.itemsAsTheyStand()).items.map((i) => [i.code, i.status]));
      assert.deepEqual(after, statusesBefore);
    });

    it('is immutable once published: decisions, introduction and publishing again are refused with the reason', async () => {
      const { version } = (await reviewRow(2025))!;
      await assert.rejects(decide(2025, 'AR-01', 'retire', 'Too late.'), (e: unknown) => e instanceof ConflictError && /published, so it cannot be changed/.test(e.message));
      await assert.rejects(t.services.reviews.updateIntro(systemActor, teamUser, 2025, { title: 'Changed', summary: '' }, version), ConflictError);
      await assert.rejects(t.services.reviews.publish(systemActor, teamUser, 2025, version), ConflictError);
      const res = await decisionForm(2025, 'AR-01', { outcome: 'retire', rationale: 'Too late, through the form.', version: '2' });
      assert.equal(res.statusCode, 409);
      assert.match(pageText(section(res.body, 'conflict')), /The 2025 review is published, so it cannot be changed/);
      assert.match(pageText(section(res.body, 'unsaved-text')), /Too late, through the form\./);
      assert.doesNotMatch(res.body, /data-qa="decision-form"/);
      assert.equal((await decisionRow(2025, 'AR-01'))!.outcome, 'amend');
      assert.equal((await get('/admin/reviews/2025/intro')).statusCode, 404);
      assert.equal((await submitForm(t.app, { url: '/admin/reviews/2025/publish', formUrl: '/admin/reviews', cookie: team, fields: { version: String(version) } })).statusCode, 409);
    });
  });

  describe('the public report', () => {
    it('lists the published review and shows it "One year on", with the figures, the first-review note and the decisions', async () => {
      assert.match(pageText((await get('/reviews', '')).body), /One year on: the 2025 review/);
      const res = await get('/reviews/2025', '');
      assert.equal(res.statusCode, 200);
      const text = pageText(res.body);
      assert.match(pageText(section(res.body, 'years-on')), /One year on from the launch of the Workforce Strategy for Adult Social Care in England on 18 July 2024/);
      assert.match(text, /A year of delivery\. More than half is moving\./);
      assert.match(pageText(section(res.body, 'by-status')), /Retired 1/);
      assert.match(pageText(section(res.body, 'moved')), /This is the first annual review, so there is no earlier review to compare with/);
      assert.match(pageText(section(res.body, 'outcome-retire')), /AR-04.*Done: the guidance is out\./);
      assert.match(pageText(section(res.body, 'outcome-new')), /TX-90.*Added by the Oversight Executive in spring\./);
      assert.match(pageText(section(res.body, 'outcome-amend')), /AR-01/);
      assert.match(res.body, /<link rel="stylesheet" href="\/public\/print\.css">/);
      assert.match(res.body, /href="\/reviews\/2025\.csv"/);
      const css = await get('/public/print.css', '');
      assert.equal(css.statusCode, 200);
      assert.match(css.body, /@media print/);
    });

    it('downloads as CSV with a sensible file name, one row per item, formulas made harmless', async () => {
      const res = await get('/reviews/2025.csv', '');
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/csv/);
      assert.equal(res.headers['content-disposition'], 'attachment; filename="workforce-strategy-review-2025.csv"');
      const table = parseCsv(res.body);
      assert.deepEqual(table.columns.slice(0, 3), ['code', 'title', 'type']);
      assert.equal(table.rows.length, allCodes.length + 1);
      const ar04 = table.rows.find((r) => r.values.code === 'AR-04')!.values;
      assert.equal(ar04.decision, 'Retire');
      assert.equal(ar04.rationale, 'Done: the guidance is out.');
      assert.equal(ar04.status_at_previous_review, '', 'no earlier review');
      assert.equal(table.rows.find((r) => r.values.code === 'AR-05')!.values.rationale, `'=HYPERLINK("http://evil.example","click")`);
    });

    it('downloads as XLSX with the items and a sheet of figures', async () => {
      const res = await get('/reviews/2025.xlsx', '');
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      assert.equal(res.headers['content-disposition'], 'attachment; filename="workforce-strategy-review-2025.xlsx"');
      const table = await parseXlsx(res.rawPayload);
      assert.equal(table.rows.length, allCodes.length + 1);
      assert.equal(table.rows.find((r) => r.values.code === 'AR-05')!.values.rationale, `'=HYPERLINK("http://evil.example","click")`);
    });

    it('gives the same report as JSON, described in the OpenAPI document', async () => {
      const res = await get('/api/v1/reviews/2025', '');
      assert.equal(res.statusCode, 200);
      const body = JSON.parse(res.body) as { year: number; years_on: number; previous_review: unknown; items: { code: string; outcome: string | null }[]; figures: { total: number } };
      assert.equal(body.year, 2025);
      assert.equal(body.years_on, 1);
      assert.equal(body.previous_review, null);
      assert.equal(body.items.length, allCodes.length + 1);
      assert.equal(body.items.find((i) => i.code === 'TX-90')!.outcome, 'new');
      assert.equal((await get('/api/v1/reviews/2026', '')).statusCode, 404);
      assert.equal((await get('/api/v1/reviews/next', '')).statusCode, 400);
      const list = JSON.parse((await get('/api/v1/reviews', '')).body) as { data: { year: number }[] };
      assert.deepEqual(list.data.map((r) => r.year), [2025]);
      const doc = JSON.parse((await get('/api/v1/openapi.json', '')).body) as { paths: Record<string, unknown> };
      assert.ok(doc.paths['/api/v1/reviews/{year}']);
      assert.ok(doc.paths['/api/v1/reviews']);
    });
  });

  describe('the next review', () => {
    it('compares with the previous review: "New" only for items not in it, and what moved', async () => {
      assert.equal((await submitForm(t.app, { url: '/admin/reviews', cookie: team, fields: { year: '2026' } })).statusCode, 303);
      // TX-90 was "new" last year, so not now; an item added since is.
      await assert.rejects(decide(2026, 'TX-90', 'new', 'Again?'), (e: unknown) => e instanceof InputError && /was in the 2025 review/.test(e.message));
      await addItem('TX-91', 'A national workforce dataset', null);
      // AR-02 moves on since 2025, through a published progress update's status.
      const ar02 = (await t.services.strategy.itemRef('AR-02'))!;
      const revision = await t.database.db.transaction((tx) => t.services.strategy.applyProgress(tx, systemActor, ar02.id, { status: 'complete', note: 'Done.', asOf: '2026-06-01' }));
      t.services.strategy.noteRevision(revision);
      for (const line of await t.services.reviews.undecided(teamUser, 2026)) {
        await decide(2026, line.code, line.code === 'TX-91' ? 'new' : 'keep', `Reviewed in 2026: ${line.code}.`);
      }
      await t.services.reviews.publish(systemActor, teamUser, 2026, (await reviewRow(2026))!.version);

      const res = await get('/reviews/2026', '');
      assert.equal(res.statusCode, 200);
      assert.match(pageText(section(res.body, 'years-on')), /years-on">2 years on from the launch/);
      const moved = pageText(section(res.body, 'moved')).split(' Decisions ')[0]!;
      assert.match(moved, /AR-02.*Not reported.*Complete/);
      assert.match(moved, /Added since the 2025 review.*TX-91/);
      assert.doesNotMatch(moved, /AR-01/, 'unchanged items are not listed');
      assert.match(pageText(section(res.body, 'by-status')), /2026 review 2025 review/);
      const csv = parseCsv((await get('/reviews/2026.csv', '')).body);
      assert.equal(csv.rows.find((r) => r.values.code === 'AR-02')!.values.status_at_previous_review, 'Not reported');
      const list = JSON.parse((await get('/api/v1/reviews', '')).body) as { data: { year: number }[] };
      assert.deepEqual(list.data.map((r) => r.year), [2026, 2025]);
    });

    it('keeps reviews in order: none for a year before the latest', async () => {
      assert.equal((await submitForm(t.app, { url: '/admin/reviews', cookie: team, fields: { year: '2028' } })).statusCode, 303);
      const earlier = await submitForm(t.app, { url: '/admin/reviews', cookie: team, fields: { year: '2027' } });
      assert.equal(earlier.statusCode, 400);
      assert.match(pageText(earlier.body), /Reviews go in order: the latest is for 2028, so the next must be after 2028/);
      const list = pageText(section((await get('/admin/reviews')).body, 'reviews'));
      assert.match(list, /2028.*Open.*2026.*Published.*2025.*Published/);
    });

    it('opens only one of two reviews opened at the same moment', async () => {
      for (const line of await t.services.reviews.undecided(teamUser, 2028)) await decide(2028, line.code, 'keep', 'Still needed.');
      await t.services.reviews.publish(systemActor, teamUser, 2028, (await reviewRow(2028))!.version);
      const results = await Promise.allSettled([t.services.reviews.open(systemActor, teamUser, 2029), t.services.reviews.open(systemActor, teamUser, 2030)]);
      assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
      const refused = results.find((r) => r.status === 'rejected')!;
      assert.ok(refused.reason instanceof InputError, String(refused.reason));
      const open = await queryRows<{ year: number }>(t.database.db, sql`select year from reviews where state = 'open'`);
      assert.equal(open.length, 1);
    });
  });
});
