// A campaign send killed with SIGKILL and restarted: every subscriber gets exactly one copy.
//
// The hub runs as its own process (`node --import tsx src/server.ts`) against a database on
// disk (or DATABASE_URL), sending to a real SMTP server on 127.0.0.1 in this test. After 27
// emails the SMTP server stops answering: it reads each message whole and records it, but holds
// its "250 OK", as a slow mail server does. The sender then has a group handed over and waiting;
// the test kills it there with SIGKILL. A second process picks the send up: the emails the mail
// server was holding are marked "unconfirmed" and never sent again, the rest go once each.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import type { CurrentUser } from '../../platform/auth/roles.ts';
import { openDatabase, queryRows, type Database } from '../../platform/db/client.ts';
import { migrate } from '../../platform/db/migrate.ts';
import { createTestDatabase, type TestDatabase } from '../../platform/db/test-database.ts';
import { JobQueue } from '../../platform/jobs/queue.ts';
import { projectRoot } from '../../platform/paths.ts';
import { BulletinsService } from './service.ts';
import { eventually, freePort, sleep } from '../../testing.ts';

const HOST = '127.0.0.1';
const SUBSCRIBERS = 60;
const HOLD_AFTER = 27;
/** SMTP connections, so also the sender's group: at most this many can be left unconfirmed. */
const POOL = 5;
const SECRET = randomBytes(32).toString('hex');


/** An SMTP server that records every whole message, and can stop answering after some. */
async function holdingSmtp(): Promise<{ url: string; received: string[]; hold: (after: number | null) => void; close: () => Promise<void> }> {
  const received: string[] = [];
  let holdAfter: number | null = null;
  const held: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received.push(session.envelope.rcptTo.map((r) => r.address).join(','));
        if (holdAfter !== null && received.length > holdAfter) held.push(() => callback());
        else callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.server.address() as net.AddressInfo;
  return {
    url: `smtp://${HOST}:${port}`,
    received,
    hold: (after) => {
      holdAfter = after;
      if (after === null) for (const release of held.splice(0)) release();
    },
    close: () => new Promise<void>((resolve) => server.close(resolve)),
  };
}

describe('a campaign send killed with SIGKILL', () => {
  let dir: string;
  let testDatabase: TestDatabase | undefined;
  let smtp: Awaited<ReturnType<typeof holdingSmtp>>;
  let hub: ChildProcess | undefined;
  const log: string[] = [];

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'strategy-hub-send-crash-'));
    smtp = await holdingSmtp();
  });
  after(async () => {
    if (hub && hub.exitCode === null && hub.signalCode === null) hub.kill('SIGKILL');
    await testDatabase?.close();
    await smtp.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** This test's database: a fresh one on PostgreSQL, or the embedded one in the hub's data folder. */
  const open = async (): Promise<Database> => (process.env.DATABASE_URL ? (testDatabase ??= await createTestDatabase()) : openDatabase({ dataDir: path.join(dir, 'data') }));
  const done = async (database: Database) => {
    if (database !== testDatabase) await database.close();
  };

  async function startHub(): Promise<{ exited: Promise<unknown> }> {
    const port = await freePort();
    hub = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: projectRoot,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'production',
        SESSION_SECRET: SECRET,
        MAIL_FROM: 'Hub <hub@example.org>',
        HOST,
        PORT: String(port),
        DATA_DIR: path.join(dir, 'data'),
        DATABASE_URL: testDatabase?.url ?? '',
        SMTP_URL: smtp.url,
        BULLETIN_SEND_RATE: '100000',
        SMTP_POOL_SIZE: String(POOL),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const child = hub;
    for (const stream of [child.stdout!, child.stderr!]) stream.on('data', (chunk: Buffer) => log.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`the hub exited at start:\n${log.join('\n')}`);
        return fetch(`http://${HOST}:${port}/readyz`).then(
          (r) => r.status === 200,
          () => false,
        );
      },
      90_000,
      'the hub to be ready',
    );
    return { exited };
  }

  it('resumes after the restart, and nobody gets a second copy', async () => {
    // The campaign is written and started as the strategy team would, through the service: the
    // deliveries are written and the send job queued; no process is sending yet.
    let database = await open();
    await migrate(database, testDatabase?.url);
    const [user] = await queryRows<{ id: number }>(database.db, sql`insert into users (email, name, role) values ('team@example.org', 'Tom Team', 'strategy_team') returning id`);
    const viewer: CurrentUser = { id: user!.id, email: 'team@example.org', name: 'Tom Team', role: 'strategy_team', organisationId: null };
    const jobs = new JobQueue(database, { info: () => undefined, error: () => undefined });
    const bulletins = new BulletinsService(database, { jobs, secret: SECRET });
    const actor = { type: 'cli' as const, label: 'test' };
    await bulletins.ensureStandardLists(viewer, actor, { areas: [], themes: [] });
    const general = (await bulletins.lists()).find((l) => l.slug === 'general')!;
    await database.db.execute(sql`insert into bulletin_subscribers (email, status, source, lawful_basis, consent_at, consent_note)
      select 'person-' || n || '@example.org', 'active', 'import', 'consent', now(), 'Crash test' from generate_series(1, ${SUBSCRIBERS}) n`);
    await database.db.execute(sql`insert into bulletin_subscriptions (subscriber_id, list_id) select id, ${general.id} from bulletin_subscribers`);
    const campaign = await bulletins.createCampaign(viewer, actor, { subject: 'Crash-safe news', summary: 'x', body: 'Hello **everyone**.', lists: [general.id], public: true });
    await bulletins.schedule(viewer, actor, campaign.id, campaign.version, null);
    await jobs.stop();
    await done(database);

    // First sender: killed while the mail server holds a handed-over group.
    smtp.hold(HOLD_AFTER);
    const first = await startHub();
    await eventually(() => smtp.received.length > HOLD_AFTER, 60_000, 'the mail server to be holding emails');
    let seen = -1;
    await eventually(
      () => {
        const stable = smtp.received.length === seen;
        seen = smtp.received.length;
        return stable;
      },
      10_000,
      'the sender to wait on the mail server',
    );
    hub!.kill('SIGKILL');
    await first.exited;
    const beforeRestart = smtp.received.length;
    assert.ok(beforeRestart > HOLD_AFTER && beforeRestart < SUBSCRIBERS, `killed mid-send (${beforeRestart} of ${SUBSCRIBERS} received)`);
    smtp.hold(null);

    // Second sender: carries on from where the first stopped.
    const second = await startHub();
    await eventually(() => smtp.received.length >= SUBSCRIBERS, 60_000, 'every subscriber to have the bulletin');
    await eventually(() => log.some((line) => line.includes('not sent again')), 10_000, 'the restart to report the unconfirmed emails');
    await sleep(1_000); // anything wrongly sent twice would arrive now
    hub!.kill('SIGTERM');
    await second.exited;

    const copies = new Map<string, number>();
    for (const to of smtp.received) copies.set(to, (copies.get(to) ?? 0) + 1);
    assert.equal(copies.size, SUBSCRIBERS, 'everyone got the bulletin');
    assert.deepEqual([...copies.values()].filter((n) => n !== 1), [], 'nobody got two copies');

    database = await open();
    const statuses = await queryRows<{ status: string; n: number }>(database.db, sql`select status, count(*)::int as n from bulletin_deliveries group by status order by status`);
    const [state] = await queryRows<{ status: string }>(database.db, sql`select status from bulletin_campaigns where id = ${campaign.id}`);
    await done(database);
    // The last group: the emails the mail server was holding, and any of that group it had
    // already answered before the sender was killed (marked sent only when the whole group is).
    const held = beforeRestart - HOLD_AFTER;
    const unconfirmed = statuses.find((s) => s.status === 'unconfirmed')?.n ?? 0;
    assert.ok(unconfirmed >= held && unconfirmed <= POOL, `${unconfirmed} unconfirmed: the group in hand (${held} held by the mail server, at most ${POOL})`);
    assert.deepEqual(statuses, [
      { status: 'sent', n: SUBSCRIBERS - unconfirmed },
      { status: 'unconfirmed', n: unconfirmed },
    ]);
    assert.equal(state!.status, 'sent');
  });
});
