// Sends the hub's email: over SMTP when `SMTP_URL` is set, otherwise into an outbox folder
// (`DATA_DIR/outbox/`) that the admin lists, so invites and resets work with no mail server.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { z } from 'zod';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
}

export interface SentMail {
  id: string;
  transport: 'smtp' | 'outbox';
  messageId: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<SentMail>;
  close(): Promise<void>;
}

export interface OutboxMessage {
  id: string;
  messageId: string;
  to: string;
  from: string;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
  createdAt: string;
}

export type OutboxSummary = Pick<OutboxMessage, 'id' | 'to' | 'subject' | 'createdAt'>;

/** A message the hub must not send: the caller built it wrongly, so retrying will not help. */
export class InvalidMailError extends Error {}

// Headers that decide who gets the message or how it is built are ours to set, never a caller's.
const RESERVED_HEADERS = new Set([
  'from', 'to', 'cc', 'bcc', 'sender', 'reply-to', 'subject', 'date', 'message-id',
  'mime-version', 'content-type', 'content-transfer-encoding',
]);
const HEADER_NAME = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
const LINE_BREAK = /[\r\n]/;
const recipient = z.email();

function checkMessage(message: MailMessage): Required<MailMessage> {
  if (!recipient.safeParse(message.to).success) {
    throw new InvalidMailError(`Cannot send mail: "to" must be one email address, got ${JSON.stringify(message.to)}`);
  }
  if (LINE_BREAK.test(message.subject)) {
    throw new InvalidMailError('Cannot send mail: the subject must not contain line breaks');
  }
  const headers = message.headers ?? {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name)) throw new InvalidMailError(`Cannot send mail: ${JSON.stringify(name)} is not a valid header name`);
    if (RESERVED_HEADERS.has(name.toLowerCase())) throw new InvalidMailError(`Cannot send mail: the ${name} header is set by the mailer`);
    if (LINE_BREAK.test(value)) throw new InvalidMailError(`Cannot send mail: the ${name} header must not contain line breaks`);
  }
  return { ...message, headers: { ...headers } };
}

// Ids sort by time as plain strings and are safe as file names: 2025-03-01T09-30-00-000Z-1a2b3c4d.
// The clock never repeats a millisecond within a process, so messages sent together keep their order.
const ID_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z-[0-9a-f]{8}$/;
let lastMillis = 0;

function newId(): { id: string; createdAt: string } {
  lastMillis = Math.max(Date.now(), lastMillis + 1);
  const createdAt = new Date(lastMillis).toISOString();
  return { id: `${createdAt.replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}`, createdAt };
}

function messageIdFor(id: string, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)?.[1] ?? 'localhost';
  return `<${id}@${domain}>`;
}

const outboxMessageSchema = z.object({
  id: z.string().regex(ID_PATTERN),
  messageId: z.string(),
  to: z.string(),
  from: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string(),
  headers: z.record(z.string(), z.string()),
  createdAt: z.string(),
});

/** The outbox folder: one JSON file per message, named by its id. */
export class Outbox {
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, 'outbox');
  }

  /** Writes to a temporary name first, so a reader never sees half a message. */
  async write(message: OutboxMessage): Promise<void> {
    const file = path.join(this.dir, `${message.id}.json`);
    const temp = path.join(this.dir, `.${message.id}.tmp`);
    const text = `${JSON.stringify(message, null, 2)}\n`;
    try {
      // The folder is made when the first message finds it missing, not before every one.
      await writeFile(temp, text, { flag: 'wx' }).catch(async (error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        await mkdir(this.dir, { recursive: true });
        await writeFile(temp, text, { flag: 'wx' });
      });
      await rename(temp, file);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  /** Newest first. */
  async list(options: { limit?: number; offset?: number } = {}): Promise<{ total: number; entries: OutboxSummary[] }> {
    const limit = Math.max(0, options.limit ?? 50);
    const offset = Math.max(0, options.offset ?? 0);
    const ids = (await this.ids()).sort().reverse();
    const page = await Promise.all(ids.slice(offset, offset + limit).map((id) => this.read(id)));
    const entries = page
      .filter((m): m is OutboxMessage => m !== undefined)
      .map(({ id, to, subject, createdAt }) => ({ id, to, subject, createdAt }));
    return { total: ids.length, entries };
  }

  /** The message with this id, or undefined if there is none (or the id is not one of ours). */
  async read(id: string): Promise<OutboxMessage | undefined> {
    if (!ID_PATTERN.test(id)) return undefined;
    let content: string;
    try {
      content = await readFile(path.join(this.dir, `${id}.json`), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return outboxMessageSchema.parse(JSON.parse(content));
  }

  private async ids(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length)).filter((id) => ID_PATTERN.test(id));
  }
}

function smtpMailer(smtpUrl: string, from: string, poolSize: number): Mailer {
  // The URL's scheme decides TLS: smtps:// connects over TLS, smtp:// upgrades with STARTTLS
  // when the server offers it. Query options such as ?tls.rejectUnauthorized=false pass through.
  // Up to `poolSize` connections, each reused for 100 messages; messages beyond them wait their turn.
  const transport = nodemailer.createTransport({ url: smtpUrl, pool: true, maxConnections: poolSize, maxMessages: 100 });
  return {
    async send(message) {
      const m = checkMessage(message);
      const { id } = newId();
      const info = await transport.sendMail({
        from,
        to: m.to,
        subject: m.subject,
        text: m.text,
        html: m.html,
        headers: m.headers,
        messageId: messageIdFor(id, from),
        // Our text is mostly Latin: quoted-printable, decided here rather than by nodemailer
        // counting every character of every part of every message (a tenth of a bulletin's CPU).
        textEncoding: 'quoted-printable',
      });
      return { id, transport: 'smtp', messageId: info.messageId };
    },
    async close() {
      transport.close();
    },
  };
}

function outboxMailer(dataDir: string, from: string): Mailer {
  const outbox = new Outbox(dataDir);
  return {
    async send(message) {
      const m = checkMessage(message);
      const { id, createdAt } = newId();
      const messageId = messageIdFor(id, from);
      await outbox.write({ id, messageId, to: m.to, from, subject: m.subject, text: m.text, html: m.html, headers: m.headers, createdAt });
      return { id, transport: 'outbox', messageId };
    },
    async close() {},
  };
}

export function createMailer(options: { smtpUrl?: string | undefined; dataDir: string; from: string; poolSize?: number }): Mailer {
  if (LINE_BREAK.test(options.from)) throw new InvalidMailError('The mail sender must not contain line breaks');
  return options.smtpUrl ? smtpMailer(options.smtpUrl, options.from, options.poolSize ?? 5) : outboxMailer(options.dataDir, options.from);
}
