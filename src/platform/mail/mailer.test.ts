// Mail reaches people: through a real SMTP server when one is configured, into the outbox the
// admin reads when not, never with a second recipient smuggled in, and readable in any client.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createMailer, InvalidMailError, Outbox, type MailMessage } from './mailer.ts';
import { renderEmail } from './templates.ts';
import { startSmtpServer } from '../../testing.ts';

const FROM = 'Workforce Strategy Hub <no-reply@hub.example>';

function message(overrides: Partial<MailMessage> = {}): MailMessage {
  return { to: 'jo@example.org', subject: 'Hello', text: 'Plain words\n', html: '<p>Plain words</p>', ...overrides };
}

describe('the outbox, when no SMTP server is configured', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'hub-mail-'));
  });
  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('writes each message to DATA_DIR/outbox and lists them newest first, a page at a time', async () => {
    const mailer = createMailer({ dataDir, from: FROM });
    const first = await mailer.send(message({ to: 'first@example.org', subject: 'First' }));
    const second = await mailer.send(
      message({ to: 'second@example.org', subject: 'Second', text: 'Second text\n', html: '<p>Second html</p>', headers: { 'X-Hub-Ref': 'abc' } }),
    );
    await mailer.close();
    assert.equal(first.transport, 'outbox');
    assert.notEqual(first.id, second.id);
    assert.match(second.messageId, /^<.+@hub\.example>$/);

    const files = (await readdir(path.join(dataDir, 'outbox'))).sort();
    assert.deepEqual(files, [`${first.id}.json`, `${second.id}.json`], 'one file per message, no temporary files left');

    const outbox = new Outbox(dataDir);
    const all = await outbox.list();
    assert.equal(all.total, 2);
    assert.deepEqual(all.entries.map((e) => [e.id, e.to, e.subject]), [
      [second.id, 'second@example.org', 'Second'],
      [first.id, 'first@example.org', 'First'],
    ]);
    assert.ok(all.entries.every((e) => !Number.isNaN(Date.parse(e.createdAt))));

    const page2 = await outbox.list({ limit: 1, offset: 1 });
    assert.equal(page2.total, 2);
    assert.deepEqual(page2.entries.map((e) => e.subject), ['First']);
    assert.deepEqual((await outbox.list({ offset: 5 })).entries, []);

    const read = await outbox.read(second.id);
    assert.ok(read);
    assert.equal(read.to, 'second@example.org');
    assert.equal(read.from, FROM);
    assert.equal(read.subject, 'Second');
    assert.equal(read.text, 'Second text\n');
    assert.equal(read.html, '<p>Second html</p>');
    assert.deepEqual(read.headers, { 'X-Hub-Ref': 'abc' });
  });

  it('finds nothing for ids that are unknown or could reach outside the folder', async () => {
    const outbox = new Outbox(dataDir);
    await writeFile(path.join(dataDir, 'secret.json'), '{"to":"x"}');
    for (const id of ['../../etc/passwd', '../secret', '..', '', 'a/b', '2025-01-01T00-00-00-000Z-00000000/../../secret', '2099-01-01T00-00-00-000Z-00000000']) {
      assert.equal(await outbox.read(id), undefined, `read(${JSON.stringify(id)})`);
    }
  });

  it('lists an empty outbox before anything has been sent', async () => {
    const empty = new Outbox(path.join(dataDir, 'never-used'));
    assert.deepEqual(await empty.list(), { total: 0, entries: [] });
  });
});

describe('sending over SMTP', () => {
  it('delivers one message with its plain-text and HTML parts and custom headers', async () => {
    const smtp = await startSmtpServer();
    const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${smtp.port}`, dataDir: '/nonexistent', from: FROM });
    try {
      const sent = await mailer.send(
        message({
          subject: 'Your invitation: café & co',
          text: 'Set your password: https://hub.example/invite/abc\n',
          html: '<p>Set your password: <a href="https://hub.example/invite/abc">https://hub.example/invite/abc</a></p>',
          headers: { 'X-Hub-Ref': 'invite-42' },
        }),
      );
      assert.equal(sent.transport, 'smtp');
      assert.equal(smtp.received.length, 1);
      const mail = smtp.received[0]!;
      assert.equal(mail.from?.value[0]?.address, 'no-reply@hub.example');
      assert.equal(mail.from?.value[0]?.name, 'Workforce Strategy Hub');
      const to = Array.isArray(mail.to) ? mail.to : [mail.to];
      assert.deepEqual(to.flatMap((t) => t?.value.map((v) => v.address) ?? []), ['jo@example.org']);
      assert.equal(mail.subject, 'Your invitation: café & co');
      assert.equal(mail.text?.trim(), 'Set your password: https://hub.example/invite/abc');
      assert.ok(typeof mail.html === 'string' && mail.html.includes('<a href="https://hub.example/invite/abc">'));
      assert.equal(mail.headers.get('x-hub-ref'), 'invite-42');
      assert.equal(mail.messageId, sent.messageId);
    } finally {
      await mailer.close();
      await smtp.close();
    }
  });

  it('connects over TLS when the URL is smtps://', async () => {
    // smtp-server's built-in certificate is self-signed, hence the query option.
    const smtp = await startSmtpServer({ secure: true });
    const mailer = createMailer({ smtpUrl: `smtps://127.0.0.1:${smtp.port}?tls.rejectUnauthorized=false`, dataDir: '/nonexistent', from: FROM });
    try {
      await mailer.send(message({ subject: 'Over TLS' }));
      assert.deepEqual(smtp.received.map((m) => m.subject), ['Over TLS']);
    } finally {
      await mailer.close();
      await smtp.close();
    }
  });
});

describe('refusing messages that could reach someone else', () => {
  const mailer = createMailer({ dataDir: path.join(tmpdir(), 'hub-mail-never-written'), from: FROM });

  it('refuses anything but one plain address in "to"', async () => {
    for (const to of ['not-an-address', 'a@example.org, b@example.org', 'a@example.org\r\nBcc: b@example.org', 'Jo <jo@example.org>', '']) {
      await assert.rejects(mailer.send(message({ to })), InvalidMailError, `to: ${JSON.stringify(to)}`);
    }
  });

  it('refuses line breaks in the subject or a header, and headers the mailer owns', async () => {
    await assert.rejects(mailer.send(message({ subject: 'Hi\r\nBcc: x@example.org' })), /subject must not contain line breaks/);
    await assert.rejects(mailer.send(message({ subject: 'Hi\nthere' })), InvalidMailError);
    await assert.rejects(mailer.send(message({ headers: { 'X-Ref': 'a\nBcc: x@example.org' } })), /X-Ref header must not contain line breaks/);
    await assert.rejects(mailer.send(message({ headers: { 'X-Ref: a\r\nBcc': 'x@example.org' } })), /not a valid header name/);
    await assert.rejects(mailer.send(message({ headers: { Bcc: 'x@example.org' } })), /set by the mailer/);
    assert.throws(() => createMailer({ dataDir: tmpdir(), from: 'a@example.org\r\nBcc: x@example.org' }), InvalidMailError);
  });
});

describe('email templates', () => {
  const link = 'https://hub.example/invite/abc?token=x&next=%2Fadmin';

  it('renders the invite with the link in full in both parts', () => {
    const email = renderEmail('invite', {
      name: 'Jo <script>alert(1)</script>',
      inviterName: 'Sam Patel',
      roleLabel: 'Editor',
      organisationName: 'Leeds & York Trust',
      link,
      expiresAt: '3:15pm on 18 July 2024',
    });
    assert.equal(email.subject, 'You have been invited to the Workforce Strategy Hub');
    assert.ok(email.text.includes(`\n${link}\n`), 'the text part has the link on its own line');
    assert.match(email.text, /Sam Patel has invited you/);
    assert.match(email.text, /Your role: Editor/);
    assert.match(email.text, /Your organisation: Leeds & York Trust/, 'plain text is not HTML-escaped');
    assert.match(email.text, /expires at 3:15pm on 18 July 2024/);
    assert.match(email.text, /If you did not expect this invitation, you can ignore this email/);
    assert.ok(email.html.includes('href="https://hub.example/invite/abc?token=x&amp;next=%2Fadmin"'));
    assert.ok(email.html.includes('Jo &lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(!email.html.includes('<script>'));
    assert.match(email.html, /<html lang="en">/);
    assert.match(email.html, /Workforce Strategy Hub<\/p>/);
    assert.match(email.html, /<title>You have been invited to the Workforce Strategy Hub<\/title>/);
  });

  it('renders the password reset, greeting people without a name', () => {
    const email = renderEmail('password-reset', { name: null, link: 'https://hub.example/reset/xyz', expiresAt: '4pm on 2 May 2025' });
    assert.equal(email.subject, 'Reset your Workforce Strategy Hub password');
    assert.match(email.text, /^Hello,\n/);
    assert.ok(email.text.includes('\nhttps://hub.example/reset/xyz\n'));
    assert.match(email.text, /expires at 4pm on 2 May 2025/);
    assert.match(email.text, /If you did not ask to reset your password, you can ignore this email\. Your password has not changed\./);
    assert.ok(email.html.includes('<a href="https://hub.example/reset/xyz"'));
    assert.match(email.html, /Your password has not changed\./);
  });

  it('keeps the HTML part readable with images and stylesheets blocked', () => {
    const emails = [
      renderEmail('invite', { name: null, inviterName: 'A', roleLabel: 'Viewer', organisationName: null, link, expiresAt: 'soon' }),
      renderEmail('password-reset', { name: 'Jo', link, expiresAt: 'soon' }),
    ];
    for (const { html } of emails) {
      assert.doesNotMatch(html, /<img/i);
      assert.doesNotMatch(html, /<style/i);
      assert.doesNotMatch(html, /<link/i);
      assert.doesNotMatch(html, /@import|url\(/i);
    }
  });

  it('refuses template names that are not a folder of views/email', () => {
    assert.throws(() => renderEmail('../layout', {}), /Not an email template name/);
  });
});
