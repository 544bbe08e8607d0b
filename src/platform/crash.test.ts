// Crash safety, for real: the `strategy-hub` command and the hub as processes of their own,
// killed with SIGKILL (no shutdown, no clean-up) in the middle of a write: a 5,000-row import,
// an annual review's publication (5,000 items frozen) and the publication of a progress update
// whose followers are emailed. After a restart nothing is half-written, the work can be done
// again, and each follower gets the email once, counted at a real SMTP server.
// On PGlite (DATA_DIR on disk: PostgreSQL's own crash recovery, replayed when it reopens) and,
// with DATABASE_URL, on a PostgreSQL server, where a lock the test holds on the audit table
// stops each write at its last statement, so the kill lands with everything else written.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { systemActor } from './audit/audit.ts';
import type { CurrentUser } from './auth/roles.ts';
import { openDatabase, queryRows, type Database } from './db/client.ts';
import { createTestDatabase, type TestDatabase } from './db/test-database.ts';
import type { MailMessage, Mailer } from './mail/mailer.ts';
import { projectRoot } from './paths.ts';
import { addPeople, createTestApp, freePort, signInAs, sleep, startSmtpServer, submitUpdate, TEST_PASSWORD } from '../testing.ts';

const HOST = '127.0.0.1';
const ROWS = 5000;
const onPostgres = Boolean(process.env.DATABASE_URL);



async function until<T>(check: () => T | undefined | false | Promise<T | undefined | false>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** A child process with its output kept line by line. */
interface Running {
  child: ChildProcess;
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL: the process ends at once, in whatever it was doing. */
  kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(args: string[], env: NodeJS.ProcessEnv): Running {
  const child = spawn(process.execPath, args, { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    lines,
    exited,
    kill: async () => {
      child.kill('SIGKILL');
      return exited;
    },
  };
}

/** Cookies and a CSRF token, as a browser keeps them, against a hub on a real port. */
class Browser {
  private readonly cookies = new Map<string, string>();
  /** Changes when the hub restarts on a new port; the cookies stay, as a browser's would. */
  constructor(public origin: string) {}

  private keep(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
  }

  get cookie(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async get(url: string): Promise<{ status: number; body: string }> {
    const res = await fetch(`${this.origin}${url}`, { headers: { cookie: this.cookie }, redirect: 'manual' });
    this.keep(res);
    return { status: res.status, body: await res.text() };
  }

  /** Loads a form page for its CSRF token. */
  async token(formUrl: string): Promise<string> {
    const page = await this.get(formUrl);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
    if (!token) throw new Error(`No CSRF token on ${formUrl} (status ${page.status})`);
    return token;
  }

  async post(url: string, formUrl: string, fields: Record<string, string>): Promise<{ status: number; body: string }> {
    return this.send(url, await this.token(formUrl), fields);
  }

  async send(url: string, token: string, fields: Record<string, string>): Promise<{ status: number; body: string }> {
    const res = await fetch(`${this.origin}${url}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookie },
      body: new URLSearchParams({ _csrf: token, ...fields }).toString(),
      redirect: 'manual',
    });
    this.keep(res);
    return { status: res.status, body: await res.text() };
  }
}

/**
 * On PostgreSQL: holds a lock on the audit table, so the next write that records its audit
 * event waits there with everything else in its transaction already written.
 */
class AuditLock {
  private constructor(private readonly client: pg.Client) {}

  static async take(url: string): Promise<AuditLock> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('begin');
    await client.query('lock table audit_events in share mode');
    return new AuditLock(client);
  }

  /** The backend (pid) of a write waiting for this lock. */
  async waiter(): Promise<number | undefined> {
    // Activity is read once per transaction unless the snapshot is cleared.
    await this.client.query('select pg_stat_clear_snapshot()');
    const { rows } = await this.client.query<{ pid: number }>(
      `select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and wait_event_type = 'Lock' and query ilike '%audit_events%'`,
    );
    return rows[0]?.pid;
  }

  async release(): Promise<void> {
    await this.client.query('rollback');
    await this.client.end();
  }
}

describe('crash safety: kill -9 in the middle of a write', () => {
  let dir: string;
  let dataDir: string;
  let server: TestDatabase | undefined;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  const running: Running[] = [];

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'strategy-hub-crash-'));
    dataDir = path.join(dir, 'data');
    if (onPostgres) server = await createTestDatabase();
    smtp = await startSmtpServer();
  });
  after(async () => {
    for (const r of running) if (r.child.exitCode === null && r.child.signalCode === null) await r.kill();
    await smtp?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: dataDir,
    DATABASE_URL: server?.url ?? '',
    ...extra,
  });

  /** The hub's database, opened here between runs (on PGlite this reopens a killed database). */
  async function inspect<T>(work: (database: Database) => Promise<T>): Promise<T> {
    if (server) return work(server);
    const database = await openDatabase({ dataDir });
    try {
      return await work(database);
    } finally {
      await database.close();
    }
  }
  const count = (database: Database, query: ReturnType<typeof sql>) => queryRows<{ n: number }>(database.db, query).then((rows) => Number(rows[0]!.n));

  async function cli(...args: string[]): Promise<{ code: number | null; output: string }> {
    const r = start([path.join(projectRoot, 'bin', 'strategy-hub.js'), ...args], env());
    running.push(r);
    const { code } = await r.exited;
    return { code, output: r.lines.join('\n') };
  }

  function itemsFile(name: string, summary: string, status: string): string {
    const rows = ['code,title,summary,area,lead_organisations,status'];
    for (let i = 1; i <= ROWS; i++) rows.push(`CR-${String(i).padStart(4, '0')},Crash test item ${i},${summary},train,DHSC,${status}`);
    const file = path.join(dir, name);
    writeFileSync(file, `${rows.join('\n')}\n`);
    return file;
  }

  async function startHub(): Promise<{ hub: Running; origin: string }> {
    const port = await freePort();
    const origin = `http://${HOST}:${port}`;
    const hub = start(
      ['--import', 'tsx', 'src/server.ts'],
      env({ NODE_ENV: 'production', SESSION_SECRET: 'crash-test-secret-'.padEnd(64, 'x'), HOST, PORT: String(port), SMTP_URL: smtp.url, MAIL_FROM: 'hub@example.org', LOG_LEVEL: 'info' }),
    );
    running.push(hub);
    await until(
      async () => {
        if (hub.child.exitCode !== null) throw new Error(`the hub exited at start:\n${hub.lines.join('\n')}`);
        return fetch(`${origin}/readyz`).then(
          (r) => r.status === 200,
          () => false,
        );
      },
      90_000,
      'the hub to be ready',
    );
    return { hub, origin };
  }

  /** PostgreSQL ends a killed client's transaction when it sees the connection gone; wait for that. */
  async function backendGone(pid: number): Promise<void> {
    await until(async () => (await count(server!, sql`select count(*)::int as n from pg_stat_activity where pid = ${pid}`)) === 0, 10_000, `backend ${pid} to end`);
  }

  it('an import killed while it writes leaves nothing of itself; run again, it completes', async () => {
    const seeded = await cli('seed');
    assert.equal(seeded.code, 0, seeded.output);
    const first = await cli('import', 'items', itemsFile('first.csv', 'Made for the crash test', ''));
    assert.match(first.output, new RegExp(`Imported: ${ROWS} items read; ${ROWS} created`), first.output);

    // The second import changes all 5,000 (and retires them, for the review below).
    const file = itemsFile('second.csv', 'Changed by the second import', 'retired');
    const lock = server ? await AuditLock.take(server.url!) : undefined;
    const importing = start([path.join(projectRoot, 'bin', 'strategy-hub.js'), 'import', 'items', file], env());
    running.push(importing);
    let waiter: number | undefined;
    try {
      if (lock) {
        // Every row updated in its transaction; it waits to record the audit events.
        waiter = await until(() => lock.waiter(), 60_000, 'the import to wait on the audit table');
      } else {
        // Part-way through the updates, by its own progress report.
        await until(() => importing.lines.some((l) => /^Writing: [1-9]\d*\/5000/.test(l) && !l.startsWith(`Writing: ${ROWS}/`)), 60_000, `the import to report progress writing:\n${importing.lines.join('\n')}`);
      }
      const { signal } = await importing.kill();
      assert.equal(signal, 'SIGKILL');
    } finally {
      await lock?.release();
    }
    assert.ok(!importing.lines.some((l) => l.startsWith('Imported')), importing.lines.join('\n'));
    if (waiter) await backendGone(waiter);

    await inspect(async (database) => {
      assert.equal(await count(database, sql`select count(*)::int as n from items where code like 'CR-%'`), ROWS, 'the first import stands');
      assert.equal(await count(database, sql`select count(*)::int as n from items where summary = 'Changed by the second import' or status = 'retired'`), 0, 'no row of the killed import');
      assert.equal(await count(database, sql`select count(*)::int as n from audit_events where action = 'item.updated'`), 0, 'no audit event of the killed import');
    });

    const again = await cli('import', 'items', file);
    assert.equal(again.code, 0, again.output);
    assert.match(again.output, new RegExp(`Imported: ${ROWS} items read; 0 created, ${ROWS} updated, 0 unchanged`));
    await inspect(async (database) => {
      assert.equal(await count(database, sql`select count(*)::int as n from items where summary = 'Changed by the second import' and status = 'retired'`), ROWS);
      assert.equal(await count(database, sql`select count(*)::int as n from audit_events where action = 'item.updated'`), ROWS, 'one audit event per change');
    });
  });

  it('a review publication killed part-way is not published at all; published after the restart, with every item and one audit event', async () => {
    // The 2025 review, open, every active item decided (the 5,000 imported are retired: frozen, not decided).
    let items = 0;
    await inspect(async (database) => {
      const t = await createTestApp('demo', { database: database, mailer: quietMailer() });
      try {
        await addPeople(t, [{ email: 'team@example.org', name: 'Tom Team', role: 'strategy_team' }]);
        const [team] = await queryRows<{ id: number }>(database.db, sql`select id from users where email = 'team@example.org'`);
        const viewer: CurrentUser = { id: team!.id, email: 'team@example.org', name: 'Tom Team', role: 'strategy_team', organisationId: null };
        await t.services.reviews.open(systemActor, viewer, 2025);
        for (const line of await t.services.reviews.undecided(viewer, 2025)) {
          await t.services.reviews.decide(systemActor, viewer, 2025, line.code, { outcome: 'keep', rationale: 'Still needed.' }, undefined);
        }
        items = await count(database, sql`select count(*)::int as n from items`);
      } finally {
        await t.close();
      }
    });
    assert.ok(items > ROWS);
    const state = () =>
      inspect(async (database) => ({
        state: (await queryRows<{ state: string }>(database.db, sql`select state from reviews where year = 2025`))[0]!.state,
        frozen: await count(database, sql`select count(*)::int as n from review_items`),
        audited: await count(database, sql`select count(*)::int as n from audit_events where action = 'review.published'`),
      }));

    let { hub, origin } = await startHub();
    const team = new Browser(origin);
    assert.equal((await team.post('/login', '/login', { email: 'team@example.org', password: TEST_PASSWORD })).status, 303);
    const confirm = await team.get('/admin/reviews/2025/publish');
    const version = /name="version" value="(\d+)"/.exec(confirm.body)?.[1];
    assert.ok(version, 'the publish form');

    const lock = server ? await AuditLock.take(server.url!) : undefined;
    let waiter: number | undefined;
    try {
      const token = await team.token('/admin/reviews/2025/publish');
      const answer = team.send('/admin/reviews/2025/publish', token, { version }).catch(() => 'no answer' as const);
      if (lock) {
        waiter = await until(() => lock.waiter(), 30_000, 'the publication to wait on the audit table');
      } else {
        // PGlite runs each query on the process's one thread: while the publication's big
        // statements run (reading and freezing 5,000 items, about half a second here), the hub
        // cannot even answer /healthz. A probe that waits 150 ms is the publication in its
        // transaction (nothing else in that request is more than a small query).
        await until(
          () =>
            fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(150) }).then(
              () => false,
              () => true,
            ),
          30_000,
          'the publication to hold the hub',
        );
      }
      await hub.kill();
      assert.equal(await answer, 'no answer', 'killed before it answered');
    } finally {
      await lock?.release();
    }
    if (waiter) await backendGone(waiter);
    assert.deepEqual(await state(), { state: 'open', frozen: 0, audited: 0 }, 'nothing of the publication');

    // Restarted: the session survives (it is in the database); publishing now works.
    ({ hub, origin } = await startHub());
    team.origin = origin;
    const published = await team.post('/admin/reviews/2025/publish', '/admin/reviews/2025/publish', { version: version });
    assert.equal(published.status, 303, published.body.slice(0, 500));
    assert.equal((await fetch(`${origin}/reviews/2025`)).status, 200);
    await hub.kill();
    assert.deepEqual(await state(), { state: 'published', frozen: items, audited: 1 });
    assert.equal(smtp.received.length, 0, 'publishing a review emails no one');
  });

  it("a progress update's publication killed part-way emails no one; published after the restart, each follower is emailed once", async () => {
    const followers = ['ada@example.org', 'bo@example.org', 'cy@example.org'];
    let updateId = 0;
    await inspect(async (database) => {
      const confirmations: MailMessage[] = [];
      const t = await createTestApp('demo', { database: database, mailer: quietMailer(confirmations) });
      try {
        const [cqc] = await queryRows<{ id: number }>(database.db, sql`select id from organisations where short_name = 'CQC'`);
        await addPeople(t, [{ email: 'rita@cqc.example', name: 'Rita Reporter', role: 'organisation_reporter', organisationId: cqc!.id }]);
        const reporter = (await signInAs(t.app, 'rita@cqc.example')).cookie;
        updateId = await submitUpdate(t, reporter, 'care-quality-commission', 'AR-06', { summary: 'Consultation opened.' });
        const item = (await t.services.following.item('AR-06'))!;
        for (const email of followers) await t.services.following.request(systemActor, item, email);
        await t.services.following.settled();
        for (const mail of confirmations) {
          const token = /\/follow\/confirm\/([A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
          assert.ok(await t.services.following.confirm(systemActor, token!, 'each'), 'confirmed');
        }
        assert.equal(confirmations.length, followers.length);
      } finally {
        await t.close();
      }
    });

    const published = () =>
      inspect(async (database) => ({
        state: (await queryRows<{ state: string }>(database.db, sql`select state from progress_updates where id = ${updateId}`))[0]!.state,
        audited: await count(database, sql`select count(*)::int as n from audit_events where action = 'progress_update.published'`),
        notified: await count(database, sql`select count(*)::int as n from follower_notifications where update_id = ${updateId}`),
      }));
    const sentTo = () => smtp.received.filter((m) => m.subject?.startsWith('AR-06: new progress update')).flatMap((m) => [m.to].flat().flatMap((a) => a?.value.map((v) => v.address) ?? []));

    let { hub, origin } = await startHub();
    const team = new Browser(origin);
    assert.equal((await team.post('/login', '/login', { email: 'team@example.org', password: TEST_PASSWORD })).status, 303);
    const review = await team.get(`/admin/updates/${updateId}`);
    const version = /name="version" value="(\d+)"/.exec(review.body)?.[1];
    assert.ok(version, 'the publish form');

    if (server) {
      // Killed with the update published and its item's status changed in the transaction, the audit event not yet written.
      const lock = await AuditLock.take(server.url!);
      let waiter: number | undefined;
      try {
        const answer = team.post(`/admin/updates/${updateId}/publish`, `/admin/updates/${updateId}`, { version }).catch(() => 'no answer' as const);
        waiter = await until(() => lock.waiter(), 30_000, 'the publication to wait on the audit table');
        await hub.kill();
        assert.equal(await answer, 'no answer');
      } finally {
        await lock.release();
      }
      await backendGone(waiter);
      assert.deepEqual(await published(), { state: 'submitted', audited: 0, notified: 0 });
      ({ hub, origin } = await startHub());
      team.origin = origin;
    }

    // Published; killed the moment it answers, before the emails go (the job polls every 2 s).
    const answer = await team.post(`/admin/updates/${updateId}/publish`, `/admin/updates/${updateId}`, { version });
    assert.equal(answer.status, 303, answer.body.slice(0, 500));
    await hub.kill();
    assert.deepEqual(sentTo(), [], 'no email yet');

    // After the restart, the queued job sends each follower one email, and no more.
    ({ hub } = await startHub());
    await until(() => sentTo().length >= followers.length, 30_000, 'the emails to followers');
    await sleep(3000); // two more polls: time for a second round, if there were to be one
    await hub.kill();
    assert.deepEqual(sentTo().sort(), followers);
    assert.deepEqual(await published(), { state: 'published', audited: 1, notified: followers.length });
  });
});

/** A mailer for setting up, in this process: keeps what it is given (confirmation links). */
function quietMailer(kept: MailMessage[] = []): Mailer {
  return {
    send: async (message) => {
      kept.push(message);
      const id = randomBytes(8).toString('hex');
      return { id, messageId: `<${id}@crash.test>`, transport: 'outbox' };
    },
    close: async () => undefined,
  };
}
