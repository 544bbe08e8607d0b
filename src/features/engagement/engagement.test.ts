// Engagement through the real app: the public "what we heard" counts (checked against the
// database), its JSON and CSV, and the strategy team's admin: adding an activity and feedback
// moves the counts, bad input writes nothing, a stale form is a conflict, others are refused.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../platform/db/client.ts';
import { addPeople, createTestApp, pageText, section, signInAs, submitForm, type TestApp } from '../../testing.ts';

describe('engagement: what we heard', () => {
  let t: TestApp;
  let team: string;
  let reporter: string;

  const count = async (table: string) => (await queryRows<{ n: number }>(t.database.db, sql.raw(`select count(*)::int as n from ${table}`)))[0]!.n;
  /** Feedback items per theme name, counted straight from the tables. */
  const themeCounts = async () =>
    new Map(
      (
        await queryRows<{ name: string; n: number }>(
          t.database.db,
          sql`select t.name, count(ft.feedback_id)::int as n from terms t left join engagement_feedback_themes ft on ft.term_id = t.id where t.kind = 'theme' group by t.name`,
        )
      ).map((r) => [r.name, r.n]),
    );
  const themeRow = (html: string, name: string) => {
    const table = pageText(section(html, 'table-themes'));
    const match = new RegExp(`${name} (\\d+) (\\d+)`).exec(table);
    assert.ok(match, `no row for ${name} in: ${table.slice(0, 400)}`);
    return { feedback: Number(match[1]), activities: Number(match[2]) };
  };

  before(async () => {
    t = await createTestApp('demo');
    const cqc = (await t.services.strategy.catalogue()).organisations.find((o) => o.shortName === 'CQC')!;
    await addPeople(t, [
      { email: 'team@example.org', name: 'Tom Team', role: 'strategy_team' },
      { email: 'rita@cqc.example', name: 'Rita Reporter', role: 'organisation_reporter', organisationId: cqc.id },
    ]);
    team = (await signInAs(t.app, 'team@example.org')).cookie;
    reporter = (await signInAs(t.app, 'rita@cqc.example')).cookie;
  });
  after(async () => t.close());

  it('counts the feedback heard by theme, as the tables hold it, with a chart and a table', async () => {
    const res = await t.app.inject({ url: '/what-we-heard' });
    assert.equal(res.statusCode, 200);
    const totals = pageText(section(res.body, 'totals'));
    const [sums] = await queryRows<{ activities: number; participants: number }>(t.database.db, sql`select count(*)::int as activities, sum(participants)::int as participants from engagement_activities`);
    assert.equal(sums!.activities, 6);
    assert.match(totals, new RegExp(`Activities ${sums!.activities} Participants ${sums!.participants.toLocaleString('en-GB')} Feedback items recorded ${await count('engagement_feedback')}`));
    const expected = await themeCounts();
    for (const [name, n] of expected) assert.equal(themeRow(res.body, name).feedback, n, name);
    // Most heard first.
    const order = [...pageText(section(res.body, 'table-themes')).matchAll(/([A-Z][a-z ,]+?) (\d+) \d+/g)].map((m) => Number(m[2]));
    assert.deepEqual(order, [...order].sort((a, b) => b - a));
    assert.match(section(res.body, 'chart-themes'), /<svg[^>]+role="img"/);
    assert.match(pageText(section(res.body, 'activities')), /Regional engagement event Event, 25 April 2024, Yorkshire and The Humber\. 120 participants/);
  });

  it('gives the same counts as JSON and CSV, and refuses an unknown parameter', async () => {
    const json = await t.app.inject({ url: '/api/v1/engagement/themes' });
    assert.equal(json.statusCode, 200);
    const body = json.json<{ themes: { name: string; feedback: number }[]; totals: { feedback: number } }>();
    const expected = await themeCounts();
    assert.deepEqual(new Map(body.themes.map((x) => [x.name, x.feedback])), expected);
    const csv = await t.app.inject({ url: '/api/v1/engagement/themes?format=csv' });
    assert.match(csv.headers['content-type'] as string, /^text\/csv/);
    assert.equal(csv.body.split('\n')[0], 'theme,feedback_items,activities');
    assert.equal(csv.body.trim().split('\n').length, expected.size + 1);
    const bad = await t.app.inject({ url: '/api/v1/engagement/themes?format=xml' });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.headers['content-type'] as string, /application\/problem\+json/);
    assert.equal((await t.app.inject({ url: '/what-we-heard?page=99' })).statusCode, 404);
  });

  it('shows one activity with what was heard', async () => {
    const [first] = await queryRows<{ id: number }>(t.database.db, sql`select id from engagement_activities where title = 'Workshop on training and qualifications'`);
    const res = await t.app.inject({ url: `/what-we-heard/${first!.id}` });
    assert.equal(res.statusCode, 200);
    assert.match(pageText(section(res.body, 'feedback')), /Mandatory training is repeated every time someone changes employer\. \(Training\)/);
    assert.equal((await t.app.inject({ url: '/what-we-heard/999999' })).statusCode, 404);
    assert.equal((await t.app.inject({ url: '/what-we-heard/abc' })).statusCode, 404);
  });

  it('keeps the admin to the strategy team', async () => {
    assert.equal((await t.app.inject({ url: '/admin/engagement', headers: { cookie: reporter } })).statusCode, 403);
    const anonymous = await t.app.inject({ url: '/admin/engagement/new' });
    assert.equal(anonymous.statusCode, 303);
    assert.match(anonymous.headers.location as string, /^\/login/);
    const before = await count('engagement_activities');
    const refused = await submitForm(t.app, { url: '/admin/engagement', formUrl: '/recommendations/AR-01/follow', cookie: reporter, fields: { kind: 'workshop' } });
    assert.equal(refused.statusCode, 403);
    assert.equal(await count('engagement_activities'), before);
  });

  it('lists every problem with a new activity and writes nothing', async () => {
    const [activities, audit] = [await count('engagement_activities'), await count('audit_events')];
    const res = await submitForm(t.app, {
      url: '/admin/engagement',
      formUrl: '/admin/engagement/new',
      cookie: team,
      fields: { kind: 'party', title: '', 'heldOn-day': '31', 'heldOn-month': '4', 'heldOn-year': '2024', region: 'Narnia', organiser: 'x'.repeat(201), participants: 'lots', themes: ['no-such-theme'] },
    });
    assert.equal(res.statusCode, 400);
    const summary = pageText(section(res.body, 'error-summary'));
    for (const message of ['Select the kind of activity', 'Enter a title', 'Date held must be a real date', 'Select the region, or national', 'Organiser must be 200 characters or fewer', 'Number of participants must be a whole number']) {
      assert.ok(summary.includes(message), `missing “${message}” in ${summary}`);
    }
    assert.match(res.body, /<title>Error: /);
    assert.equal(await count('engagement_activities'), activities);
    assert.equal(await count('audit_events'), audit);
    // An unknown theme is refused by the service too (the form's shape allows any slug).
    const theme = await submitForm(t.app, {
      url: '/admin/engagement',
      formUrl: '/admin/engagement/new',
      cookie: team,
      fields: { kind: 'workshop', title: 'A workshop', 'heldOn-day': '1', 'heldOn-month': '5', 'heldOn-year': '2024', region: 'national', organiser: 'Us', participants: '10', themes: 'no-such-theme' },
    });
    assert.equal(theme.statusCode, 400);
    assert.match(pageText(theme.body), /Select themes from the list/);
    assert.equal(await count('engagement_activities'), activities);
  });

  it('adds an activity and its feedback, and the public counts follow; a stale edit is a conflict', async () => {
    const page = await t.app.inject({ url: '/what-we-heard' });
    const before = themeRow(page.body, 'Regulation and registration');
    const created = await submitForm(t.app, {
      url: '/admin/engagement',
      formUrl: '/admin/engagement/new',
      cookie: team,
      fields: { kind: 'roundtable', title: 'Roundtable with regulators', 'heldOn-day': '3', 'heldOn-month': '6', 'heldOn-year': '2025', region: 'E12000008', organiser: 'Skills for Care', participants: '1,200', themes: ['regulation-and-registration', 'training'], summary: 'Regulators <b>and</b> providers.' },
    });
    assert.equal(created.statusCode, 303);
    const adminUrl = created.headers.location as string;
    const id = Number(/\/admin\/engagement\/(\d+)$/.exec(adminUrl)![1]);
    const flash = created.cookies.find((c) => c.name === 'hub_flash')!;
    const admin = await t.app.inject({ url: adminUrl, headers: { cookie: `${team}; hub_flash=${flash.value}` } });
    assert.match(pageText(section(admin.body, 'saved')), /Roundtable with regulators is added/);
    assert.match(pageText(section(admin.body, 'activity')), /Participants 1,200/);

    const added = await submitForm(t.app, { url: `${adminUrl}/feedback`, formUrl: adminUrl, cookie: team, fields: { text: 'Registration should <script>alert(1)</script> come with a pay floor.', feedbackThemes: ['regulation-and-registration', 'pay-and-conditions'] } });
    assert.equal(added.statusCode, 303);
    const after = themeRow((await t.app.inject({ url: '/what-we-heard' })).body, 'Regulation and registration');
    assert.deepEqual(after, { feedback: before.feedback + 1, activities: before.activities + 1 });
    const publicPage = await t.app.inject({ url: `/what-we-heard/${id}` });
    assert.ok(!publicPage.body.includes('<script>alert(1)</script>'));
    assert.ok(publicPage.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(publicPage.body.includes('Regulators &lt;b&gt;and&lt;/b&gt; providers.'));

    const noThemes = await submitForm(t.app, { url: `${adminUrl}/feedback`, formUrl: adminUrl, cookie: team, fields: { text: '' } });
    assert.equal(noThemes.statusCode, 400);
    assert.match(pageText(section(noThemes.body, 'error-summary')), /Enter what you heard Select at least one theme/);

    // Two people open the form; the first saves; the second's save is a conflict that keeps their text.
    const editUrl = `${adminUrl}/edit`;
    const form = await t.app.inject({ url: editUrl, headers: { cookie: team } });
    const version = /name="version" value="(\d+)"/.exec(form.body)![1]!;
    const fields = { kind: 'roundtable', title: 'Roundtable with regulators', 'heldOn-day': '3', 'heldOn-month': '6', 'heldOn-year': '2025', region: 'E12000008', organiser: 'Skills for Care', participants: '1200', themes: 'training', version };
    assert.equal((await submitForm(t.app, { url: editUrl, cookie: team, fields: { ...fields, participants: '1300' } })).statusCode, 303);
    const stale = await submitForm(t.app, { url: editUrl, cookie: team, fields: { ...fields, participants: '1400' } });
    assert.equal(stale.statusCode, 409);
    assert.match(pageText(section(stale.body, 'conflict')), /Someone else changed this activity/);
    assert.match(stale.body, /value="1400"/);
    const [row] = await queryRows<{ participants: number }>(t.database.db, sql`select participants from engagement_activities where id = ${id}`);
    assert.equal(row!.participants, 1300);

    // Removing the feedback takes it off the counts; deleting the activity removes it and its feedback.
    const [feedback] = await queryRows<{ id: number }>(t.database.db, sql`select id from engagement_feedback where activity_id = ${id}`);
    assert.equal((await submitForm(t.app, { url: `${adminUrl}/feedback/${feedback!.id}/delete`, formUrl: adminUrl, cookie: team, fields: {} })).statusCode, 303);
    assert.deepEqual(themeRow((await t.app.inject({ url: '/what-we-heard' })).body, 'Regulation and registration'), before);
    const current = await queryRows<{ version: number }>(t.database.db, sql`select version from engagement_activities where id = ${id}`);
    const deleted = await submitForm(t.app, { url: `${adminUrl}/delete`, cookie: team, fields: { version: String(current[0]!.version) } });
    assert.equal(deleted.statusCode, 303);
    assert.equal((await t.app.inject({ url: `/what-we-heard/${id}` })).statusCode, 404);
    const audit = await queryRows<{ action: string }>(t.database.db, sql`select action from audit_events where object_type = 'engagement_activity' and object_id = ${String(id)} order by id`);
    assert.deepEqual(
      audit.map((a) => a.action),
      ['engagement.activity-created', 'engagement.feedback-added', 'engagement.activity-updated', 'engagement.feedback-removed', 'engagement.activity-deleted'],
    );
  });
});
