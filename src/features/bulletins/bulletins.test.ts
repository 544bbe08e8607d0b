// Bulletins end to end through the pages, the job queue and a real SMTP server on 127.0.0.1:
// double opt-in, campaigns with preview and test send, sending with both parts and RFC 8058
// headers, working unsubscribe and preference links, bounces, retries, imports, erasure, the
// champions group, scheduling, the public archive and its Atom feed (parsed by a feed library).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { parseAtomFeed } from 'feedsmith';
import type { ParsedMail } from 'mailparser';
import { queryRows } from '../../platform/db/client.ts';
import { addPeople, createMailedTestApp, eventually, pageText, signInAs, submitForm, submitMultipart, type MailedTestApp, type SmtpServer } from '../../testing.ts';

const to = (mail: ParsedMail) => (Array.isArray(mail.to) ? mail.to : [mail.to]).flatMap((a) => a!.value.map((v) => v.address)).join(',');
/** A header as it arrived on the wire (mailparser restructures the List-* ones). */
const header = (mail: ParsedMail, name: string) => {
  const line = mail.headerLines.find((h) => h.key === name.toLowerCase())?.line ?? '';
  return line.slice(line.indexOf(':') + 1).replace(/\r?\n\s+/g, ' ').trim();
};
const pathOf = (link: string) => new URL(link).pathname;
/** feedsmith gives Atom text constructs as `{ type, value }`. */
const textOf = (x: unknown): string | undefined => (typeof x === 'string' ? x : (x as { value?: string } | undefined)?.value);

describe('bulletins', () => {
  let t: MailedTestApp;
  let smtp: SmtpServer;
  let team: string;
  let clock = new Date();
  /** Addresses the SMTP server refuses: 550 (a hard bounce) or 451 once (try again later). */
  const refuse = new Map<string, 550 | 451>();

  const mailTo = (address: string) => smtp.received.filter((m) => to(m) === address);
  const listId = async (slug: string) => (await t.services.bulletins.lists()).find((l) => l.slug === slug)!.id;
  const subscriber = async (email: string) =>
    (await queryRows<{ id: number; status: string; consent_at: Date | null; consent_note: string; hard_bounces: number; source: string }>(t.database.db, sql`select * from bulletin_subscribers where email = ${email}`))[0];

  /** Subscribes through the form and confirms through the emailed link, as a person would. */
  async function subscribeAndConfirm(email: string, slugs: string[]): Promise<void> {
    const before = mailTo(email).length;
    const res = await submitForm(t.app, { url: '/bulletins/subscribe', fields: { email, lists: await Promise.all(slugs.map(async (s) => String(await listId(s)))) } });
    assert.equal(res.statusCode, 200);
    await t.services.bulletins.settled();
    const mail = await eventually(() => mailTo(email)[before], 10_000, `the confirmation to ${email}`);
    const link = /http:\/\/localhost:3000\/bulletins\/confirm\/\S+/.exec(mail.text ?? '')![0];
    const done = await submitForm(t.app, { url: pathOf(link), fields: {} });
    assert.equal(done.statusCode, 200, done.body);
    assert.match(pageText(done.body), /You are subscribed/);
  }

  async function writeCampaign(fields: Record<string, string | string[]>, query = ''): Promise<number> {
    const res = await submitForm(t.app, { url: `/admin/bulletins/new${query}`, cookie: team, fields: { public: 'yes', ...fields } });
    assert.equal(res.statusCode, 303, res.body);
    return Number(/\/admin\/bulletins\/(\d+)/.exec(res.headers.location as string)![1]);
  }

  async function sendNow(id: number): Promise<void> {
    const page = await t.app.inject({ url: `/admin/bulletins/${id}/send`, headers: { cookie: team } });
    const version = /name="version" value="(\d+)"/.exec(page.body)![1]!;
    const res = await submitForm(t.app, { url: `/admin/bulletins/${id}/send`, cookie: team, fields: { when: 'now', version } });
    assert.equal(res.statusCode, 303, res.body);
  }

  const campaignStatus = async (id: number) => (await queryRows<{ status: string }>(t.database.db, sql`select status from bulletin_campaigns where id = ${id}`))[0]!.status;

  before(async () => {
    t = await createMailedTestApp('demo', { smtp: {
      onRcptTo(address, _session, callback) {
        const code = refuse.get(address.address);
        if (code === 451) refuse.delete(address.address);
        if (code) return callback(Object.assign(new Error(code === 550 ? 'No such mailbox' : 'Try again later'), { responseCode: code }));
        callback();
      },
    }, now: () => clock });
    smtp = t.smtp;
    await addPeople(t, [{ email: 'team@example.org', name: 'Tom Team', role: 'strategy_team' }]);
    team = (await signInAs(t.app, 'team@example.org')).cookie;
    await t.app.jobs.start({ work: true });
  });
  after(async () => {
    await t.close();
  });

  it('checks the subscribe form and stores nothing for bad input', async () => {
    const page = await t.app.inject({ url: '/bulletins/subscribe' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Champions news/);
    assert.match(page.body, /Theme: Training/);
    const bad = await submitForm(t.app, { url: '/bulletins/subscribe', fields: { email: 'not an address', lists: [] } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /There is a problem/);
    assert.match(bad.body, /Select at least one bulletin to get/);
    const unknownList = await submitForm(t.app, { url: '/bulletins/subscribe', fields: { email: 'x@example.org', lists: ['999999'] } });
    assert.equal(unknownList.statusCode, 400);
    assert.equal((await queryRows(t.database.db, sql`select 1 from bulletin_subscribers where source <> 'champion'`)).length, 0);
  });

  it('is double opt-in: only the confirmation email until the link is used, then consent is recorded', async () => {
    await submitForm(t.app, { url: '/bulletins/subscribe', fields: { email: ' Ada@Example.ORG ', lists: [String(await listId('general')), String(await listId('theme-training'))] } });
    await t.services.bulletins.settled();
    const mail = await eventually(() => mailTo('ada@example.org')[0], 10_000, 'the confirmation');
    assert.equal(mail.subject, "Confirm you want the strategy's bulletins");
    assert.ok(mail.html && mail.text);
    assert.equal((await subscriber('ada@example.org'))!.status, 'pending');
    const link = pathOf(/http:\/\/localhost:3000\/bulletins\/confirm\/\S+/.exec(mail.text)![0]);
    // Opening the link (a mail scanner, say) does not confirm: the button does.
    const page = await t.app.inject({ url: link });
    assert.match(pageText(page.body), /Confirm that ada@example.org should get/);
    assert.equal((await subscriber('ada@example.org'))!.status, 'pending');
    const done = await submitForm(t.app, { url: link, fields: {} });
    assert.match(pageText(done.body), /You are subscribed/);
    const s = (await subscriber('ada@example.org'))!;
    assert.equal(s.status, 'active');
    assert.equal(new Date(s.consent_at!).getTime(), clock.getTime());
    assert.match(s.consent_note, /Subscribe form/);
    const lists = await queryRows<{ slug: string }>(t.database.db, sql`select l.slug from bulletin_subscriptions s join bulletin_lists l on l.id = s.list_id where s.subscriber_id = ${s.id} order by l.slug`);
    assert.deepEqual(lists.map((l) => l.slug), ['general', 'theme-training']);
    assert.equal((await t.app.inject({ url: link })).statusCode, 404, 'a used link no longer works');
  });

  it('says the same whether or not the address is known, and emails the owner a preferences link instead', async () => {
    const res = await submitForm(t.app, { url: '/bulletins/subscribe', fields: { email: 'ada@example.org', lists: String(await listId('general')) } });
    assert.match(pageText(res.body), /Check your email/);
    await t.services.bulletins.settled();
    const mail = await eventually(() => mailTo('ada@example.org')[1], 10_000, 'the second email');
    assert.equal(mail.subject, "You already get the strategy's bulletins");
    const prefs = pathOf(/http:\/\/localhost:3000\/bulletins\/preferences\/\S+/.exec(mail.text!)![0]);
    assert.match(pageText((await t.app.inject({ url: prefs })).body), /ada@example.org/);
  });

  it('writes, previews and test-sends a campaign, saying how many it will reach', async () => {
    await subscribeAndConfirm('ben@example.org', ['general']);
    await subscribeAndConfirm('cat@example.org', ['theme-training']);
    const bad = await submitForm(t.app, { url: '/admin/bulletins/new', cookie: team, fields: { subject: '', summary: '', body: '', public: 'yes' } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Enter a subject line/);
    assert.match(bad.body, /Select at least one list to send to/);
    const id = await writeCampaign({ subject: 'News for <everyone>', summary: 'What happened this month.', body: '## This month\n\nWe met **twice**. See [progress](https://example.org/progress).\n\n<script>alert(1)</script>', lists: [String(await listId('general')), String(await listId('theme-training'))] });
    const page = await t.app.inject({ url: `/admin/bulletins/${id}`, headers: { cookie: team } });
    assert.match(pageText(page.body), /Will reach 3 people if sent now/);
    const preview = await t.app.inject({ url: `/admin/bulletins/${id}/preview`, headers: { cookie: team } });
    assert.match(preview.body, /We met \*\*twice\*\*/, 'the plain-text part shows the words');
    assert.match(preview.body, /progress \(https:\/\/example.org\/progress\)/);
    const html = await t.app.inject({ url: `/admin/bulletins/${id}/preview.html`, headers: { cookie: team } });
    assert.match(html.body, /<h2 style="[^"]+">This month<\/h2>/);
    assert.match(html.body, /<strong>twice<\/strong>/);
    assert.doesNotMatch(html.body, /<script>/);
    assert.match(html.headers['content-security-policy'] as string, /default-src 'none'/, 'nothing in the email can run or load');
    const test = await submitForm(t.app, { url: `/admin/bulletins/${id}/test`, formUrl: `/admin/bulletins/${id}`, cookie: team, fields: {} });
    assert.equal(test.statusCode, 303);
    const mail = await eventually(() => mailTo('team@example.org')[0], 10_000, 'the test email');
    assert.equal(mail.subject, '[Test] News for <everyone>');
    assert.equal(await campaignStatus(id), 'draft');
  });

  it('sends each subscriber one copy with both parts, RFC 8058 headers and working links; the archive and feed show it', async () => {
    const id = (await queryRows<{ id: number }>(t.database.db, sql`select id from bulletin_campaigns where subject = 'News for <everyone>'`))[0]!.id;
    await sendNow(id);
    await eventually(async () => ((await campaignStatus(id)) === 'sent' ? true : undefined), 15_000, 'the campaign to finish');
    for (const address of ['ada@example.org', 'ben@example.org', 'cat@example.org']) {
      assert.equal(mailTo(address).filter((m) => m.subject === 'News for <everyone>').length, 1, address);
    }
    const mail = mailTo('ben@example.org').find((m) => m.subject === 'News for <everyone>')!;
    assert.match(mail.text!, /THIS MONTH/);
    assert.match(mail.html as string, /style="/);
    assert.doesNotMatch(mail.html as string, /<img|<style/);
    const unsubscribe = /<(http:\/\/localhost:3000\/bulletins\/unsubscribe\/[^>]+)>/.exec(header(mail, 'List-Unsubscribe'))![1]!;
    assert.equal(header(mail, 'List-Unsubscribe-Post'), 'List-Unsubscribe=One-Click');
    assert.ok(mail.text!.includes(unsubscribe), 'a visible unsubscribe link too');
    const prefs = /http:\/\/localhost:3000\/bulletins\/preferences\/\S+/.exec(mail.text!)![0];
    assert.match(pageText((await t.app.inject({ url: pathOf(prefs) })).body), /ben@example.org/);
    // A forged signature is refused.
    assert.equal((await t.app.inject({ url: pathOf(prefs).replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) })).statusCode, 404);

    const admin = pageText((await t.app.inject({ url: `/admin/bulletins/${id}`, headers: { cookie: team } })).body);
    assert.match(admin, /Sent 3/);
    assert.match(admin, /Remaining 0/);

    const archive = await t.app.inject({ url: '/bulletins' });
    const slug = /href="\/bulletins\/(\d{4}-\d{2}-news-for-everyone)"/.exec(archive.body)![1]!;
    const page = await t.app.inject({ url: `/bulletins/${slug}` });
    assert.match(page.body, /<h2 class="govuk-heading-m">This month<\/h2>/);
    assert.match(page.body, /News for &lt;everyone&gt;/);
    const feedRes = await t.app.inject({ url: '/bulletins/feed.xml' });
    assert.match(feedRes.headers['content-type'] as string, /application\/atom\+xml/);
    const feed = parseAtomFeed(feedRes.body);
    assert.equal(textOf(feed.title), 'Adult Social Care Workforce Strategy: bulletins');
    const entry = feed.entries!.find((e) => textOf(e.title) === 'News for <everyone>')!;
    assert.ok(entry, 'the new bulletin is an entry');
    assert.equal(entry.links![0]!.href, `http://localhost:3000/bulletins/${slug}`);
    assert.match(textOf(entry.content)!, /<strong>twice<\/strong>/);
    assert.equal(feed.entries!.length, 4, 'with the three demo bulletins');

    // One-click unsubscribe, as a mail client posts it: no cookie, no CSRF token.
    const oneClick = await t.app.inject({ method: 'POST', url: pathOf(unsubscribe), headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    assert.equal(oneClick.statusCode, 200);
    assert.equal((await subscriber('ben@example.org'))!.status, 'unsubscribed');
  });

  it('never mails an unsubscribed address again, and a preferences change applies to the next send', async () => {
    const prefsOf = async (email: string) => `/bulletins/preferences/${t.services.bulletins.signedToken((await subscriber(email))!.id)}`;
    // Cat drops the theme list and takes the general bulletin instead.
    const saved = await submitForm(t.app, { url: await prefsOf('cat@example.org'), fields: { lists: String(await listId('general')) } });
    assert.equal(saved.statusCode, 303);
    const id = await writeCampaign({ subject: 'Second bulletin', summary: 'More news.', body: 'More.', lists: String(await listId('general')) });
    assert.match(pageText((await t.app.inject({ url: `/admin/bulletins/${id}`, headers: { cookie: team } })).body), /Will reach 2 people/);
    await sendNow(id);
    await eventually(async () => ((await campaignStatus(id)) === 'sent' ? true : undefined), 15_000, 'the second campaign');
    assert.equal(mailTo('ben@example.org').filter((m) => m.subject === 'Second bulletin').length, 0);
    assert.equal(mailTo('cat@example.org').filter((m) => m.subject === 'Second bulletin').length, 1);
    // Unticking everything is unsubscribing.
    await submitForm(t.app, { url: await prefsOf('cat@example.org'), fields: {} });
    assert.equal((await subscriber('cat@example.org'))!.status, 'unsubscribed');
  });

  it('counts hard bounces and suspends the address at the limit; retries a temporary refusal later', async () => {
    await subscribeAndConfirm('gone@example.org', ['general']);
    await subscribeAndConfirm('busy@example.org', ['general']);
    refuse.set('gone@example.org', 550);
    for (let n = 1; n <= 3; n++) {
      if (n === 1) refuse.set('busy@example.org', 451);
      const id = await writeCampaign({ subject: `Bounce round ${n}`, summary: 'Round.', body: 'Text.', lists: String(await listId('general')) });
      await sendNow(id);
      if (n === 1) {
        // The temporary refusal waits (30 s on the hub's clock), so the campaign is still sending.
        await eventually(async () => ((await queryRows(t.database.db, sql`select 1 from bulletin_deliveries where campaign_id = ${id} and status = 'queued' and not_before is not null`)).length ? true : undefined), 15_000, 'the retry to wait');
        assert.equal(await campaignStatus(id), 'sending');
        clock = new Date(clock.getTime() + 60_000);
        await t.services.bulletins.sendCampaign(id);
      }
      await eventually(async () => ((await campaignStatus(id)) === 'sent' ? true : undefined), 15_000, `bounce round ${n}`);
      const s = (await subscriber('gone@example.org'))!;
      assert.equal(s.hard_bounces, n);
      assert.equal(s.status, n < 3 ? 'active' : 'suspended');
    }
    assert.equal(mailTo('busy@example.org').filter((m) => m.subject === 'Bounce round 1').length, 1, 'the retry got through once');
    const failed = await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from bulletin_deliveries where status = 'failed'`);
    assert.equal(failed[0]!.n, 3);
    const id = await writeCampaign({ subject: 'After suspension', summary: 'x', body: 'x', lists: String(await listId('general')) });
    await sendNow(id);
    await eventually(async () => ((await campaignStatus(id)) === 'sent' ? true : undefined), 15_000, 'after suspension');
    assert.equal(mailTo('gone@example.org').length, 1, 'only the confirmation: the server refused every bulletin');
    assert.match(pageText((await t.app.inject({ url: '/admin/bulletins/subscribers?status=suspended', headers: { cookie: team } })).body), /gone@example.org Theme|gone@example.org/);
  });

  it('imports a CSV only with a lawful basis, never re-adding people who left, and exports CSV', async () => {
    const url = '/admin/bulletins/subscribers/import';
    const csv = 'email,consent_date\nnew1@example.org,2025-03-01\nBEN@example.org,\nada@example.org,\nnot-an-email,\nnew2@example.org,2999-01-01\n';
    const missing = await submitMultipart(t.app, { url, cookie: team, fields: { lists: String(await listId('general')), note: 'Sheet' }, files: [{ name: 'people.csv', bytes: csv, field: 'file' }] });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /Select the lawful basis/);
    const res = await submitMultipart(t.app, {
      url,
      cookie: team,
      fields: { lists: String(await listId('champions-news')), lawfulBasis: 'consent', note: 'Sign-up sheet at the March event' },
      files: [{ name: 'people.csv', bytes: csv, field: 'file' }],
    });
    assert.equal(res.statusCode, 200, res.body);
    const text = pageText(res.body);
    assert.match(text, /New subscribers 1/);
    // Ada is active (champions news added); Ben unsubscribed and stays so.
    assert.match(text, /Already subscribed, lists added 1/);
    assert.match(text, /Not added: they unsubscribed or bounced 1/);
    assert.match(text, /Row 5: Enter an email address in the correct format/);
    assert.match(text, /Row 6: consent_date must be a real date, not in the future/);
    const added = (await subscriber('new1@example.org'))!;
    assert.equal(added.status, 'active');
    assert.equal(added.source, 'import');
    assert.equal(new Date(added.consent_at!).toISOString(), '2025-03-01T00:00:00.000Z');
    assert.equal((await subscriber('ben@example.org'))!.status, 'unsubscribed');

    const exported = await t.app.inject({ url: '/admin/bulletins/subscribers.csv?status=active', headers: { cookie: team } });
    assert.match(exported.headers['content-type'] as string, /text\/csv/);
    assert.match(exported.body, /^email,status,lists,source,lawful_basis/);
    assert.match(exported.body, /new1@example.org,active,champions-news,import,consent,2025-03-01/);
    assert.doesNotMatch(exported.body, /ben@example.org/);
  });

  it('lets a subscriber download and erase their data; an erased address is never imported again', async () => {
    const token = t.services.bulletins.signedToken((await subscriber('new1@example.org'))!.id);
    const data = await t.app.inject({ url: `/bulletins/preferences/${token}/data.json` });
    assert.equal((JSON.parse(data.body) as { email: string }).email, 'new1@example.org');
    const erased = await submitForm(t.app, { url: `/bulletins/preferences/${token}/erase`, fields: {} });
    assert.match(pageText(erased.body), /Your data has been deleted/);
    assert.equal(await subscriber('new1@example.org'), undefined);
    const anywhere = await queryRows(t.database.db, sql`select 1 from bulletin_subscribers s where s.email = 'new1@example.org' union all select 1 from audit_events where cast(after as text) like '%new1@%' or cast(before as text) like '%new1@%'`);
    assert.equal(anywhere.length, 0, 'no trace of the address in the tables or the audit trail');
    const again = await submitMultipart(t.app, {
      url: '/admin/bulletins/subscribers/import',
      cookie: team,
      fields: { lists: String(await listId('general')), lawfulBasis: 'consent', note: 'The same sheet again' },
      files: [{ name: 'again.csv', bytes: 'email\nnew1@example.org\n', field: 'file' }],
    });
    assert.match(pageText(again.body), /Not added: they deleted their data 1/);
    assert.equal(await subscriber('new1@example.org'), undefined);
  });

  it('keeps champions news in step with champions, and narrows a bulletin to a group of them', async () => {
    const champions = await queryRows<{ email: string; region: string }>(t.database.db, sql`select email, region from champions where status = 'active' and contact_consent order by email`);
    assert.ok(champions.length >= 2);
    const onNews = await queryRows<{ email: string }>(
      t.database.db,
      sql`select s.email from bulletin_subscribers s join bulletin_subscriptions x on x.subscriber_id = s.id join bulletin_lists l on l.id = x.list_id where l.kind = 'champions' and s.source = 'champion' order by s.email`,
    );
    assert.deepEqual(onNews.map((r) => r.email), champions.map((c) => c.email));
    const region = champions[0]!.region;
    const inRegion = champions.filter((c) => c.region === region).length;
    const admin = await t.app.inject({ url: `/admin/champions?region=${region}`, headers: { cookie: team } });
    assert.match(admin.body, new RegExp(`href="/admin/bulletins/new\\?region=${region}" data-qa="message-group"`));
    const form = await t.app.inject({ url: `/admin/bulletins/new?region=${region}`, headers: { cookie: team } });
    assert.match(pageText(form.body), /Only champions who agreed to be contacted and match this group/);
    const id = await writeCampaign({ subject: 'For some champions', summary: 'x', body: 'x', lists: String(await listId('champions-news')), public: 'no' }, `?region=${region}`);
    assert.match(pageText((await t.app.inject({ url: `/admin/bulletins/${id}`, headers: { cookie: team } })).body), new RegExp(`Will reach ${inRegion} ${inRegion === 1 ? 'person' : 'people'}`));
    await sendNow(id);
    await eventually(async () => ((await campaignStatus(id)) === 'sent' ? true : undefined), 15_000, 'the champions bulletin');
    const got = smtp.received.filter((m) => m.subject === 'For some champions').map(to).sort();
    assert.deepEqual(got, champions.filter((c) => c.region === region).map((c) => c.email));
    assert.doesNotMatch((await t.app.inject({ url: '/bulletins' })).body, /For some champions/, 'not in the public archive');
    // A champion who withdraws leaves champions news in the same transaction.
    const leaving = (await queryRows<{ id: number }>(t.database.db, sql`select id from champions where email = ${champions[0]!.email}`))[0]!.id;
    await t.services.community.withdraw({ type: 'system', label: 'test' }, leaving);
    const still = await queryRows(t.database.db, sql`select 1 from bulletin_subscriptions x join bulletin_subscribers s on s.id = x.subscriber_id where s.email = ${champions[0]!.email}`);
    assert.equal(still.length, 0);
  });

  it('schedules a bulletin, lets the schedule be cancelled, and starts it when its time comes', async () => {
    const id = await writeCampaign({ subject: 'Scheduled news', summary: 'x', body: 'x', lists: String(await listId('general')) });
    const version = () => t.app.inject({ url: `/admin/bulletins/${id}/send`, headers: { cookie: team } }).then((r) => /name="version" value="(\d+)"/.exec(r.body)![1]!);
    const past = await submitForm(t.app, { url: `/admin/bulletins/${id}/send`, cookie: team, fields: { when: 'later', 'at-day': '1', 'at-month': '1', 'at-year': '2020', 'at-time': '09:00', version: await version() } });
    assert.equal(past.statusCode, 400);
    assert.match(past.body, /The time to send must be in the future/);
    const year = String(clock.getUTCFullYear() + 1);
    const ok = await submitForm(t.app, { url: `/admin/bulletins/${id}/send`, cookie: team, fields: { when: 'later', 'at-day': '2', 'at-month': '3', 'at-year': year, 'at-time': '09:30', version: await version() } });
    assert.equal(ok.statusCode, 303);
    assert.equal(await campaignStatus(id), 'scheduled');
    const row = (await queryRows<{ scheduled_for: Date; version: number }>(t.database.db, sql`select scheduled_for, version from bulletin_campaigns where id = ${id}`))[0]!;
    assert.equal(new Date(row.scheduled_for).toISOString(), `${year}-03-02T09:30:00.000Z`, 'UK time in March is GMT');
    const cancelled = await submitForm(t.app, { url: `/admin/bulletins/${id}/unschedule`, formUrl: `/admin/bulletins/${id}`, cookie: team, fields: { version: String(row.version) } });
    assert.equal(cancelled.statusCode, 303);
    assert.equal(await campaignStatus(id), 'draft');
    await submitForm(t.app, { url: `/admin/bulletins/${id}/send`, cookie: team, fields: { when: 'later', 'at-day': '2', 'at-month': '3', 'at-year': year, 'at-time': '09:30', version: await version() } });
    assert.equal(await t.services.bulletins.startDue(), 0, 'not yet');
    clock = new Date(`${year}-03-02T09:31:00Z`);
    assert.equal(await t.services.bulletins.startDue(), 1);
    await eventually(async () => ((await campaignStatus(id)) === 'sent' ? true : undefined), 15_000, 'the scheduled bulletin');
    assert.ok(mailTo('ada@example.org').some((m) => m.subject === 'Scheduled news'));
  });

  it('keeps the admin to the strategy team, and a started bulletin cannot be changed', async () => {
    await addPeople(t, [{ email: 'viewer@example.org', name: 'Vi Viewer', role: 'viewer' }]);
    const viewer = (await signInAs(t.app, 'viewer@example.org')).cookie;
    assert.equal((await t.app.inject({ url: '/admin/bulletins', headers: { cookie: viewer } })).statusCode, 403);
    assert.equal((await t.app.inject({ url: '/admin/bulletins/subscribers.csv', headers: { cookie: viewer } })).statusCode, 403);
    const sent = (await queryRows<{ id: number }>(t.database.db, sql`select id from bulletin_campaigns where subject = 'Second bulletin'`))[0]!.id;
    const edit = await submitForm(t.app, { url: `/admin/bulletins/${sent}/edit`, formUrl: `/admin/bulletins/new`, cookie: team, fields: { subject: 'Changed', summary: 'x', body: 'x', lists: String(await listId('general')), public: 'yes', version: '1' } });
    assert.equal(edit.statusCode, 409);
    assert.match(edit.body, /has been sent and cannot be changed/);
  });
});
