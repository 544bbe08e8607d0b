// Invitations and password resets, through the real forms, the mail module and the database:
// single-use hashed links that expire, the same answer for known and unknown emails, and an
// invitation whose email fails kept and sent again.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../platform/db/client.ts';
import type { Mailer, MailMessage } from '../../platform/mail/mailer.ts';
import { addPeople, createTestApp, sessionFrom, signInAs, submitForm, TEST_PASSWORD, type TestApp } from '../../testing.ts';
import { RESETS_PER_HOUR } from './service.ts';

const NEW_PASSWORD = 'another long passphrase';

/** The link in the newest outbox email to `to`, and the email itself. */
async function lastEmailTo(t: TestApp, to: string): Promise<{ link: string; text: string; html: string; subject: string } | undefined> {
  await t.services.accounts.settled();
  const { entries } = await t.outbox.list({ limit: 1000 });
  const entry = entries.find((e) => e.to === to);
  if (!entry) return undefined;
  const message = (await t.outbox.read(entry.id))!;
  const link = /http:\/\/localhost:3000(\/\S+)/.exec(message.text)?.[1];
  assert.ok(link, `a link in the email to ${to}`);
  return { link, text: message.text, html: message.html, subject: message.subject };
}

async function emailsTo(t: TestApp, to: string): Promise<number> {
  await t.services.accounts.settled();
  return (await t.outbox.list({ limit: 1000 })).entries.filter((e) => e.to === to).length;
}

describe('invitations and password resets', () => {
  let t: TestApp;
  let admin: string;
  let team: string;
  let cqcSlug: string;

  before(async () => {
    t = await createTestApp('demo');
    await addPeople(t, [
      { email: 'admin@example.org', name: 'Ada Admin', role: 'administrator' },
      { email: 'team@example.org', name: 'Tom Team', role: 'strategy_team' },
    ]);
    admin = (await signInAs(t.app, 'admin@example.org')).cookie;
    team = (await signInAs(t.app, 'team@example.org')).cookie;
    cqcSlug = (await t.services.strategy.catalogue()).organisations.find((o) => o.shortName === 'CQC')!.slug;
  });
  after(async () => t.close());

  it('invites a reporter by email; the single-use link sets a password and signs them in to their organisation', async () => {
    const sent = await submitForm(t.app, {
      url: '/admin/users/invite',
      cookie: team,
      fields: { name: 'Rita Reporter', email: 'Rita@CQC.example', role: 'organisation_reporter', organisation: cqcSlug },
    });
    assert.equal(sent.statusCode, 303);
    assert.equal(sent.headers.location, '/admin/users');
    // The confirmation rides in a signed cookie to the next page, once.
    const flash = sent.cookies.find((c) => c.name === 'hub_flash')!;
    const confirmed = await t.app.inject({ url: '/admin/users', headers: { cookie: `${team}; hub_flash=${flash.value}` } });
    assert.match(confirmed.body, /data-qa="saved"[\s\S]*Invitation sent to rita@cqc\.example/);
    assert.equal(confirmed.cookies.find((c) => c.name === 'hub_flash')?.value, '', 'shown once, then cleared');
    const forged = await t.app.inject({ url: '/admin/users', headers: { cookie: `${team}; hub_flash=${encodeURIComponent('Call us on 0800')}` } });
    assert.doesNotMatch(forged.body, /Call us on 0800/, 'an unsigned confirmation is not shown');

    const email = (await lastEmailTo(t, 'rita@cqc.example'))!;
    assert.match(email.subject, /invited/);
    assert.match(email.text, /Tom Team has invited you/);
    assert.match(email.text, /Your organisation: Care Quality Commission/);
    assert.match(email.text, /expires at \d{1,2}:\d{2}(am|pm) on \d{1,2} \w+ \d{4}|expires at (midday|midnight) on/);
    assert.match(email.link, /^\/invite\/[A-Za-z0-9_-]{43}$/);
    const token = email.link.split('/').pop()!;
    const stored = await queryRows<{ token_hash: string; expires_in_hours: number }>(
      t.database.db,
      sql`select token_hash, extract(epoch from expires_at - now()) / 3600 as expires_in_hours from account_tokens where purpose = 'invite'`,
    );
    assert.equal(stored.length, 1);
    assert.notEqual(stored[0]!.token_hash, token, 'only the hash is stored');
    assert.ok(Math.abs(Number(stored[0]!.expires_in_hours) - 72) < 0.1, 'valid for 72 hours');

    // Not yet able to sign in: the account has no password.
    assert.equal((await signInAs(t.app, 'rita@cqc.example')).res.statusCode, 401);
    const list = await t.app.inject({ url: '/admin/users?q=rita', headers: { cookie: team } });
    assert.match(list.body, /govuk-tag--blue">\s*Invited\s*</);

    const form = await t.app.inject(email.link);
    assert.equal(form.statusCode, 200);
    assert.match(form.body, /rita@cqc\.example/);
    const mismatch = await submitForm(t.app, { url: email.link, fields: { name: 'Rita Reporter', password: TEST_PASSWORD, confirm: 'something else' } });
    assert.equal(mismatch.statusCode, 400);
    assert.match(mismatch.body, /Passwords do not match/);
    const accepted = await submitForm(t.app, { url: email.link, fields: { name: 'Rita R. Reporter', password: TEST_PASSWORD, confirm: TEST_PASSWORD } });
    assert.equal(accepted.statusCode, 303);
    assert.equal(accepted.headers.location, '/admin?welcome=1');
    const home = await t.app.inject({ url: '/admin', headers: { cookie: sessionFrom(accepted) } });
    assert.match(home.body, /Rita R\. Reporter/);
    assert.match(home.body, /Care Quality Commission’s items/);

    // Used once: the link now says it has expired, and cannot set a password again.
    assert.equal((await t.app.inject(email.link)).statusCode, 404);
    const again = await t.app.inject({ method: 'POST', url: email.link, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'hub_csrf=x' }, payload: 'name=Eve&password=x' });
    assert.notEqual(again.statusCode, 303);
    assert.equal((await signInAs(t.app, 'rita@cqc.example')).res.statusCode, 303);

    const audit = await queryRows<{ action: string }>(t.database.db, sql`select action from audit_events where object_type = 'user' and action like 'user.invite%' order by id`);
    assert.deepEqual(audit.map((a) => a.action), ['user.invited', 'user.invite_accepted']);
  });

  it('refuses an invitation link after 72 hours', async () => {
    await submitForm(t.app, { url: '/admin/users/invite', cookie: team, fields: { name: 'Late Larry', email: 'larry@example.org', role: 'viewer', organisation: '' } });
    const email = (await lastEmailTo(t, 'larry@example.org'))!;
    await t.database.db.execute(sql`update account_tokens set expires_at = now() - interval '1 second' where purpose = 'invite' and used_at is null`);
    const res = await t.app.inject(email.link);
    assert.equal(res.statusCode, 404);
    assert.match(res.body, /Invitation links work once, for 72 hours/);
  });

  it('sends a new invitation that replaces the old link', async () => {
    await submitForm(t.app, { url: '/admin/users/invite', cookie: team, fields: { name: 'Vic Viewer', email: 'vic@example.org', role: 'viewer', organisation: '' } });
    const first = (await lastEmailTo(t, 'vic@example.org'))!;
    const [vic] = await queryRows<{ id: number }>(t.database.db, sql`select id from users where email = 'vic@example.org'`);
    const resent = await submitForm(t.app, { url: `/admin/users/${vic!.id}/resend-invite`, formUrl: `/admin/users/${vic!.id}`, cookie: team, fields: {} });
    assert.equal(resent.statusCode, 303);
    assert.equal(await emailsTo(t, 'vic@example.org'), 2);
    const second = (await lastEmailTo(t, 'vic@example.org'))!;
    assert.notEqual(second.link, first.link);
    assert.equal((await t.app.inject(first.link)).statusCode, 404, 'the old link stops working');
    assert.equal((await t.app.inject(second.link)).statusCode, 200);
  });

  it('keeps invitations to the rules: valid input, no existing accounts, administrators only by administrators', async () => {
    const bad = await submitForm(t.app, { url: '/admin/users/invite', cookie: team, fields: { name: '<script>alert(1)</script>', email: 'not an email', role: 'nonsense', organisation: '' } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /govuk-error-summary/);
    assert.match(bad.body, /Enter an email address in the correct format/);
    assert.match(bad.body, /Name must not contain &lt; or &gt;/);
    assert.doesNotMatch(bad.body, /<script>alert/);
    const noOrg = await submitForm(t.app, { url: '/admin/users/invite', cookie: team, fields: { name: 'Nora', email: 'nora@example.org', role: 'organisation_reporter', organisation: '' } });
    assert.equal(noOrg.statusCode, 400);
    assert.match(noOrg.body, /Select the organisation this reporter reports for/);
    const existing = await submitForm(t.app, { url: '/admin/users/invite', cookie: team, fields: { name: 'Ada', email: 'admin@example.org', role: 'viewer', organisation: '' } });
    assert.equal(existing.statusCode, 400);
    assert.match(existing.body, /admin@example\.org already has an account/);
    const promote = await submitForm(t.app, { url: '/admin/users/invite', cookie: team, fields: { name: 'Max', email: 'max@example.org', role: 'administrator', organisation: '' } });
    assert.equal(promote.statusCode, 403);
    assert.match(promote.body, /Only an administrator can invite an administrator/);
    const [n] = await queryRows<{ n: number }>(t.database.db, sql`select count(*)::int as n from users where email in ('nora@example.org', 'max@example.org')`);
    assert.equal(Number(n!.n), 0, 'nothing stored for refused invitations');
    const byAdmin = await submitForm(t.app, { url: '/admin/users/invite', cookie: admin, fields: { name: 'Max', email: 'max@example.org', role: 'administrator', organisation: '' } });
    assert.equal(byAdmin.statusCode, 303);
  });

  it('keeps an invitation whose email fails, says so, and sends it again', async () => {
    let failing = true;
    const delivered: MailMessage[] = [];
    const flaky: Mailer = {
      async send(message) {
        if (failing) throw new Error('connection refused');
        delivered.push(message);
        return { id: String(delivered.length), transport: 'smtp', messageId: `<${delivered.length}@test>` };
      },
      async close() {},
    };
    const other = await createTestApp('demo', { mailer: flaky });
    try {
      await addPeople(other, [{ email: 'team@example.org', name: 'Tom Team', role: 'strategy_team' }]);
      const cookie = (await signInAs(other.app, 'team@example.org')).cookie;
      const res = await submitForm(other.app, { url: '/admin/users/invite', cookie, fields: { name: 'Sam', email: 'sam@example.org', role: 'viewer', organisation: '' } });
      assert.equal(res.statusCode, 303);
      assert.match(String(res.headers.location), /^\/admin\/users\/\d+\?mail-failed=1$/);
      const page = await other.app.inject({ url: String(res.headers.location), headers: { cookie } });
      assert.match(page.body, /the email could not be sent/);
      failing = false;
      const id = /\/admin\/users\/(\d+)/.exec(String(res.headers.location))![1]!;
      const resent = await submitForm(other.app, { url: `/admin/users/${id}/resend-invite`, formUrl: `/admin/users/${id}`, cookie, fields: {} });
      assert.equal(resent.statusCode, 303);
      assert.equal(delivered.length, 1);
      assert.equal(delivered[0]!.to, 'sam@example.org');
    } finally {
      await other.close();
    }
  });

  it('answers a reset request the same way for known and unknown emails, and emails only the known', async () => {
    const known = await submitForm(t.app, { url: '/password-reset', fields: { email: 'admin@example.org' } });
    const unknown = await submitForm(t.app, { url: '/password-reset', fields: { email: 'nobody@example.org' } });
    assert.equal(known.statusCode, 200);
    assert.equal(unknown.statusCode, 200);
    const words = (body: string) => /data-qa="reset-sent">([\s\S]*?)<\/p>/.exec(body)![1]!.replace(/<strong>[^<]*<\/strong>/, 'EMAIL');
    assert.equal(words(known.body), words(unknown.body));
    assert.equal(await emailsTo(t, 'admin@example.org'), 1);
    assert.equal(await emailsTo(t, 'nobody@example.org'), 0);
    const bad = await submitForm(t.app, { url: '/password-reset', fields: { email: 'not-an-email' } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /Enter an email address in the correct format/);
  });

  it('resets a password once, signs the person out everywhere else, and clears a lockout', async () => {
    const elsewhere = (await signInAs(t.app, 'admin@example.org')).cookie;
    for (let i = 0; i < 5; i++) await signInAs(t.app, 'admin@example.org', 'wrong');
    assert.equal((await signInAs(t.app, 'admin@example.org')).res.statusCode, 429, 'locked out');

    await submitForm(t.app, { url: '/password-reset', fields: { email: 'admin@example.org' } });
    const email = (await lastEmailTo(t, 'admin@example.org'))!;
    assert.match(email.link, /^\/password-reset\/[A-Za-z0-9_-]{43}$/);
    const short = await submitForm(t.app, { url: email.link, fields: { password: 'short', confirm: 'short' } });
    assert.equal(short.statusCode, 400);
    assert.match(short.body, /Password must be 12 characters or more/);
    const done = await submitForm(t.app, { url: email.link, fields: { password: NEW_PASSWORD, confirm: NEW_PASSWORD } });
    assert.equal(done.statusCode, 303);
    assert.equal(done.headers.location, '/admin?password-changed=1');
    assert.equal((await t.app.inject({ url: '/admin', headers: { cookie: sessionFrom(done) } })).statusCode, 200);
    assert.equal((await t.app.inject({ url: '/admin', headers: { cookie: elsewhere } })).statusCode, 303, 'other sessions end');
    assert.equal((await t.app.inject({ url: '/admin', headers: { cookie: admin } })).statusCode, 303);
    assert.equal((await t.app.inject(email.link)).statusCode, 404, 'the link works once');
    assert.equal((await signInAs(t.app, 'admin@example.org')).res.statusCode, 401, 'the old password no longer works');
    admin = (await signInAs(t.app, 'admin@example.org', NEW_PASSWORD)).cookie;
    assert.ok(admin);
    const audit = await queryRows<{ action: string }>(t.database.db, sql`select action from audit_events where action like 'password_reset%' or action = 'user.password_reset' order by id`);
    assert.ok(audit.some((a) => a.action === 'user.password_reset'));
  });

  it('sends at most a few reset emails an hour to one account', async () => {
    const before = await emailsTo(t, 'team@example.org');
    for (let i = 0; i < RESETS_PER_HOUR + 2; i++) {
      const res = await submitForm(t.app, { url: '/password-reset', fields: { email: 'team@example.org' } });
      assert.equal(res.statusCode, 200, 'every request gets the same answer');
    }
    assert.equal((await emailsTo(t, 'team@example.org')) - before, RESETS_PER_HOUR);
  });

  it('refuses a reset link after an hour', async () => {
    await t.database.db.execute(sql`delete from account_tokens where purpose = 'reset'`);
    await submitForm(t.app, { url: '/password-reset', fields: { email: 'max@example.org' } });
    await t.services.accounts.settled();
    const [row] = await queryRows<{ minutes: number }>(t.database.db, sql`select extract(epoch from expires_at - now()) / 60 as minutes from account_tokens where purpose = 'reset'`);
    assert.ok(Math.abs(Number(row!.minutes) - 60) < 1);
  });

  it('limits how often one address can ask for resets', async () => {
    const limited = await createTestApp('empty', { signInRateLimit: 2 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await submitForm(limited.app, { url: '/password-reset', fields: { email: 'x@example.org' } })).statusCode);
      assert.deepEqual(statuses, [200, 200, 429]);
    } finally {
      await limited.close();
    }
  });
});
