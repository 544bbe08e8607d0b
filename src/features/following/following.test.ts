// Following an item by email, end to end through the pages, the job queue and a real SMTP
// server on 127.0.0.1: double opt-in, one email per published update, one-click stop.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import type { ParsedMail } from 'mailparser';
import { queryRows } from '../../platform/db/client.ts';
import { addPeople, createMailedTestApp, eventually, pageText, publishUpdate, signInAs, submitForm, submitUpdate, type MailedTestApp, type SmtpServer } from '../../testing.ts';
import { FOLLOW_JOBS } from './service.ts';

const to = (mail: ParsedMail) => (Array.isArray(mail.to) ? mail.to : [mail.to]).flatMap((a) => a!.value.map((v) => v.address)).join(',');
const linkIn = (mail: ParsedMail, pattern: RegExp) => pattern.exec(mail.text ?? '')?.[0];

describe('following an item by email', () => {
  let t: MailedTestApp;
  let smtp: SmtpServer;
  let reporter: string;
  let team: string;
  let clock = new Date();

  const mailTo = (address: string) => smtp.received.filter((m) => to(m) === address);
  const followers = async () => queryRows<{ email: string; confirmed: boolean }>(t.database.db, sql`select email, confirmed_at is not null as confirmed from item_followers order by id`);

  /** A CQC reporter submits an update on AR-06 and the strategy team publishes it. */
  async function reportAndPublish(summary: string): Promise<number> {
    const id = await submitUpdate(t, reporter, 'care-quality-commission', 'AR-06', { confidence: 'some_risk', summary });
    await publishUpdate(t, team, id);
    return id;
  }

  before(async () => {
    t = await createMailedTestApp('demo', { now: () => clock });
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

  it('links to the form from the item page, and checks the address', async () => {
    const item = await t.app.inject({ url: '/recommendations/AR-06' });
    assert.match(item.body, /href="\/recommendations\/AR-06\/follow"/);
    assert.equal((await t.app.inject({ url: '/recommendations/NOPE-1/follow' })).statusCode, 404);
    const bad = await submitForm(t.app, { url: '/recommendations/AR-06/follow', fields: { email: 'not an address' } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /There is a problem/);
    assert.match(bad.body, /Enter an email address in the correct format/);
    assert.match(bad.body, /value="not an address"/);
    assert.equal((await followers()).length, 0);
  });

  it('sends only a confirmation link until it is used; the link needs a button press', async () => {
    const res = await submitForm(t.app, { url: '/recommendations/AR-06/follow', fields: { email: ' Fola@Example.ORG ' } });
    assert.equal(res.statusCode, 200);
    assert.match(pageText(res.body), /Check your email/);
    await t.services.following.settled();
    await eventually(() => mailTo('fola@example.org').length === 1, 10_000, 'the confirmation email');
    const confirmation = mailTo('fola@example.org')[0]!;
    assert.equal(confirmation.subject, 'Confirm you want emails about AR-06');
    assert.ok(confirmation.html, 'an HTML part too');
    assert.deepEqual(await followers(), [{ email: 'fola@example.org', confirmed: false }]);

    // Not confirmed yet: a published update emails nobody.
    const first = await reportAndPublish('Guidance drafted.');
    await eventually(async () => (await t.app.jobs.counts(FOLLOW_JOBS.notify)).completed === 1, 15_000, 'the notify job');
    assert.equal(mailTo('fola@example.org').length, 1);
    assert.ok(first > 0);

    const link = new URL(linkIn(confirmation, /http:\/\/localhost:3000\/follow\/confirm\/\S+/)!);
    const landing = await t.app.inject({ url: link.pathname });
    assert.equal(landing.statusCode, 200);
    assert.match(pageText(landing.body), /Confirm that fola@example.org should get emails/);
    assert.match(landing.body, /value="each" checked/, 'an email for each update is chosen unless the person changes it');
    assert.deepEqual(await followers(), [{ email: 'fola@example.org', confirmed: false }], 'opening the link (a mail scanner) confirms nothing');
    const unchosen = await submitForm(t.app, { url: link.pathname, fields: {} });
    assert.equal(unchosen.statusCode, 400);
    assert.match(pageText(unchosen.body), /Choose how often you want emails/);
    const confirmed = await submitForm(t.app, { url: link.pathname, fields: { frequency: 'each' } });
    assert.equal(confirmed.statusCode, 200);
    assert.match(pageText(confirmed.body), /You are following AR-06/);
    assert.deepEqual(await followers(), [{ email: 'fola@example.org', confirmed: true }]);
    assert.equal((await submitForm(t.app, { url: link.pathname, formUrl: '/recommendations/AR-06/follow', fields: {} })).statusCode, 404, 'the link works once');
  });

  it('says the same whether or not the address already follows', async () => {
    const known = await submitForm(t.app, { url: '/recommendations/AR-06/follow', fields: { email: 'fola@example.org' } });
    const unknown = await submitForm(t.app, { url: '/recommendations/AR-06/follow', fields: { email: 'new@example.org' } });
    const words = (body: string) => pageText(body).replace(/\S+@example\.org/g, 'ADDRESS').replace(/name="_csrf" value="[^"]+"/, '');
    assert.equal(words(known.body), words(unknown.body));
    await t.services.following.settled();
    await eventually(() => mailTo('fola@example.org').length === 2 && mailTo('new@example.org').length === 1, 10_000, 'both emails');
    assert.equal(mailTo('fola@example.org')[1]!.subject, 'You already get emails about AR-06');
    const audit = await queryRows<{ text: string }>(t.database.db, sql`select coalesce(before::text, '') || coalesce(after::text, '') || actor_label as text from audit_events where object_type = 'item_follower'`);
    assert.ok(audit.length >= 2);
    assert.ok(audit.every((a) => !a.text.includes('fola@') && !a.text.includes('new@')), 'the audit trail keeps domains, not addresses');
  });

  it('emails confirmed followers once per published update, with one-click unsubscribe headers', async () => {
    const updateId = await reportAndPublish('Consultation opened with providers.');
    await eventually(() => mailTo('fola@example.org').length === 3, 15_000, 'the update email');
    const email = mailTo('fola@example.org')[2]!;
    assert.equal(email.subject, 'AR-06: new progress update – In progress');
    assert.match(email.text!, /Consultation opened with providers\./);
    assert.match(email.text!, /Reported by: Care Quality Commission/);
    assert.match(email.text!, /Confidence: Some risk/);
    assert.match(String(email.html), /Unsubscribe from all of them/);
    assert.match(email.text!, /You are getting this email because you follow AR-06\./);
    assert.match(email.text!, /http:\/\/localhost:3000\/follow\/preferences\/[A-Za-z0-9_-]+/);
    const header = (name: string) => email.headerLines.find((h) => h.key === name)?.line.replace(/^[^:]+:\s*/, '');
    const unsubscribeUrl = /^<(.+)>$/.exec(header('list-unsubscribe') ?? '')?.[1] ?? '';
    assert.match(unsubscribeUrl, /^http:\/\/localhost:3000\/follow\/unsubscribe\/[A-Za-z0-9_-]+$/);
    assert.ok(email.text!.includes(unsubscribeUrl), 'the same link is visible in the email');
    assert.equal(header('list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
    assert.equal(mailTo('new@example.org').length, 1, 'the unconfirmed address still gets nothing');

    // Once only: running the job again (a retry) sends nothing more.
    assert.equal(await t.services.following.sendUpdate(updateId), 0);
    const [n] = await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from follower_notifications where update_id = ${updateId}`);
    assert.equal(Number(n!.n), 1);

    // RFC 8058: the mail client posts with no form, no cookie and no CSRF token.
    const stopPath = new URL(unsubscribeUrl).pathname;
    assert.match(pageText((await t.app.inject({ url: stopPath })).body), /Unsubscribe from all these emails\?/);
    const oneClick = await t.app.inject({ method: 'POST', url: stopPath, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    assert.equal(oneClick.statusCode, 200);
    assert.match(pageText(oneClick.body), /You are unsubscribed/);
    assert.deepEqual((await followers()).map((f) => f.email), ['new@example.org'], 'the address is deleted');
    assert.equal((await t.app.inject({ url: stopPath })).statusCode, 404);

    await reportAndPublish('Consultation closed.');
    await eventually(async () => (await t.app.jobs.counts(FOLLOW_JOBS.notify)).completed === 3, 15_000, 'the third notify job');
    assert.equal(mailTo('fola@example.org').length, 3, 'nothing after stopping');
  });

  it('refuses forged links and forgets unconfirmed addresses once their link expires', async () => {
    assert.equal((await t.app.inject({ url: '/follow/confirm/not-a-real-token-at-all-000' })).statusCode, 404);
    assert.equal((await t.app.inject({ url: '/follow/confirm/<script>' })).statusCode, 404);
    const forged = await t.app.inject({ method: 'POST', url: '/follow/confirm/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '' });
    assert.equal(forged.statusCode, 403, 'confirming still needs the form’s CSRF token');
    clock = new Date(Date.now() + 73 * 3_600_000);
    try {
      assert.equal(await t.services.following.forgetUnconfirmed(), 1);
      assert.deepEqual(await followers(), []);
    } finally {
      clock = new Date();
    }
  });
});
