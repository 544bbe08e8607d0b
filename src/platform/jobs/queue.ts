// Background jobs on pg-boss, in the product's own database: on PostgreSQL through the app's
// pool, on the embedded database through pg-boss's `db` adapter. Jobs are rows, so they survive
// restarts; several instances share the work (each job is fetched by one worker), and a
// scheduled job runs once per slot however many instances are up.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import PgBoss from 'pg-boss';
import { pgErrorCode, queryRows, type Database, type Executor } from '../db/client.ts';
import { JOB_SCHEMA } from './schema-name.ts';

export interface JobOptions {
  /** Attempts after the first failure (with exponential backoff from `retryDelaySeconds`). */
  retryLimit?: number;
  retryDelaySeconds?: number;
  /** Cron expression (Europe/London) on which the job is queued automatically. */
  cron?: string;
}

interface Definition {
  name: string;
  handler: (data: object) => Promise<void>;
  options: JobOptions;
}

export interface JobLog {
  info(object: object, message: string): void;
  error(object: object, message: string): void;
}

export interface SendOptions {
  /** At most one waiting (queued, not yet started) job with this key: queuing the same work twice while it waits is a no-op. */
  singletonKey?: string;
  startAfter?: Date;
  /**
   * Queue the job in this open transaction: it exists if and only if the transaction commits,
   * so a crash can never keep the work and lose the job (or the reverse). Call `ready()`
   * before the transaction begins.
   */
  transaction?: Executor;
}

export class JobQueue {
  private boss: PgBoss | undefined;
  private starting: Promise<PgBoss> | undefined;
  private working = false;
  private readonly definitions = new Map<string, Definition>();

  constructor(
    private readonly database: Database,
    private readonly log: JobLog,
    /** Seconds between polls for new jobs (tests shorten it). */
    private readonly pollingIntervalSeconds = 2,
  ) {}

  /** Declares a job and what runs it. Call before `start`. */
  define<T extends object>(name: string, handler: (data: T) => Promise<void>, options: JobOptions = {}): void {
    if (this.definitions.has(name)) throw new Error(`Job ${name} is defined twice`);
    this.definitions.set(name, { name, handler: handler as (data: object) => Promise<void>, options });
  }

  get names(): string[] {
    return [...this.definitions.keys()];
  }

  /** Queues a job; the queue is opened (without running jobs) if nothing opened it yet. */
  async send(name: string, data: object, options: SendOptions = {}): Promise<string | null> {
    const definition = this.definitions.get(name);
    if (!definition) throw new Error(`No job called ${name}`);
    if (options.transaction && !this.boss) throw new Error('Open the job queue (ready()) before queuing a job in a transaction');
    const boss = await this.open(false);
    return boss.send(name, data, {
      ...(options.transaction ? { db: inTransaction(options.transaction) } : {}),
      retryLimit: definition.options.retryLimit ?? 3,
      retryDelay: definition.options.retryDelaySeconds ?? 30,
      retryBackoff: true,
      // Queues use pg-boss's "short" policy: one waiting job per key. Work without a key of its
      // own gets a unique one, so only work that names the same key is merged.
      singletonKey: options.singletonKey ?? randomUUID(),
      ...(options.startAfter ? { startAfter: options.startAfter } : {}),
    });
  }

  /**
   * Opens the queue (to queue work only, if nothing opened it yet). Needed before `send` with a
   * transaction: opening uses the database, which on PGlite waits for that very transaction.
   */
  async ready(): Promise<void> {
    await this.open(false);
  }

  /**
   * Opens the queue. With `work`, this instance also runs jobs and keeps the schedules; a
   * server does, a command-line tool or a test that only queues work does not.
   */
  async start(options: { work: boolean }): Promise<void> {
    const boss = await this.open(options.work);
    if (!options.work || this.working) return;
    this.working = true;
    for (const definition of this.definitions.values()) {
      await boss.work(definition.name, { pollingIntervalSeconds: this.pollingIntervalSeconds, batchSize: 1 }, async (jobs) => {
        for (const job of jobs) {
          try {
            await definition.handler(job.data as object);
          } catch (error) {
            this.log.error({ err: error, job: definition.name, jobId: job.id }, 'job failed; it will be retried if attempts remain');
            throw error;
          }
        }
      });
      if (definition.options.cron) await boss.schedule(definition.name, definition.options.cron, {}, { tz: 'Europe/London' });
    }
  }

  private async open(work: boolean): Promise<PgBoss> {
    if (work && (this.boss || this.starting) && !this.working) {
      throw new Error('The job queue was opened only to queue work; start it working before anything is sent');
    }
    if (this.boss) return this.boss;
    this.starting ??= (async () => {
      const boss = new PgBoss({
        db: { executeSql: (text, values) => this.database.executeSql(text, values) },
        schema: JOB_SCHEMA,
        supervise: work,
        schedule: work,
        migrate: true,
      });
      boss.on('error', (error: unknown) => this.log.error({ err: error }, 'job queue error'));
      await boss.start();
      const existing = new Map((await boss.getQueues()).map((q) => [q.name, q.policy]));
      for (const name of this.definitions.keys()) {
        if (!existing.has(name)) await createQueueOnce(boss, name);
        // Queues made before singleton keys were enforced ("standard" ignores them).
        else if (existing.get(name) !== QUEUE_POLICY) await boss.updateQueue(name, { name, policy: QUEUE_POLICY });
      }
      this.boss = boss;
      return boss;
    })();
    try {
      return await this.starting;
    } catch (error) {
      this.starting = undefined;
      throw error;
    }
  }

  /** Counts of jobs by state for one queue: the admin and tests read them. */
  async counts(name: string): Promise<Record<string, number>> {
    const { rows } = (await this.database.executeSql(`select state::text as state, count(*)::int as n from ${JOB_SCHEMA}.job where name = $1 group by state`, [name])) as {
      rows: { state: string; n: number }[];
    };
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  }

  /**
   * Stops taking jobs; jobs running now get `timeoutMs` to finish, then go back to the queue
   * (failed, so they are retried) for the next instance or the next start.
   */
  async stop(timeoutMs = 10_000): Promise<void> {
    const boss = this.boss ?? (this.starting ? await this.starting.catch(() => undefined) : undefined);
    this.boss = undefined;
    this.starting = undefined;
    this.working = false;
    if (boss) await boss.stop({ graceful: true, wait: true, timeout: timeoutMs, close: false });
  }
}

/** pg-boss's `db` option on an open transaction: its `$n` text and values become one drizzle query. */
function inTransaction(exec: Executor): PgBoss.Db {
  return {
    executeSql: async (text: string, values: unknown[] = []) => {
      const parts = text.split(/\$(\d+)\b/);
      const query = sql.join(parts.map((part, i) => (i % 2 ? sql.param(values[Number(part) - 1]) : sql.raw(part))));
      return { rows: await queryRows(exec, query) };
    },
  };
}

/** pg-boss's policy that keeps one waiting job per singleton key (a unique index); "standard" ignores keys. */
const QUEUE_POLICY = 'short';

/** PostgreSQL's codes for a deadlock victim and a unique row another transaction just wrote. */
const RACE_CODES = new Set(['40P01', '23505']);

/**
 * Creates a queue, allowing for another instance creating it at the same moment (instances
 * started together on a new release): PostgreSQL may end one of the two as a deadlock victim.
 * The loser finds the queue made by the winner, or tries again after a short, random wait.
 */
async function createQueueOnce(boss: PgBoss, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await boss.createQueue(name, { name, policy: QUEUE_POLICY });
      return;
    } catch (error) {
      const code = pgErrorCode(error);
      if (attempt >= 5 || !code || !RACE_CODES.has(code)) throw error;
      if (await boss.getQueue(name)) return;
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 100 * attempt));
    }
  }
}
