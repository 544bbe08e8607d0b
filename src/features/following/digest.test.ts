// Following a theme, choosing how often, and the weekly digest, end to end through the pages,
// the job queue and a real SMTP server on 127.0.0.1: what arrives (headers, both parts, the
// updates listed), once per address and week, nothing for a quiet week, and the preferences
// and unsubscribe links working from the emails themselves.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import type { Mailer } from '../../platform/mail/mailer.ts';
import type { ParsedMail } from 'mailparser';
import { queryRows } from '../../platform/db/client.ts';
import { JOB_SCHEMA } from '../../platform/jobs/schema-name.ts';
import { addPeople, createMailedTestApp, eventually, pageText, publishUpdate, signInAs, submitForm, submitUpdate, type MailedTestApp, type SmtpServer } from '../../testing.ts';
import { DIGEST_CRON, FOLLOW_JOBS, FollowingService } from './service.ts';

const to = (mail: ParsedMail) => (Array.isArray(mail.to) ? mail.to : [mail.to]).flatMap((a) => a!.value.map((v) => v.address)).join(',');
const linkIn = (mail: ParsedMail, pattern: RegExp) => pattern.exec(mail.text ?? '')?.[0];
const header = (mail: ParsedMail, name: string) => mail.headerLines.find((h) => h.key === name)?.line.replace(/^[^:]+:\s*/, '');
const pathOf = (url: string) => new URL(url).pathname;

const THEME = 'regulation-and-registration'; // AR-06 and TR-01 are in it; TR-05A is not
/** The digest runs at 07:00 London on these Mondays; each covers the week before. */
const RUN = {
  week1: new Date('2031-03-31T06:00:00Z'), // week of Monday 24 March 2031 (BST began on Sunday 30 March)
  week2: new Date('2031-04-07T06:00:00Z'),
  week3: new Date('2031-04-14T06:00:00Z'),
};

describe('following a theme, and the weekly digest', () => {
  let t: MailedTestApp;
  let smtp: SmtpServer;
  let reporter: string;
  let team: string;
  const updates: Record<string, number> = {};

  const mailTo = (address: string) => smtp.received.filter((m) => to(m) === address);
  const notifyJobsDone = async () => (await t.app.jobs.counts(FOLLOW_JOBS.notify)).completed ?? 0;

  /** A CQC reporter submits an update and the strategy team publishes it; the emails for it are sent before this returns. */
  async function reportAndPublish(code: string, summary: string): Promise<number> {
    const done = await notifyJobsDone();
    const id = await submitUpdate(t, reporter, 'care-quality-commission', code, { summary });
    await publishUpdate(t, team, id);
    await eventually(async () => (await notifyJobsDone()) > done, 15_000, `the notify job for ${code}`);
    return id;
  }

  /** Dates a publication, so the test decides which digest week it falls in. */
  async function publishedAt(updateId: number, when: string): Promise<void> {
    await t.database.db.execute(sql`update progress_updates set published_at = ${when}::timestamptz where id = ${updateId}`);
  }

  /** Asks to follow through the form, then confirms from the emailed link choosing how often. */
  async function follow(formPath: string, email: string, frequency: 'each' | 'weekly'): Promise<ParsedMail> {
    const before = mailTo(email).length;
    const asked = await submitForm(t.app, { url: formPath, fields: { email } });
    assert.equal(asked.statusCode, 200);
    await t.services.following.settled();
    const confirmation = await eventually(() => mailTo(email)[before], 10_000, `the confirmation email to ${email}`);
    const link = pathOf(linkIn(confirmation, /http:\/\/localhost:3000\/follow\/confirm\/\S+/)!);
    const confirmed = await submitForm(t.app, { url: link, fields: { frequency } });
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    return confirmation;
  }

  before(async () => {
    t = await createMailedTestApp('demo');
    smtp = t.smtp;
    const cqc = (await t.services.strategy.catalogue()).organisations.find((o) => o.shortName === 'CQC')!;
    await addPeople(t, [
      { email: 'team@example.org', name: 'Tom Team', role: 'strategy_team' },
      { email: 'rita@cqc.example', name: 'Rita Reporter', role: 'organisation_reporter', organisationId: cqc.id },
    ]);
    team = (await signInAs(t.app, 'team@example.org')).cookie;
    reporter = (await signInAs(t.app, 'rita@cqc.example')).cookie;
    await t.app.jobs.start({ work: true });
  });
  after(async () => {
    await t.close();
  });

  it('offers a theme’s emails on the recommendations filtered by that one theme, and checks the address', async () => {
    const filtered = await t.app.inject({ url: `/recommendations?theme=${THEME}` });
    assert.match(filtered.body, new RegExp(`href="/follow/theme/${THEME}"`));
    assert.match(pageText(filtered.body), /Get emails about the theme “Regulation and registration”/);
    const two = await t.app.inject({ url: `/recommendations?theme=${THEME}&theme=training` });
    assert.doesNotMatch(two.body, /\/follow\/theme\//, 'two themes: no single theme to follow');

    const form = await t.app.inject({ url: `/follow/theme/${THEME}` });
    assert.equal(form.statusCode, 200);
    assert.match(pageText(form.body), /Theme: Regulation and registration/);
    assert.match(pageText(form.body), /Get emails about this theme/);
    assert.equal((await t.app.inject({ url: '/follow/theme/no-such-theme' })).statusCode, 404);
    assert.equal((await t.app.inject({ url: '/follow/theme/Not_A_Slug' })).statusCode, 404);
    const bad = await submitForm(t.app, { url: `/follow/theme/${THEME}`, fields: { email: 'nope' } });
    assert.equal(bad.statusCode, 400);
    assert.match(pageText(bad.body), /There is a problem/);
    const [n] = await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from item_followers`);
    assert.equal(Number(n!.n), 0);
  });

  it('follows a theme by double opt-in, choosing the weekly digest, without saying whether the address was known', async () => {
    const confirmation = await follow(`/follow/theme/${THEME}`, 'dana@example.org', 'weekly');
    assert.equal(confirmation.subject, 'Confirm you want emails about the theme “Regulation and registration”');
    assert.match(confirmation.text!, /any item in the theme “Regulation and registration”/);
    await follow('/recommendations/TR-05A/follow', 'dana@example.org', 'weekly');
    await follow(`/follow/theme/${THEME}`, 'eve@example.org', 'each');
    await follow('/recommendations/AR-06/follow', 'gil@example.org', 'each');

    const words = (body: string) => pageText(body).replace(/\S+@example\.org/g, 'ADDRESS');
    const known = await submitForm(t.app, { url: `/follow/theme/${THEME}`, fields: { email: 'dana@example.org' } });
    const unknown = await submitForm(t.app, { url: `/follow/theme/${THEME}`, fields: { email: 'zed@example.org' } });
    assert.equal(words(known.body), words(unknown.body));
    await t.services.following.settled();
    const already = await eventually(() => mailTo('dana@example.org')[2], 10_000, 'the “already following” note');
    assert.equal(already.subject, 'You already get emails about the theme “Regulation and registration”');
    assert.match(already.text!, /\/follow\/preferences\/[A-Za-z0-9_-]+/);

    const rows = await queryRows<{ email: string; target: string; frequency: string }>(
      t.database.db,
      sql`select f.email, coalesce(i.code, 'theme ' || th.slug) as target, f.frequency
          from item_followers f left join items i on i.id = f.item_id left join terms th on th.id = f.theme_id
          where f.confirmed_at is not null order by f.id`,
    );
    assert.deepEqual(rows, [
      { email: 'dana@example.org', target: `theme ${THEME}`, frequency: 'weekly' },
      { email: 'dana@example.org', target: 'TR-05A', frequency: 'weekly' },
      { email: 'eve@example.org', target: `theme ${THEME}`, frequency: 'each' },
      { email: 'gil@example.org', target: 'AR-06', frequency: 'each' },
    ]);
  });

  it('sends an email for each update to those who chose it, for the items in a followed theme, and none to digest followers', async () => {
    updates.ar06 = await reportAndPublish('AR-06', 'Registration guidance drafted with providers.');
    updates.tr01 = await reportAndPublish('TR-01', 'Learning and development signposting published.');
    updates.tr05 = await reportAndPublish('TR-05A', 'Digital skills course opened.');
    await eventually(() => mailTo('eve@example.org').length === 3 && mailTo('gil@example.org').length === 2, 10_000, 'the update emails');

    const [ar06, tr01] = mailTo('eve@example.org').slice(1);
    assert.equal(ar06!.subject, 'AR-06: new progress update – In progress');
    assert.match(ar06!.text!, /because you follow the theme “Regulation and registration”/);
    assert.equal(tr01!.subject, 'TR-01: new progress update – In progress');
    assert.match(header(ar06!, 'list-unsubscribe') ?? '', /^<http:\/\/localhost:3000\/follow\/unsubscribe\/[A-Za-z0-9_-]+>$/);
    assert.match(mailTo('gil@example.org')[1]!.text!, /because you follow AR-06\./);
    assert.equal(mailTo('dana@example.org').length, 3, 'the digest follower gets no email for each update (only the two confirmations and the note)');
  });

  it('lets the preferences link from an email switch to the weekly digest, after which no email comes for each update', async () => {
    const email = mailTo('gil@example.org')[1]!;
    const preferencesPath = pathOf(linkIn(email, /http:\/\/localhost:3000\/follow\/preferences\/\S+/)!);
    const page = await t.app.inject({ url: preferencesPath });
    assert.equal(page.statusCode, 200);
    assert.match(pageText(page.body), /These emails go to gil@example.org/);
    assert.equal(page.headers['cache-control'], 'no-store', 'a page showing an address is not kept by browsers or proxies');
    assert.match(pageText(page.body), /AR-06: /);
    assert.doesNotMatch(page.body, /dana@|eve@/, 'only this address’s follows');
    const field = /name="(frequency-\d+)" type="radio" value="each" checked/.exec(page.body)?.[1];
    assert.ok(field, 'an email for each update is chosen');

    const missing = await submitForm(t.app, { url: preferencesPath, fields: {} });
    assert.equal(missing.statusCode, 400);
    assert.match(pageText(missing.body), /Choose how often you want emails about AR-06/);
    const tampered = await submitForm(t.app, { url: preferencesPath, fields: { [field]: 'hourly' } });
    assert.equal(tampered.statusCode, 400);

    const saved = await submitForm(t.app, { url: preferencesPath, fields: { [field]: 'weekly' } });
    assert.equal(saved.statusCode, 303);
    const after = await t.app.inject({ url: preferencesPath, headers: { cookie: ([] as string[]).concat(saved.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ') } });
    assert.match(pageText(after.body), /Your choices are saved/);
    assert.match(after.body, new RegExp(`name="${field}" type="radio" value="weekly" checked`));
    assert.equal((await t.app.inject({ url: '/follow/preferences/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' })).statusCode, 404);

    // The same week, after switching: the digest will carry this one, and not repeat the first.
    updates.ar06again = await reportAndPublish('AR-06', 'Registration guidance consultation closed.');
    await eventually(() => mailTo('eve@example.org').length === 4, 10_000, 'the theme follower’s email');
    assert.equal(mailTo('gil@example.org').length, 2, 'no email for each update once the digest is chosen');

    // Which week each publication falls in: Sunday 23:30 BST is still week 1, Monday 00:30 BST is week 2.
    await publishedAt(updates.ar06!, '2031-03-26T10:00:00Z');
    await publishedAt(updates.ar06again, '2031-03-29T09:00:00Z');
    await publishedAt(updates.tr01!, '2031-03-30T22:30:00Z');
    await publishedAt(updates.tr05!, '2031-03-30T23:30:00Z');
  });

  it('sends one digest per address for the week before, grouped by item, with both parts and one-click unsubscribe; once only', async () => {
    const [schedule] = await queryRows<{ cron: string; timezone: string }>(t.database.db, sql.raw(`select cron, timezone from ${JOB_SCHEMA}.schedule where name = '${FOLLOW_JOBS.digest}'`));
    assert.deepEqual(schedule, { cron: DIGEST_CRON, timezone: 'Europe/London' }, 'the job is scheduled for Mondays at 07:00 London time');
    assert.equal(DIGEST_CRON, '0 7 * * 1');

    const first = await t.services.following.sendDigests(RUN.week1);
    assert.deepEqual(first, { weekOf: '2031-03-24', sent: 2 });
    const digest = await eventually(() => mailTo('dana@example.org')[3], 10_000, 'dana’s digest');
    assert.equal(digest.subject, 'Weekly digest: 3 verified progress updates, week beginning 24 March 2031');
    const text = digest.text!;
    assert.match(text, /3 verified progress updates were published from 24 March 2031 to 30 March 2031 on what you follow\./);
    // Grouped by item, in code order; each update with its date, organisation, status and summary.
    const ar06At = text.indexOf('AR-06: ');
    const tr01At = text.indexOf('TR-01: ');
    assert.ok(ar06At > 0 && tr01At > ar06At, 'AR-06 then TR-01');
    assert.match(text.slice(ar06At, tr01At), /Published: 26 March 2031\nReported by: Care Quality Commission\nStatus: In progress\nConfidence: On track\nRegistration guidance drafted with providers\./);
    assert.match(text.slice(ar06At, tr01At), /Registration guidance consultation closed\./);
    assert.match(text.slice(tr01At), /Published: 30 March 2031[\s\S]*Learning and development signposting published\./);
    assert.match(text, /http:\/\/localhost:3000\/recommendations\/AR-06\n/);
    assert.doesNotMatch(text, /Digital skills course opened/, 'published on Monday 00:30 BST: next week’s');
    assert.match(text, /because you follow TR-05A, the theme “Regulation and registration”\./);

    const html = String(digest.html);
    assert.match(html, /<h2 style="[^"]+">AR-06: /);
    assert.match(html, /Learning and development signposting published\./);
    assert.doesNotMatch(html, /<img|<style|<link|url\(/i, 'readable without images or stylesheets');
    assert.doesNotMatch(html.replace(/<(html|head|meta|title|tr|br|strong|\/)[^>]*>/g, ''), /<(?![^>]*style=)[a-z][^>]*>/i, 'every other element styled inline');

    const unsubscribe = /^<(.+)>$/.exec(header(digest, 'list-unsubscribe') ?? '')?.[1] ?? '';
    assert.match(unsubscribe, /^http:\/\/localhost:3000\/follow\/unsubscribe\/[A-Za-z0-9_-]+$/);
    assert.equal(header(digest, 'list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
    assert.ok(text.includes(unsubscribe) && html.includes(unsubscribe), 'the unsubscribe link is visible in both parts');
    assert.match(text, /http:\/\/localhost:3000\/follow\/preferences\/[A-Za-z0-9_-]+/);

    // Gil chose the digest mid-week: it lists the update he has not had, not the one he had.
    const gils = await eventually(() => mailTo('gil@example.org')[2], 10_000, 'gil’s digest');
    assert.equal(gils.subject, 'Weekly digest: 1 verified progress update, week beginning 24 March 2031');
    assert.match(gils.text!, /Registration guidance consultation closed\./);
    assert.doesNotMatch(gils.text!, /Registration guidance drafted with providers/);
    assert.equal(mailTo('eve@example.org').length, 4, 'an email-for-each-update follower gets no digest');

    // Run again (a retry, or a second instance): nothing more is sent.
    assert.deepEqual(await t.services.following.sendDigests(RUN.week1), { weekOf: '2031-03-24', sent: 0 });
    const [claims] = await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from follow_digests where week_of = '2031-03-24'`);
    assert.equal(Number(claims!.n), 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(mailTo('dana@example.org').length, 4);
    assert.equal(mailTo('gil@example.org').length, 3);
  });

  it('sends the next week’s news the next week, and nothing for a week with no updates', async () => {
    assert.deepEqual(await t.services.following.sendDigests(RUN.week2), { weekOf: '2031-03-31', sent: 1 });
    const second = await eventually(() => mailTo('dana@example.org')[4], 10_000, 'dana’s second digest');
    assert.equal(second.subject, 'Weekly digest: 1 verified progress update, week beginning 31 March 2031');
    assert.match(second.text!, /TR-05A: [\s\S]*Digital skills course opened\./);
    assert.doesNotMatch(second.text!, /AR-06: /);

    const before = smtp.received.length;
    assert.deepEqual(await t.services.following.sendDigests(RUN.week3), { weekOf: '2031-04-07', sent: 0 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(smtp.received.length, before, 'a quiet week sends nothing');
  });

  it('unsubscribes with one click from the digest’s header or its visible link, and nothing is sent afterwards', async () => {
    const digest = mailTo('dana@example.org')[4]!;
    const unsubscribePath = pathOf(/^<(.+)>$/.exec(header(digest, 'list-unsubscribe') ?? '')![1]!);
    const preferencesPath = pathOf(linkIn(digest, /http:\/\/localhost:3000\/follow\/preferences\/\S+/)!);
    const preferences = await t.app.inject({ url: preferencesPath });
    assert.match(pageText(preferences.body), /TR-05A: [\s\S]*Theme: Regulation and registration/, 'both of her follows, items first');

    const page = await t.app.inject({ url: unsubscribePath });
    assert.equal(page.statusCode, 200);
    assert.match(pageText(page.body), /Unsubscribe from all these emails\?/);
    assert.match(pageText(page.body), /dana@example.org will stop getting every email/);
    const oneClick = await t.app.inject({ method: 'POST', url: unsubscribePath, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    assert.equal(oneClick.statusCode, 200);
    assert.match(pageText(oneClick.body), /You are unsubscribed/);
    const left = await queryRows<{ email: string }>(t.database.db, sql`select email from item_followers where email = 'dana@example.org' union all select email from follow_addresses where email = 'dana@example.org'`);
    assert.deepEqual(left, [], 'every follow and the address are deleted');
    assert.equal((await t.app.inject({ url: preferencesPath })).statusCode, 404);
    assert.equal((await t.app.inject({ url: unsubscribePath })).statusCode, 404);

    // Eve uses the button on her preferences page instead.
    const eves = mailTo('eve@example.org')[3]!;
    const evePreferences = pathOf(linkIn(eves, /http:\/\/localhost:3000\/follow\/preferences\/\S+/)!);
    const eveUnsubscribe = pathOf(/^<(.+)>$/.exec(header(eves, 'list-unsubscribe') ?? '')![1]!);
    assert.match((await t.app.inject({ url: evePreferences })).body, new RegExp(`action="${eveUnsubscribe}"`));
    const button = await submitForm(t.app, { url: eveUnsubscribe, formUrl: evePreferences, fields: {} });
    assert.match(pageText(button.body), /You are unsubscribed/);

    // News that would have reached both: nothing is sent to either, by either route.
    const before = { dana: mailTo('dana@example.org').length, eve: mailTo('eve@example.org').length };
    const late = await reportAndPublish('TR-05A', 'Digital skills course extended.');
    const theme = await reportAndPublish('TR-01', 'Signposting reviewed.');
    await publishedAt(late, '2031-04-09T10:00:00Z');
    await publishedAt(theme, '2031-04-10T10:00:00Z');
    assert.deepEqual(await t.services.following.sendDigests(RUN.week3), { weekOf: '2031-04-07', sent: 0 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual({ dana: mailTo('dana@example.org').length, eve: mailTo('eve@example.org').length }, before);
  });

  it('stops one follow from the preferences page, keeping the others', async () => {
    await follow(`/follow/theme/${THEME}`, 'gil@example.org', 'weekly');
    const preferencesPath = pathOf(linkIn(mailTo('gil@example.org')[2]!, /http:\/\/localhost:3000\/follow\/preferences\/\S+/)!);
    const page = await t.app.inject({ url: preferencesPath });
    const stops = [...page.body.matchAll(/href="(\/follow\/stop\/[A-Za-z0-9_-]+)" data-qa="stop-one">Stop emails about ([^<]+)</g)].map((m) => ({ path: m[1]!, what: m[2]! }));
    assert.deepEqual(
      stops.map((s) => s.what),
      ['AR-06', 'the theme “Regulation and registration”'],
    );
    assert.match(pageText((await t.app.inject({ url: stops[0]!.path })).body), /Stop emails about AR-06\?/);
    const stopped = await submitForm(t.app, { url: stops[0]!.path, fields: {} });
    assert.match(pageText(stopped.body), /You will not get more emails about AR-06/);
    assert.match(stopped.body, new RegExp(`href="${preferencesPath}"`), 'a way back to the rest');
    const still = await t.app.inject({ url: preferencesPath });
    assert.match(pageText(still.body), /Theme: Regulation and registration/);
    assert.doesNotMatch(pageText(still.body), /AR-06: /);
  });

  it('sends a digest the mail server refused when the job is retried, and still only once', async () => {
    // Gil now follows the theme weekly: TR-01's update in week 3 is news for him.
    const refusing: Mailer = { send: () => Promise.reject(new Error('451 try again later')), close: async () => {} };
    const flaky = new FollowingService(t.database, { strategy: t.services.strategy, progress: t.services.progress, mailer: refusing });
    await assert.rejects(flaky.sendDigests(RUN.week3), /1 weekly digest email\(s\) could not be sent/);
    const claims = async () => Number((await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from follow_digests where week_of = '2031-04-07'`))[0]!.n);
    assert.equal(await claims(), 0, 'the claim is given back when the email was not sent');

    const before = mailTo('gil@example.org').length;
    assert.deepEqual(await t.services.following.sendDigests(RUN.week3), { weekOf: '2031-04-07', sent: 1 });
    const digest = await eventually(() => mailTo('gil@example.org')[before], 10_000, 'gil’s digest on the retry');
    assert.match(digest.text!, /TR-01: [\s\S]*Signposting reviewed\./);
    assert.equal(await claims(), 1);
    assert.deepEqual(await t.services.following.sendDigests(RUN.week3), { weekOf: '2031-04-07', sent: 0 });
  });
});
