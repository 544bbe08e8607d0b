// Reporting cycles, compliance and reminders, through the real pages, services, job queue
// (pg-boss on this test's database) and a real SMTP server on 127.0.0.1.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../platform/db/client.ts';
import { dateInputValues } from '../../platform/http/validation.ts';
import { createMailer } from '../../platform/mail/mailer.ts';
import { addDays, londonDay } from '../../platform/time.ts';
import { addPeople, createTestApp, eventually, pageText, publishUpdate, section, signInAs, startSmtpServer, submitForm, submitUpdate, testDatabase, type TestApp } from '../../testing.ts';
import type { CurrentUser, Role } from '../../platform/auth/roles.ts';
import { REMINDER_JOBS } from './cycles.ts';

const DAY = 86_400_000;
/** Who a service call is made as (services check the role). */
const asRole = (role: Role): CurrentUser => ({ id: 0, email: `${role}@example.org`, name: role, role, organisationId: null });
const realToday = londonDay(new Date());
/** A cycle around today: opened 10 days ago, due in 5 days, closes in 20. */
const cycleDates = { opensOn: addDays(realToday, -10), dueOn: addDays(realToday, 5), closesOn: addDays(realToday, 20) };

const cycleFields = (name: string, dates: { opensOn: string; dueOn: string; closesOn: string }, extra: Record<string, string> = {}) => ({
  name,
  ...dateInputValues('opensOn', dates.opensOn),
  ...dateInputValues('dueOn', dates.dueOn),
  ...dateInputValues('closesOn', dates.closesOn),
  ...extra,
});

async function count(t: TestApp, table: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(t.database.db, sql.raw(`select count(*)::int as n from ${table}`));
  return Number(row!.n);
}

describe('reporting cycles and compliance', () => {
  let t: TestApp;
  let clock = new Date();
  let team: string;
  let reporter: string;
  let viewer: string;
  let cqc: { id: number; slug: string };

  before(async () => {
    t = await createTestApp('demo', { now: () => clock });
    const organisations = (await t.services.strategy.catalogue()).organisations;
    const found = organisations.find((o) => o.shortName === 'CQC')!;
    cqc = { id: found.id, slug: found.slug };
    await addPeople(t, [
      { email: 'team@example.org', name: 'Tom Team', role: 'strategy_team' },
      { email: 'rita@cqc.example', name: 'Rita Reporter', role: 'organisation_reporter', organisationId: cqc.id },
      { email: 'oe@example.org', name: 'Olu Oversight', role: 'body_member' },
    ]);
    team = (await signInAs(t.app, 'team@example.org')).cookie;
    reporter = (await signInAs(t.app, 'rita@cqc.example')).cookie;
    viewer = (await signInAs(t.app, 'oe@example.org')).cookie;
  });
  after(async () => t.close());

  it('shows an empty state, then adds a cycle through the form', async () => {
    const empty = await t.app.inject({ url: '/admin/cycles', headers: { cookie: team } });
    assert.equal(empty.statusCode, 200);
    assert.match(empty.body, /There are no reporting cycles yet/);
    const res = await submitForm(t.app, { url: '/admin/cycles', formUrl: '/admin/cycles/new', cookie: team, fields: cycleFields('Autumn round', cycleDates) });
    assert.equal(res.statusCode, 303);
    const flash = res.cookies.find((c) => c.name === 'hub_flash')!;
    const list = await t.app.inject({ url: '/admin/cycles', headers: { cookie: `${team}; hub_flash=${flash.value}` } });
    assert.match(pageText(list.body), /Autumn round is set: reports are due by/);
    assert.match(section(list.body, 'cycles'), /Autumn round[\s\S]*Open/);
    const [audit] = await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from audit_events where action = 'reporting_cycle.created'`);
    assert.equal(Number(audit!.n), 1);
  });

  it('refuses missing, impossible, out-of-order, overlapping and duplicate cycles, writing nothing', async () => {
    const before = await count(t, 'reporting_cycles');
    const missing = await submitForm(t.app, { url: '/admin/cycles', formUrl: '/admin/cycles/new', cookie: team, fields: { name: '', ...dateInputValues('opensOn', '2027-02-30') } });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /Enter a name for the cycle/);
    assert.match(missing.body, /The date the cycle opens must be a real date/);
    assert.match(missing.body, /Enter the date reports are due/);
    assert.match(missing.body, /href="#opensOn-day"/, 'the summary links to the first box of the date');

    const backwards = await submitForm(t.app, {
      url: '/admin/cycles',
      formUrl: '/admin/cycles/new',
      cookie: team,
      fields: cycleFields('Backwards', { opensOn: '2030-03-10', dueOn: '2030-03-01', closesOn: '2030-02-01' }),
    });
    assert.equal(backwards.statusCode, 400);
    assert.match(backwards.body, /The due date must be on or after the date the cycle opens/);
    assert.match(backwards.body, /The close date must be on or after the due date/);
    assert.match(backwards.body, /value="Backwards"/, 'what was typed is kept');

    const overlap = await submitForm(t.app, {
      url: '/admin/cycles',
      formUrl: '/admin/cycles/new',
      cookie: team,
      fields: cycleFields('autumn ROUND', { opensOn: cycleDates.closesOn, dueOn: addDays(cycleDates.closesOn, 10), closesOn: addDays(cycleDates.closesOn, 20) }),
    });
    assert.equal(overlap.statusCode, 400);
    assert.match(overlap.body, /There is already a cycle called “Autumn round”/);
    assert.match(overlap.body, /The dates overlap “Autumn round”/);
    assert.equal(await count(t, 'reporting_cycles'), before);
  });

  it('keeps cycles to the strategy team; compliance is also open to the Oversight Executive', async () => {
    assert.equal((await t.app.inject({ url: '/admin/cycles', headers: { cookie: reporter } })).statusCode, 403);
    assert.equal((await t.app.inject({ url: '/admin/cycles', headers: { cookie: viewer } })).statusCode, 403);
    assert.equal((await t.app.inject({ url: '/admin/compliance', headers: { cookie: reporter } })).statusCode, 403);
    assert.equal((await t.app.inject({ url: '/admin/compliance', headers: { cookie: viewer } })).statusCode, 200);
    assert.equal((await t.app.inject({ url: '/admin/compliance' })).statusCode, 303, 'signed out: to the sign-in page');
  });

  it('refuses a second save from a stale form with the text kept, and deletes only cycles not yet open', async () => {
    const cycles = await t.services.cycles.list(asRole('strategy_team'));
    const autumn = cycles.find((c) => c.name === 'Autumn round')!;
    const editUrl = `/admin/cycles/${autumn.id}/edit`;
    const page = await t.app.inject({ url: editUrl, headers: { cookie: team } });
    const version = /name="version" value="(\d+)"/.exec(page.body)![1]!;
    const first = await submitForm(t.app, { url: editUrl, cookie: team, fields: cycleFields('Autumn round', cycleDates, { version }) });
    assert.equal(first.statusCode, 303);
    const second = await submitForm(t.app, { url: editUrl, cookie: team, fields: cycleFields('Autumn round, renamed', cycleDates, { version }) });
    assert.equal(second.statusCode, 409);
    assert.match(second.body, /Someone else changed this cycle/);
    assert.match(second.body, /value="Autumn round, renamed"/);

    const refused = await submitForm(t.app, { url: `/admin/cycles/${autumn.id}/delete`, formUrl: '/admin/cycles/new', cookie: team, fields: { version: String(Number(version) + 1) } });
    assert.equal(refused.statusCode, 409);
    assert.match(refused.body, /has opened, so it is part of the record/);

    const later = { opensOn: addDays(realToday, 100), dueOn: addDays(realToday, 120), closesOn: addDays(realToday, 130) };
    assert.equal((await submitForm(t.app, { url: '/admin/cycles', formUrl: '/admin/cycles/new', cookie: team, fields: cycleFields('Spring round', later) })).statusCode, 303);
    const spring = (await t.services.cycles.next())!;
    assert.equal(spring.phase, 'upcoming');
    const deleted = await submitForm(t.app, { url: `/admin/cycles/${spring.id}/delete`, cookie: team, fields: { version: String(spring.version) } });
    assert.equal(deleted.statusCode, 303);
    assert.equal(await t.services.cycles.next(), undefined);
  });

  it('shows the reporter the cycle and its due date; overdue once it has passed', async () => {
    const res = await t.app.inject({ url: `/report/${cqc.slug}`, headers: { cookie: reporter } });
    assert.match(pageText(section(res.body, 'cycle')), new RegExp(`Autumn round: reports are due by`));
    assert.doesNotMatch(res.body, /Overdue/);
    clock = new Date(Date.now() + 7 * DAY);
    try {
      const late = await t.app.inject({ url: `/report/${cqc.slug}`, headers: { cookie: reporter } });
      assert.match(pageText(section(late.body, 'cycle')), /the due date has passed/);
      assert.match(pageText(section(late.body, 'cycle')), /3 items are overdue/);
      assert.match(section(late.body, 'tasks'), /govuk-tag--red[^>]*>\s*Overdue/);
    } finally {
      clock = new Date();
    }
  });

  it('counts due, updated, overdue and never updated per organisation, as computed by hand', async () => {
    // CQC leads or supports AR-06, TR-01 and TR-05A. AR-06 gets a published update, TR-01 a
    // submitted one, TR-05A nothing: due 3, updated 2, outstanding 1, never updated 2.
    await publishUpdate(t, team, await submitUpdate(t, reporter, cqc.slug, 'AR-06'));
    await submitUpdate(t, reporter, cqc.slug, 'TR-01');

    const user = asRole('body_member');
    const now = await t.services.cycles.compliance(user);
    const row = now.rows.find((r) => r.organisation.id === cqc.id)!;
    assert.deepEqual(
      { due: row.due, updated: row.updated, outstanding: row.outstanding, overdue: row.overdue, neverUpdated: row.neverUpdated, reporters: row.reporters },
      { due: 3, updated: 2, outstanding: 1, overdue: 0, neverUpdated: 2, reporters: 1 },
    );
    assert.deepEqual(row.outstandingItems.map((i) => i.code), ['TR-05A']);
    // Totals add up over every organisation; every pair is due once.
    const pairs = await t.services.strategy.reportingPairs();
    assert.equal(now.totals.due, pairs.length);
    assert.equal(now.totals.updated, 2);
    // Every active item but AR-06 has never had a published update.
    const activeItems = new Set(pairs.map((p) => p.item.code));
    assert.equal(now.stale.length, activeItems.size - 1);
    assert.ok(!now.stale.some((s) => s.code === 'AR-06'));

    // After the due date, the outstanding item is overdue; 100 days on, AR-06 is stale too.
    clock = new Date(Date.now() + 7 * DAY);
    try {
      const late = await t.services.cycles.compliance(user);
      assert.equal(late.rows.find((r) => r.organisation.id === cqc.id)!.overdue, 1);
      assert.equal(late.rows[0]!.overdue >= 1, true, 'organisations with overdue reports come first');
    } finally {
      clock = new Date();
    }
    clock = new Date(Date.now() + 100 * DAY);
    try {
      const stale = await t.services.cycles.compliance(user);
      const entry = stale.stale.find((s) => s.code === 'AR-06')!;
      assert.equal(entry.daysSince, 100);
      assert.equal(stale.cycle?.phase, 'closed', 'the last cycle, closed, when none is open');
    } finally {
      clock = new Date();
    }

    const page = await t.app.inject({ url: '/admin/compliance', headers: { cookie: viewer } });
    assert.equal(page.statusCode, 200);
    const table = pageText(section(page.body, 'compliance'));
    assert.match(table, /Care Quality Commission[\s\S]*To report: TR-05A 3 2 0 2/);
    assert.match(pageText(section(page.body, 'stale')), /TR-05A/);
    assert.equal((await t.app.inject({ url: '/admin/compliance?cycle=999999', headers: { cookie: viewer } })).statusCode, 404);
    assert.equal((await t.app.inject({ url: '/admin/compliance?cycle=abc', headers: { cookie: viewer } })).statusCode, 400);
  });
});

describe('reminders', () => {
  it('emails each organisation’s reporters once before the due date and once after, through pg-boss and SMTP, and survives a restart', async () => {
    const smtp = await startSmtpServer();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-reminders-'));
    const mailer = createMailer({ smtpUrl: smtp.url, dataDir, from: 'Hub <hub@example.org>' });
    const database = await testDatabase('demo');
    let clock = new Date();
    let first: TestApp | undefined;
    let second: TestApp | undefined;
    try {
      first = await createTestApp('demo', { database, mailer, now: () => clock });
      const organisations = (await first.services.strategy.catalogue()).organisations;
      const cqc = organisations.find((o) => o.shortName === 'CQC')!;
      const sfc = organisations.find((o) => o.slug === 'skills-for-care')!;
      await addPeople(first, [
        { email: 'team@example.org', name: 'Tom Team', role: 'strategy_team' },
        { email: 'rita@cqc.example', name: 'Rita Reporter', role: 'organisation_reporter', organisationId: cqc.id },
        { email: 'ravi@cqc.example', name: 'Ravi Reporter', role: 'organisation_reporter', organisationId: cqc.id },
        { email: 'sam@sfc.example', name: 'Sam Skills', role: 'organisation_reporter', organisationId: sfc.id },
      ]);
      const team = (await signInAs(first.app, 'team@example.org')).cookie;
      const created = await submitForm(first.app, { url: '/admin/cycles', formUrl: '/admin/cycles/new', cookie: team, fields: cycleFields('Autumn round', cycleDates) });
      assert.equal(created.statusCode, 303);

      // Ten days before the due date: nothing to send yet.
      clock = new Date(Date.now() - 5 * DAY);
      assert.deepEqual(await first.services.cycles.scanReminders(), { claimed: 0, queued: 0 });

      // Five days before: "due soon" reminders are claimed and queued, but this instance is not
      // working jobs; it stops, and a new instance on the same database sends them.
      clock = new Date();
      const scan = await first.services.cycles.scanReminders();
      const organisationsToRemind = new Set((await first.services.strategy.reportingPairs()).map((p) => p.organisation.id)).size;
      assert.equal(scan.claimed, organisationsToRemind);
      assert.equal(scan.queued, organisationsToRemind);
      assert.equal((await first.app.jobs.counts(REMINDER_JOBS.send)).created, organisationsToRemind);
      await first.close();
      first = undefined;
      assert.equal(smtp.received.length, 0);

      second = await createTestApp('demo', { database, mailer, now: () => clock });
      await second.app.jobs.start({ work: true });
      await eventually(async () => (await second!.app.jobs.counts(REMINDER_JOBS.send)).completed === organisationsToRemind, 30_000, 'every reminder job to complete');
      const to = (mail: (typeof smtp.received)[number]) => (Array.isArray(mail.to) ? mail.to : [mail.to]).flatMap((a) => a!.value.map((v) => v.address)).join(',');
      assert.deepEqual(smtp.received.map(to).sort(), ['ravi@cqc.example', 'rita@cqc.example', 'sam@sfc.example']);
      const rita = smtp.received.find((m) => to(m) === 'rita@cqc.example')!;
      assert.match(rita.subject!, /^Progress reports due by .* – Care Quality Commission$/);
      assert.match(rita.text!, /AR-06: /);
      assert.match(rita.text!, /TR-05A: /);
      assert.match(rita.text!, /http:\/\/localhost:3000\/report\/care-quality-commission/);
      assert.match(String(rita.html), /AR-06: /);

      // Claimed once: scanning again (another morning, another instance) sends nothing more.
      assert.deepEqual(await second.services.cycles.scanReminders(), { claimed: 0, queued: 0 });
      const [sent] = await queryRows<{ n: number; people: number }>(database.db, sql`select count(*)::int as n, sum(recipients)::int as people from reporting_reminders where sent_at is not null`);
      assert.deepEqual({ n: Number(sent!.n), people: Number(sent!.people) }, { n: organisationsToRemind, people: 3 });

      // After the due date: one "overdue" reminder each, only to organisations still to report.
      const cqcCookie = (await signInAs(second.app, 'rita@cqc.example')).cookie;
      for (const code of ['AR-06', 'TR-01', 'TR-05A']) await submitUpdate(second, cqcCookie, 'care-quality-commission', code);
      clock = new Date(Date.now() + 7 * DAY);
      const overdue = await second.services.cycles.scanReminders();
      assert.equal(overdue.claimed, organisationsToRemind - 1, 'CQC has reported everything');
      await eventually(async () => smtp.received.length === 4, 30_000, 'the overdue reminder');
      const late = smtp.received.at(-1)!;
      assert.equal(to(late), 'sam@sfc.example');
      assert.match(late.subject!, /^Overdue: progress reports for Autumn round – Skills for Care$/);
    } finally {
      await first?.close();
      await second?.close();
      await database.close();
      await mailer.close();
      await smtp.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
