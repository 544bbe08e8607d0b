// Champions and "get involved", end to end through the pages, with email received by a real
// SMTP server on 127.0.0.1: sign-up (nothing stored but the link's hash), confirmation,
// approval and welcome, sign-in by link, pledges shown on the item page, export, erasure
// (checked in the database), the contactable audience, enquiries and their retention. The hub
// holds the invented demo champions, so every figure is checked against what was there before.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import type { ParsedMail } from 'mailparser';
import { systemActor } from '../../platform/audit/audit.ts';
import { queryRows } from '../../platform/db/client.ts';
import { createMailer, type Mailer } from '../../platform/mail/mailer.ts';
import { addPeople, createTestApp, eventually, pageText, signInAs, startSmtpServer, submitForm, type TestApp } from '../../testing.ts';
import type { PublicStats } from './service.ts';

const to = (mail: ParsedMail) => (Array.isArray(mail.to) ? mail.to : [mail.to]).flatMap((a) => a!.value.map((v) => v.address)).join(',');
const linkIn = (mail: ParsedMail, pattern: RegExp) => pattern.exec(mail.text ?? '')?.[0];

const JOIN = {
  email: 'Priya@Care.Example',
  name: 'Priya Patel',
  jobRole: 'Registered manager',
  employer: 'Meadow View Care Home',
  setting: 'care_home',
  region: 'north_west',
  why: 'I want my team to see the strategy in their daily work.',
  contactConsent: 'yes',
  directoryConsent: 'yes',
};

describe('champions and get involved', () => {
  let t: TestApp;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let mailer: Mailer;
  let dataDir: string;
  let team: string;
  let champion = '';
  let clock = new Date('2026-03-10T10:00:00Z');
  // What the demo data holds before any test runs.
  let demo: number;
  let baseline: PublicStats;
  let audience: Record<'northWest' | 'london' | 'ar06' | 'ar01', { email: string; name: string }[]>;
  let ar06Pledges: number;
  const teamViewer = { id: 1, email: 'team@example.org', name: 'Tom Team', role: 'strategy_team' as const, organisationId: null };
  const PRIYA = { email: 'priya@care.example', name: 'Priya Patel' };
  const byEmail = (list: { email: string; name: string }[]) => [...list].sort((a, b) => a.email.localeCompare(b.email));

  const mailTo = (address: string) => smtp.received.filter((m) => to(m) === address);
  const count = async (table: string) => (await queryRows<{ n: number }>(t.database.db, sql.raw(`select count(*)::int as n from ${table}`)))[0]!.n;
  const priyaId = async () => (await queryRows<{ id: number }>(t.database.db, sql`select id from champions where email = 'priya@care.example'`))[0]?.id;

  before(async () => {
    smtp = await startSmtpServer();
    dataDir = mkdtempSync(path.join(tmpdir(), 'hub-community-'));
    mailer = createMailer({ smtpUrl: smtp.url, dataDir, from: 'Hub <hub@example.org>' });
    t = await createTestApp('demo', { mailer, now: () => clock });
    await addPeople(t, [
      { email: 'team@example.org', name: 'Tom Team', role: 'strategy_team' },
      { email: 'viewer@example.org', name: 'Vic Viewer', role: 'viewer' },
    ]);
    team = (await signInAs(t.app, 'team@example.org')).cookie;
    demo = await count('champions');
    baseline = await t.services.community.publicStats();
    const community = t.services.community;
    audience = {
      northWest: await community.contactableAudience(teamViewer, { region: 'north_west' }),
      london: await community.contactableAudience(teamViewer, { region: 'london' }),
      ar06: await community.contactableAudience(teamViewer, { item: 'AR-06' }),
      ar01: await community.contactableAudience(teamViewer, { item: 'AR-01' }),
    };
    ar06Pledges = (await community.itemChampions('AR-06'))!.pledges;
  });
  after(async () => {
    await t.close();
    await mailer.close();
    await smtp.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('holds the invented demo champions, loaded once; the public sees active ones, and names only those who agreed', async () => {
    assert.ok(demo > 0, 'the demo template has champions');
    assert.equal(await t.services.community.seedShipped(systemActor), 0, 'loads only into a hub with no champions');
    assert.equal(await count('champions'), demo);
    const rows = await queryRows<{ name: string; status: string; directory_consent: boolean }>(t.database.db, sql`select name, status, directory_consent from champions`);
    const listed = rows.filter((r) => r.status === 'active' && r.directory_consent);
    assert.equal(baseline.active, rows.filter((r) => r.status === 'active').length);
    assert.equal(baseline.growth.at(-1)!.total, baseline.active, 'the growth tallies add up to the active champions');
    const page = pageText((await t.app.inject({ url: '/champions' })).body);
    assert.match(page, new RegExp(`Champions who agreed to be listed: ${listed.length}\\.`));
    for (const r of rows) assert.equal(page.includes(r.name), listed.includes(r), `${r.name} (${r.status}, directory ${r.directory_consent}) ${listed.includes(r) ? 'is' : 'is not'} named`);
  });

  it('checks every field with an error summary, and stores nothing', async () => {
    const bad = await submitForm(t.app, { url: '/champions/join', fields: { ...JOIN, email: 'nope', setting: 'castle', why: '', contactConsent: '' } });
    assert.equal(bad.statusCode, 400);
    const text = pageText(bad.body);
    assert.match(text, /There is a problem/);
    assert.match(text, /Enter an email address in the correct format/);
    assert.match(text, /Select the setting you work in/);
    assert.match(text, /Tell us why you want to be a champion/);
    assert.match(text, /Select yes if we may contact you/);
    assert.match(bad.body, /value="Priya Patel"/);
    assert.equal(await count('champion_signups'), 0);
    assert.equal(await count('champions'), demo);
  });

  it('a filled honeypot looks the same but does nothing', async () => {
    const res = await submitForm(t.app, { url: '/champions/join', fields: { ...JOIN, email: 'bot@spam.example', website: 'http://spam.example' } });
    assert.equal(res.statusCode, 200);
    assert.match(pageText(res.body), /Check your email/);
    await t.services.community.settled();
    assert.equal(await count('champion_signups'), 0);
    assert.equal(mailTo('bot@spam.example').length, 0);
  });

  it('signs up by confirmation link, keeping only the link hash until it is used; the strategy team approves and a welcome follows', async () => {
    const res = await submitForm(t.app, { url: '/champions/join', fields: JOIN });
    assert.equal(res.statusCode, 200);
    assert.match(pageText(res.body), /Check your email/);
    await t.services.community.settled();
    const signups = await queryRows<Record<string, unknown>>(t.database.db, sql`select * from champion_signups`);
    assert.equal(signups.length, 1);
    assert.ok(!JSON.stringify(signups).toLowerCase().includes('priya'), 'nothing personal stored before confirmation');
    assert.equal(await count('champions'), demo);

    await eventually(() => mailTo('priya@care.example').length === 1, 10_000, 'the confirmation email');
    const confirmation = mailTo('priya@care.example')[0]!;
    assert.equal(confirmation.subject, 'Confirm your email address to become a strategy champion');
    const link = new URL(linkIn(confirmation, /http:\/\/localhost:3000\/champions\/join\/confirm\?token=\S+/)!);
    const landing = await t.app.inject({ url: link.pathname + link.search });
    assert.equal(landing.statusCode, 200);
    assert.match(pageText(landing.body), /Meadow View Care Home/);
    assert.equal(await count('champions'), demo, 'opening the link confirms nothing');
    const tampered = await t.app.inject({ url: `${link.pathname}?token=${link.searchParams.get('token')!.slice(0, -3)}AAA` });
    assert.equal(tampered.statusCode, 404);

    const confirmed = await submitForm(t.app, { url: link.pathname + link.search, fields: {} });
    assert.equal(confirmed.statusCode, 200);
    assert.match(pageText(confirmed.body), /The strategy team will check your sign-up/);
    assert.equal(await count('champion_signups'), 0);
    const [row] = await queryRows<{ email: string; status: string; contact_consent_at: Date | null }>(t.database.db, sql`select email, status, contact_consent_at from champions where email = 'priya@care.example'`);
    assert.equal(row!.email, 'priya@care.example');
    assert.equal(row!.status, 'pending');
    assert.ok(row!.contact_consent_at, 'the consent is kept with its time');
    assert.equal((await submitForm(t.app, { url: link.pathname + link.search, formUrl: '/champions/join', fields: {} })).statusCode, 404, 'the link works once');

    // The strategy team sees the pending champion and approves.
    const list = await t.app.inject({ url: '/admin/champions?status=pending', headers: { cookie: team } });
    assert.equal(list.statusCode, 200);
    assert.match(pageText(list.body), /Priya Patel/);
    assert.equal(await count('champions'), demo + 1);
    const id = (await priyaId())!;
    const approved = await submitForm(t.app, { url: `/admin/champions/${id}/decision`, formUrl: `/admin/champions/${id}`, cookie: team, fields: { decision: 'approve' } });
    assert.equal(approved.statusCode, 303);
    const page = await t.app.inject({ url: `/admin/champions/${id}`, headers: { cookie: team, ...(approved.headers['set-cookie'] ? { cookie: `${team}; ${String(approved.headers['set-cookie']).split(';')[0]}` } : {}) } });
    assert.match(pageText(page.body), /is approved: a welcome email is on its way/);
    await t.services.community.settled();
    await eventually(() => mailTo('priya@care.example').length === 2, 10_000, 'the welcome email');
    const welcome = mailTo('priya@care.example')[1]!;
    assert.equal(welcome.subject, 'Welcome: you are now a strategy champion');

    // The welcome's sign-in link starts a champion session (a button, not the link, signs in).
    const signIn = new URL(linkIn(welcome, /http:\/\/localhost:3000\/champions\/sign-in\/\S+/)!);
    assert.equal((await t.app.inject({ url: signIn.pathname })).statusCode, 200);
    const session = await submitForm(t.app, { url: signIn.pathname, fields: {} });
    assert.equal(session.statusCode, 303);
    const cookie = session.cookies.find((c) => c.name === 'hub_champion')!;
    assert.ok(cookie.httpOnly);
    assert.equal(cookie.sameSite, 'Lax');
    champion = `hub_champion=${cookie.value}`;
    assert.equal((await submitForm(t.app, { url: signIn.pathname, formUrl: '/champions/sign-in', fields: {} })).statusCode, 404, 'a sign-in link works once');
  });

  it('says the same for a known address, and emails a sign-in link instead of a confirmation', async () => {
    const known = await submitForm(t.app, { url: '/champions/join', fields: JOIN });
    const unknown = await submitForm(t.app, { url: '/champions/join', fields: { ...JOIN, email: 'sam@care.example', name: 'Sam Smith', directoryConsent: 'no' } });
    const words = (body: string) => pageText(body).replace(/name="_csrf" value="[^"]+"/, '');
    assert.equal(words(known.body), words(unknown.body));
    await t.services.community.settled();
    await eventually(() => mailTo('priya@care.example').length === 3 && mailTo('sam@care.example').length === 1, 10_000, 'both emails');
    assert.equal(mailTo('priya@care.example')[2]!.subject, 'You are already a strategy champion');
    assert.equal(await count('champions'), demo + 1, 'signing up again made no second record (and Sam has not confirmed)');
  });

  it('a champion pledges and logs an action; both show on the item page', async () => {
    const me = await t.app.inject({ url: '/champions/me', headers: { cookie: champion } });
    assert.equal(me.statusCode, 200);
    assert.match(pageText(me.body), /Priya Patel/);
    assert.equal((await t.app.inject({ url: '/champions/me' })).statusCode, 303, 'no session: sent to sign in');

    const bad = await submitForm(t.app, { url: '/champions/me/pledges', formUrl: '/champions/me', cookie: champion, fields: { item: 'ZZ-999' } });
    assert.equal(bad.statusCode, 400);
    assert.match(pageText(bad.body), /Select an item from the list/);
    const pledged = await submitForm(t.app, { url: '/champions/me/pledges', formUrl: '/champions/me', cookie: champion, fields: { item: 'AR-06' } });
    assert.equal(pledged.statusCode, 303);
    // A code with a letter after its number is an item like any other; a pledge can be removed.
    assert.equal((await submitForm(t.app, { url: '/champions/me/pledges', formUrl: '/champions/me', cookie: champion, fields: { item: 'TR-05A' } })).statusCode, 303);
    assert.match(pageText((await t.app.inject({ url: '/champions/me', headers: { cookie: champion } })).body), /TR-05A: Training in functional/);
    assert.equal((await submitForm(t.app, { url: '/champions/me/pledges', formUrl: '/champions/me', cookie: champion, fields: { item: 'TR-05A', remove: 'yes' } })).statusCode, 303);
    assert.doesNotMatch(pageText((await t.app.inject({ url: '/champions/me', headers: { cookie: champion } })).body), /Remove your pledge to TR-05A/);

    const noDate = await submitForm(t.app, { url: '/champions/me/actions', formUrl: '/champions/me/actions/new', cookie: champion, fields: { kind: 'talk', title: 'Team briefing', item: 'AR-06', peopleReached: 'lots' } });
    assert.equal(noDate.statusCode, 400);
    assert.match(pageText(noDate.body), /Enter the date of the action/);
    assert.match(pageText(noDate.body), /People reached must be a whole number/);
    const logged = await submitForm(t.app, {
      url: '/champions/me/actions',
      formUrl: '/champions/me/actions/new',
      cookie: champion,
      fields: { kind: 'talk', title: 'Team briefing on the strategy', item: 'AR-06', 'happenedOn-day': '3', 'happenedOn-month': '3', 'happenedOn-year': '2026', peopleReached: '24' },
    });
    assert.equal(logged.statusCode, 303);

    const item = pageText((await t.app.inject({ url: '/recommendations/AR-06' })).body);
    assert.match(item, new RegExp(`${ar06Pledges + 1} champions? ha(s|ve) pledged to champion this item`));
    assert.match(item, /Priya Patel, Registered manager, Meadow View Care Home \(North West\)/);
    assert.match(item, /Talk: Team briefing on the strategy/);

    const champions = pageText((await t.app.inject({ url: '/champions' })).body);
    assert.match(champions, new RegExp(`${baseline.active + 1} active champions?,`));
    assert.match(champions, /AR-06/);
    assert.match(champions, /Team briefing on the strategy/);
    const stats = (await t.app.inject({ url: '/api/v1/champions/stats' })).json<{ active: number; most_pledged: { code: string; pledges: number }[]; growth: { total: number }[] }>();
    assert.equal(stats.active, baseline.active + 1);
    assert.equal(stats.most_pledged.find((p) => p.code === 'AR-06')!.pledges, ar06Pledges + 1);
    assert.equal(stats.growth.at(-1)!.total, (baseline.growth.at(-1)?.total ?? 0) + 1);
    const csv = await t.app.inject({ url: '/api/v1/champions/stats?format=csv' });
    assert.match(csv.headers['content-type'] as string, /text\/csv/);
    assert.match(csv.body, /pledges,AR-06,/);
  });

  it('gives the contactable audience for a filter, and exports CSV safe from formulas', async () => {
    const viewer = teamViewer;
    assert.deepEqual(await t.services.community.contactableAudience(viewer, { region: 'north_west' }), byEmail([...audience.northWest, PRIYA]));
    assert.deepEqual(await t.services.community.contactableAudience(viewer, { region: 'london' }), audience.london);
    assert.deepEqual(await t.services.community.contactableAudience(viewer, { item: 'AR-06' }), byEmail([...audience.ar06, PRIYA]));
    assert.deepEqual(await t.services.community.contactableAudience(viewer, { item: 'AR-01' }), audience.ar01);
    // Checked against the table itself: active, agreed to emails, in the region.
    const northWest = await queryRows<{ email: string; name: string }>(t.database.db, sql`select email, name from champions where status = 'active' and contact_consent and region = 'north_west' order by email`);
    assert.deepEqual(byEmail([...audience.northWest, PRIYA]), northWest);
    const list = await t.app.inject({ url: '/admin/champions?region=north_west', headers: { cookie: team } });
    const n = audience.northWest.length + 1;
    assert.match(pageText(list.body), new RegExp(`${n} ${n === 1 ? 'champion' : 'champions'} in this selection can be contacted`));

    await t.services.community.updateDetails({ type: 'system', label: 'test' }, (await priyaId())!, {
      ...JOIN,
      employer: '=HYPERLINK("http://evil.example")',
      setting: 'care_home',
      region: 'north_west',
      contactConsent: true,
      directoryConsent: true,
    } as never);
    const csv = await t.app.inject({ url: '/admin/champions.csv', headers: { cookie: team } });
    assert.equal(csv.statusCode, 200);
    assert.match(csv.body, /'=HYPERLINK/);
    assert.equal((await t.app.inject({ url: '/admin/champions', headers: { cookie: (await signInAs(t.app, 'viewer@example.org')).cookie } })).statusCode, 403);
  });

  it('downloads everything held as JSON, and erasing leaves no personal data anywhere', async () => {
    const download = await t.app.inject({ url: '/champions/me/data.json', headers: { cookie: champion } });
    assert.equal(download.statusCode, 200);
    assert.match(download.headers['content-disposition'] as string, /attachment/);
    const data = download.json<{ champion: { email: string }; pledges: { item: string }[]; actions: { title: string }[]; consents: { contact: { given: boolean; at: string } } }>();
    assert.equal(data.champion.email, 'priya@care.example');
    assert.deepEqual(data.pledges.map((p) => p.item), ['AR-06']);
    assert.equal(data.actions[0]!.title, 'Team briefing on the strategy');
    assert.equal(data.consents.contact.given, true);

    const id = (await priyaId())!;
    const before = { pledges: await count('champion_pledges'), actions: await count('champion_actions') };
    const erased = await submitForm(t.app, { url: '/champions/me/erase', cookie: champion, fields: {} });
    assert.equal(erased.statusCode, 200);
    assert.match(pageText(erased.body), /Your data has been deleted/);
    assert.equal(await priyaId(), undefined);
    assert.equal(await count('champions'), demo, 'only hers went (Sam never confirmed)');
    for (const table of ['champion_pledges', 'champion_actions', 'champion_sessions', 'champion_sign_in_links']) {
      const [row] = await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from ${sql.identifier(table)} where champion_id = ${id}`);
      assert.equal(row!.n, 0, table);
    }
    assert.deepEqual({ pledges: await count('champion_pledges'), actions: await count('champion_actions') }, { pledges: before.pledges - 1, actions: before.actions - 1 }, 'nobody else’s pledges or actions went');
    assert.equal(await count('champion_sessions'), 0);
    // Every text column of every table (the audit trail too) is searched for what she told us.
    const dump = await queryRows<{ text: string }>(
      t.database.db,
      sql`select string_agg(t::text, ' ') as text from (select * from audit_events) t union all select string_agg(t::text, ' ') from champion_growth t union all select string_agg(t::text, ' ') from champion_signups t`,
    );
    const all = dump.map((d) => d.text ?? '').join(' ').toLowerCase();
    for (const personal of ['priya', 'meadow view', 'registered manager', 'daily work', 'hyperlink', 'team briefing']) assert.ok(!all.includes(personal), `no "${personal}" left`);
    const stats = (await t.app.inject({ url: '/api/v1/champions/stats' })).json<{ active: number; growth: { month: string; joined: number; left: number }[] }>();
    assert.equal(stats.active, baseline.active);
    assert.deepEqual(stats.growth.map((g) => [g.month, g.joined, g.left]), [...baseline.growth.map((g) => [g.month, g.joined, g.left]), ['2026-03-01', 1, 1]], 'anonymous counts keep the history');
    assert.equal((await t.app.inject({ url: '/champions/me', headers: { cookie: champion } })).statusCode, 303, 'the session went with the record');
  });

  it('approves a setting automatically when the strategy team says so', async () => {
    const saved = await submitForm(t.app, { url: '/admin/champions/settings', cookie: team, fields: { settings: ['nhs'] } });
    assert.equal(saved.statusCode, 303);
    await submitForm(t.app, { url: '/champions/join', fields: { ...JOIN, email: 'nia@nhs.example', name: 'Nia Jones', setting: 'nhs' } });
    await t.services.community.settled();
    await eventually(() => mailTo('nia@nhs.example').length === 1, 10_000, 'the confirmation');
    const link = new URL(linkIn(mailTo('nia@nhs.example')[0]!, /http:\/\/localhost:3000\/champions\/join\/confirm\?token=\S+/)!);
    const confirmed = await submitForm(t.app, { url: link.pathname + link.search, fields: {} });
    assert.match(pageText(confirmed.body), /You are now a champion/);
    await eventually(() => mailTo('nia@nhs.example').length === 2, 10_000, 'the welcome');
    assert.equal(mailTo('nia@nhs.example')[1]!.subject, 'Welcome: you are now a strategy champion');
    const audit = await queryRows<{ action: string }>(t.database.db, sql`select action from audit_events where action = 'champion.auto_approve_changed'`);
    assert.equal(audit.length, 1);
  });

  it('takes enquiries; the team assigns, replies by email and closes; closed ones go after the retention period', async () => {
    const bad = await submitForm(t.app, { url: '/get-involved', fields: { kind: 'consultation', name: '', email: 'x', message: '' } });
    assert.equal(bad.statusCode, 400);
    assert.match(pageText(bad.body), /Enter a name[\s\S]*Enter an email address in the correct format[\s\S]*Enter your message[\s\S]*Confirm that we may use your details/);
    assert.equal(await count('enquiries'), 0);
    const sent = await submitForm(t.app, { url: '/get-involved', fields: { kind: 'consultation', name: 'Omar Ali', email: 'omar@example.org', organisation: 'Carers UK', message: 'I would like to respond to the consultation.', consent: 'yes' } });
    assert.equal(sent.statusCode, 200);
    const [enquiry] = await queryRows<{ id: number }>(t.database.db, sql`select id from enquiries`);
    const inbox = await t.app.inject({ url: '/admin/enquiries?status=new', headers: { cookie: team } });
    assert.match(pageText(inbox.body), /Omar Ali/);
    const teamId = (await queryRows<{ id: number }>(t.database.db, sql`select id from users where email = 'team@example.org'`))[0]!.id;
    const viewerId = (await queryRows<{ id: number }>(t.database.db, sql`select id from users where email = 'viewer@example.org'`))[0]!.id;
    const wrong = await submitForm(t.app, { url: `/admin/enquiries/${enquiry!.id}`, cookie: team, fields: { status: 'in_progress', assignee: String(viewerId) } });
    assert.equal(wrong.statusCode, 400, 'only the strategy team can be assigned');
    assert.equal((await submitForm(t.app, { url: `/admin/enquiries/${enquiry!.id}`, cookie: team, fields: { status: 'in_progress', assignee: String(teamId) } })).statusCode, 303);
    const replied = await submitForm(t.app, { url: `/admin/enquiries/${enquiry!.id}/reply`, formUrl: `/admin/enquiries/${enquiry!.id}`, cookie: team, fields: { body: 'Thank you: the consultation opens in May.' } });
    assert.equal(replied.statusCode, 303);
    await eventually(() => mailTo('omar@example.org').length === 1, 10_000, 'the reply');
    assert.match(mailTo('omar@example.org')[0]!.text!, /the consultation opens in May/);
    assert.equal(await count('enquiry_replies'), 1);
    assert.equal((await submitForm(t.app, { url: `/admin/enquiries/${enquiry!.id}`, cookie: team, fields: { status: 'closed', assignee: String(teamId) } })).statusCode, 303);

    assert.equal(await t.services.community.deleteClosedEnquiries(), 0, 'kept within the retention period');
    clock = new Date(clock.getTime() + 366 * 86_400_000);
    assert.equal(await t.services.community.deleteClosedEnquiries(), 1);
    assert.equal(await count('enquiries'), 0);
    assert.equal(await count('enquiry_replies'), 0);
  });

  it('forgets sign-ups whose links expired', async () => {
    const waiting = await count('champion_signups');
    await submitForm(t.app, { url: '/champions/join', fields: { ...JOIN, email: 'late@example.org' } });
    await t.services.community.settled();
    assert.equal(await count('champion_signups'), waiting + 1);
    clock = new Date(clock.getTime() + 73 * 3_600_000);
    await t.services.community.forgetExpired();
    assert.equal(await count('champion_signups'), 0);
  });
});

describe('/champions as the public reads it in production', () => {
  it('is rendered at most once a refresh for readers without cookies, afresh for the signed-in and for a page with a confirmation', async () => {
    const t = await createTestApp('demo', { publicStale: { refreshMs: 100, maxMs: 60_000 } });
    try {
      await addPeople(t, [{ email: 'team@example.org', name: 'Tom Team', role: 'strategy_team' }]);
      const team = (await signInAs(t.app, 'team@example.org')).cookie;
      const active = async (headers: Record<string, string> = {}) => /(\d+)<\/strong> active/.exec((await t.app.inject({ url: '/champions', headers })).body)?.[1];
      const before = await active();
      const [pending] = await queryRows<{ id: number }>(t.database.db, sql`select id from champions where status = 'pending' order by id limit 1`);
      assert.ok(pending, 'the demo has a champion waiting for approval');
      await t.services.community.decide(systemActor, { id: 1, email: 'team@example.org', name: 'Tom Team', role: 'strategy_team', organisationId: null }, pending.id, 'approve');
      assert.equal(await active(), before, 'within refreshMs: the page as it was');
      assert.equal(Number(await active({ cookie: team })), Number(before) + 1, 'signed in: the new count at once');
      // A confirmation waiting in its cookie is shown: a browser with cookies gets the page rendered afresh.
      const signedOut = await submitForm(t.app, { url: '/champions/sign-out', formUrl: '/champions/sign-in', fields: {} });
      assert.equal(signedOut.headers.location, '/champions');
      const flash = signedOut.cookies.find((c) => c.name === 'hub_flash');
      assert.ok(flash, 'signing out leaves a confirmation for the next page');
      assert.match(pageText((await t.app.inject({ url: '/champions', headers: { cookie: `hub_flash=${flash.value}` } })).body), /You have signed out/);
      await new Promise((resolve) => setTimeout(resolve, 120));
      await eventually(async () => (await active()) === String(Number(before) + 1), 5000, 'the refreshed page');
    } finally {
      await t.close();
    }
  });
});
