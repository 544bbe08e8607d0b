// Test support: the real app on a fresh test database, with or without the demo strategy.
// Route tests use `app.inject`, which runs the whole stack (hooks, views, errors) in process.
import net, { type AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import type { StaleReads } from './platform/cache.ts';
import { crc32 } from 'node:zlib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp, type AppServices } from './app.ts';
import { demoVersion, seedDemoData } from './demo.ts';
import { loadConfig } from './config.ts';
import { systemActor } from './platform/audit/audit.ts';
import { createTestDatabase, type TestDatabase } from './platform/db/test-database.ts';
import { StrategyService } from './features/strategy/service.ts';
import { createMailer, Outbox, type Mailer } from './platform/mail/mailer.ts';
import { hashPassword } from './platform/auth/secrets.ts';
import type { Role } from './platform/auth/roles.ts';
import { users } from './features/accounts/schema.ts';
import { progressUpdates } from './features/progress/schema.ts';
import { items, organisations } from './features/strategy/schema.ts';
import { and, desc, eq } from 'drizzle-orm';

export async function testDatabase(contents: 'demo' | 'empty' = 'demo'): Promise<TestDatabase> {
  if (contents === 'empty') return createTestDatabase();
  return createTestDatabase({
    template: 'demo',
    prepareVersion: demoVersion(),
    prepare: async (database) => void (await seedDemoData(database, systemActor)),
  });
}

export interface TestApp {
  app: FastifyInstance;
  database: TestDatabase;
  services: AppServices;
  /** Where email goes unless the test gave its own mailer. */
  outbox: Outbox;
  close(): Promise<void>;
}

export async function createTestApp(
  contents: 'demo' | 'empty' = 'demo',
  options: { signInRateLimit?: number; mailer?: Mailer; now?: () => Date; jobPollingSeconds?: number; database?: TestDatabase; workforcePageRuns?: number; publicStale?: StaleReads | null } = {},
): Promise<TestApp> {
  const database = options.database ?? (await testDatabase(contents));
  // Each app writes its outbox to a folder of its own, removed when it closes.
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-test-'));
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, BASE_URL: 'http://localhost:3000' });
  const app = await buildApp({
    config,
    database,
    logger: false,
    signInRateLimit: options.signInRateLimit ?? 10_000,
    ...(options.mailer ? { mailer: options.mailer } : {}),
    ...(options.now ? { now: options.now } : {}),
    jobPollingSeconds: options.jobPollingSeconds ?? 0.5,
    // The in-process Monte Carlo takes seconds for the page's 1000 runs; route tests need far fewer.
    workforcePageRuns: options.workforcePageRuns ?? 20,
    // Every read after a write shows it; cache.test.ts and the routes' own test cover stale reads.
    publicStale: options.publicStale ?? null,
    services: { strategy: new StrategyService(database, { revisionMaxAgeMs: 0 }) },
  });
  return {
    app,
    database,
    services: app.services,
    outbox: new Outbox(dataDir),
    close: async () => {
      await app.close();
      if (!options.database) await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** What a browser holds after loading a form: its CSRF token, and the cookie header to send with it. */
async function formToken(app: FastifyInstance, formUrl: string, cookie: string | undefined): Promise<{ token: string; cookie: string }> {
  const page = await app.inject({ url: formUrl, headers: cookie ? { cookie } : {} });
  const csrfCookie = page.cookies.find((c) => c.name === 'hub_csrf')?.value ?? /hub_csrf=([^;]+)/.exec(cookie ?? '')?.[1];
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  if (!token) throw new Error(`No form with a CSRF token at ${formUrl} (status ${page.statusCode})`);
  return { token, cookie: [cookie?.replace(/hub_csrf=[^;]*;? ?/, ''), csrfCookie ? `hub_csrf=${csrfCookie}` : ''].filter(Boolean).join('; ') };
}

/** A browser's view of a form: the page's CSRF token and cookie, then a urlencoded POST. */
export async function submitForm(
  app: FastifyInstance,
  options: { url: string; formUrl?: string; cookie?: string; fields: Record<string, string | string[]> },
): Promise<LightMyRequestResponse> {
  const { token, cookie } = await formToken(app, options.formUrl ?? options.url, options.cookie);
  const body = new URLSearchParams({ _csrf: token });
  for (const [name, value] of Object.entries(options.fields)) for (const v of ([] as string[]).concat(value)) body.append(name, v);
  return app.inject({
    method: 'POST',
    url: options.url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    payload: body.toString(),
  });
}

export interface FileToSend {
  name: string;
  bytes: Buffer | string;
  /** What the browser claims; the hub ignores it. */
  type?: string;
  field?: string;
}

/**
 * The same as a browser posting a form with files (multipart/form-data, the CSRF token first).
 * `csrf` sends no token, a wrong one, or the token after the files, to check they are refused.
 */
export async function submitMultipart(
  app: FastifyInstance,
  options: { url: string; formUrl?: string; cookie?: string; fields: Record<string, string | string[]>; files?: FileToSend[]; csrf?: 'missing' | 'wrong' | 'after-files' },
): Promise<LightMyRequestResponse> {
  const { token, cookie } = await formToken(app, options.formUrl ?? options.url, options.cookie);
  const form = new FormData();
  if (options.csrf === undefined || options.csrf === 'wrong') form.append('_csrf', options.csrf === 'wrong' ? `${token.slice(0, -4)}AAAA` : token);
  for (const [name, value] of Object.entries(options.fields)) for (const v of ([] as string[]).concat(value)) form.append(name, v);
  for (const f of options.files ?? []) form.append(f.field ?? 'files', new Blob([f.bytes], { type: f.type ?? 'application/octet-stream' }), f.name);
  if (options.csrf === 'after-files') form.append('_csrf', token);
  // The platform's own encoder makes the bytes a browser would send.
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  return app.inject({
    method: 'POST',
    url: options.url,
    headers: { 'content-type': request.headers.get('content-type')!, ...(cookie ? { cookie } : {}) },
    payload: Buffer.from(await request.arrayBuffer()),
  });
}

/** A ZIP file with these entries, stored uncompressed: enough to stand in for .docx and .xlsx files. */
export function zipOf(entries: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const nameBytes = Buffer.from(name, 'utf8');
    const data = Buffer.from(text, 'utf8');
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(entries).length, 8);
  end.writeUInt16LE(Object.keys(entries).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** A small, real-enough file of each kind the hub takes as evidence. */
export const SAMPLE_FILES = {
  pdf: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1'),
  png: Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('0000000dIHDR', 'latin1')]),
  jpeg: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9]),
  docx: zipOf({ '[Content_Types].xml': '<Types/>', 'word/document.xml': '<w:document/>' }),
  xlsx: zipOf({ '[Content_Types].xml': '<Types/>', 'xl/workbook.xml': '<workbook/>' }),
  csv: Buffer.from('organisation,people\nCQC,12\nSkills for Care,7\n', 'utf8'),
  txt: Buffer.from('Notes from the October meeting — 12 providers came.\n', 'utf8'),
};

/** The password `addPeople` gives everyone. */
export const TEST_PASSWORD = 'a long enough passphrase';

/** People who can sign in with TEST_PASSWORD (hashed once for all of them). */
export async function addPeople(t: TestApp, people: { email: string; name: string; role: Role; organisationId?: number | null }[]): Promise<void> {
  const passwordHash = await hashPassword(TEST_PASSWORD);
  await t.database.db.insert(users).values(people.map((p) => ({ ...p, organisationId: p.organisationId ?? null, passwordHash })));
}

/** Signs in through the real form; `cookie` carries the session for later requests. */
export async function signInAs(app: FastifyInstance, email: string, password = TEST_PASSWORD): Promise<{ res: LightMyRequestResponse; cookie: string }> {
  const res = await submitForm(app, { url: '/login', fields: { email, password } });
  const session = res.cookies.find((c) => c.name === 'hub_session');
  return { res, cookie: session ? `hub_session=${session.value}` : '' };
}

/** The session cookie a response set, as a header value for the next request. */
export function sessionFrom(res: LightMyRequestResponse): string {
  const session = res.cookies.find((c) => c.name === 'hub_session');
  if (!session) throw new Error(`No session cookie in the response (status ${res.statusCode})`);
  return `hub_session=${session.value}`;
}

/** The text a person reads in some HTML: tags removed (inline ones without a gap), entities decoded, white space folded. */
export function pageText(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<\/?(a|span|strong|code)\b[^>]*>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ');
}

/** The part of a page from its `data-qa` hook on (20,000 characters), so assertions look only there. */
export function section(html: string, qa: string): string {
  const start = html.indexOf(`data-qa="${qa}"`);
  if (start < 0) throw new Error(`no data-qa="${qa}" on the page`);
  return html.slice(start, start + 20_000);
}

/** A real SMTP server on a free loopback port that hands every message it receives to mailparser. */
export async function startSmtpServer(options: SMTPServerOptions = {}): Promise<{ port: number; url: string; received: ParsedMail[]; close: () => Promise<void> }> {
  const received: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    ...options,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          received.push(mail);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { port, url: `smtp://127.0.0.1:${port}`, received, close: () => new Promise<void>((resolve) => server.close(resolve)) };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port free on 127.0.0.1 now, for a process the test starts. */
export async function freePort(): Promise<number> {
  // Never the ports the project's own servers use by default (a hub or e2e run may want them).
  const reserved = new Set([3000, 3100]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const probe = net.createServer();
      probe.unref();
      probe.once('error', reject);
      probe.listen(0, '127.0.0.1', () => {
        const address = probe.address();
        probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    if (port && !reserved.has(port)) return port;
  }
  throw new Error('no free port found on 127.0.0.1');
}

export type SmtpServer = Awaited<ReturnType<typeof startSmtpServer>>;
export type MailedTestApp = TestApp & { smtp: SmtpServer };

/**
 * A test app whose email goes over SMTP to a real server on 127.0.0.1, where the test reads
 * what arrived (`smtp.received`). `close()` stops the app, the mailer and the server.
 */
export async function createMailedTestApp(
  contents: 'demo' | 'empty',
  options: { smtp?: SMTPServerOptions; now?: () => Date } = {},
): Promise<MailedTestApp> {
  const smtp = await startSmtpServer(options.smtp);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-mailed-'));
  const mailer = createMailer({ smtpUrl: smtp.url, dataDir, from: 'Hub <hub@example.org>' });
  const t = await createTestApp(contents, { mailer, ...(options.now ? { now: options.now } : {}) });
  return {
    ...t,
    smtp,
    close: async () => {
      await t.close();
      await mailer.close();
      await smtp.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Waits until `check` passes (polling), or fails after `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, ms = 15_000, what = 'the condition'): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A complete progress update as the reporter's form sends it; `over` changes any field. */
export function updateFields(over: Record<string, string> = {}): Record<string, string> {
  return { status: 'in_progress', confidence: 'on_track', summary: 'Progress made.', narrative: '', evidence: '', milestones: '', version: '', action: 'submit', ...over };
}

/** A reporter submits (or, with `action: 'save'`, saves) an update on an item through its form; returns the update's id. */
export async function submitUpdate(t: TestApp, cookie: string, organisation: string, code: string, over: Record<string, string> = {}): Promise<number> {
  const res = await submitForm(t.app, { url: `/report/${organisation}/items/${code}`, cookie, fields: updateFields(over) });
  if (res.statusCode !== 303) throw new Error(`Saving the update on ${code} answered ${res.statusCode}`);
  const [row] = await t.database.db
    .select({ id: progressUpdates.id })
    .from(progressUpdates)
    .innerJoin(items, eq(items.id, progressUpdates.itemId))
    .innerJoin(organisations, eq(organisations.id, progressUpdates.organisationId))
    .where(and(eq(items.code, code), eq(organisations.slug, organisation)))
    .orderBy(desc(progressUpdates.id))
    .limit(1);
  return row!.id;
}

/** The strategy team publishes a submitted update from its review page, as a person would. */
export async function publishUpdate(t: TestApp, teamCookie: string, updateId: number): Promise<void> {
  const review = await t.app.inject({ url: `/admin/updates/${updateId}`, headers: { cookie: teamCookie } });
  const version = /name="version" value="(\d+)"/.exec(review.body)?.[1];
  if (!version) throw new Error(`No publish form for update ${updateId} (status ${review.statusCode})`);
  const res = await submitForm(t.app, { url: `/admin/updates/${updateId}/publish`, formUrl: `/admin/updates/${updateId}`, cookie: teamCookie, fields: { version } });
  if (res.statusCode !== 303) throw new Error(`Publishing update ${updateId} answered ${res.statusCode}`);
}
