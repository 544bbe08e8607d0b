// Opens the one database the hub uses: embedded PGlite in DATA_DIR/db, or a PostgreSQL server
// when DATABASE_URL is set. Both give the same drizzle handle, so features never know which.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type { ExtractTablesWithRelations, SQL } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import pg from 'pg';
import * as schema from './schema.ts';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything a repository can run SQL on: the database or an open transaction. */
export type Executor = Db | Tx;

export type Engine = 'pglite' | 'postgres';

export interface Database {
  db: Db;
  engine: Engine;
  /** Where the data lives, for logs: a folder or the server URL without its password. */
  location: string;
  /**
   * Runs raw SQL outside drizzle, for the job queue (pg-boss's `db` adapter). Without values
   * the text may hold several statements; the last one's rows are returned.
   */
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  /**
   * One connection for work that needs a session of its own (a transaction, a cursor,
   * `set local`): PGlite's only connection, or a pool client on PostgreSQL. Release it after.
   */
  connect(): Promise<SqlConnection>;
  close(): Promise<void>;
}

/** One database connection: raw SQL with `$n` parameters, rows as objects. */
export interface SqlConnection {
  query<T = Record<string, unknown>>(text: string, values?: unknown[]): Promise<T[]>;
  /** Gives the connection back; with an error, a pool discards it instead. */
  release(error?: Error): void;
}

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  dataDir: string;
  /** PostgreSQL only: connections in the pool (default 20). */
  databasePoolSize?: number | undefined;
}

/**
 * PostgreSQL's SQLSTATE for a failed query (`23505` a unique row, `23503` a missing key,
 * `40P01` a deadlock victim), or undefined. pg and PGlite put it on the error; drizzle wraps
 * theirs, with the original as its `cause`.
 */
export function pgErrorCode(error: unknown): string | undefined {
  const e = error as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = e?.code ?? e?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable URL)';
  }
}

export class DatabaseInUseError extends Error {}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The embedded database is one process's: two processes on one folder would each keep their
 * own copy and lose the other's writes. A lock file with the owner's pid keeps the second out;
 * a lock left by a process that is gone is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, 'db.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(file, 'utf8').trim());
      if (owner && owner !== process.pid && isRunning(owner)) {
        throw new DatabaseInUseError(
          `The embedded database in ${dataDir} is in use by process ${owner} (a running hub?). Stop it first, or set DATABASE_URL to share a PostgreSQL server.`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw new DatabaseInUseError(`Could not lock ${file}`);
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options.databasePoolSize);
  const dir = path.join(options.dataDir, 'db');
  mkdirSync(options.dataDir, { recursive: true });
  const unlock = lockDataDir(options.dataDir);
  try {
    const database = wrapPglite(await PGlite.create({ dataDir: dir }), dir);
    return {
      ...database,
      close: async () => {
        await database.close();
        unlock();
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}

export function wrapPglite(client: PGlite, location: string): Database {
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  return {
    db,
    engine: 'pglite',
    location,
    executeSql: async (text, values) => {
      if (values?.length) return { rows: (await client.query(text, values)).rows };
      const results = await client.exec(text);
      return { rows: results.at(-1)?.rows ?? [] };
    },
    connect: () =>
      Promise.resolve({
        query: async <T>(text: string, values?: unknown[]) => (await client.query<T>(text, values)).rows,
        release: () => undefined,
      }),
    close: () => client.close(),
  };
}

/** Statement names by text: at most this many, so a query built with ever-new text cannot fill memory. */
const MAX_NAMED_STATEMENTS = 2_000;
const statementNames = new Map<string, string>();

/**
 * The name a statement is prepared under: the same text gets the same name, so PostgreSQL parses
 * and plans it once on each connection and after that only binds and runs it. Transaction
 * control goes as it is, and so does any text once the names are all taken.
 */
function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_NAMED_STATEMENTS && !/^\s*(begin|commit|rollback)\b/i.test(text)) {
    name = `hub_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}

/** A connection that names each statement it sends (see `statementName`). */
class NamedStatementsClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    const send = this.query.bind(this) as (...args: unknown[]) => unknown;
    this.query = ((...args: unknown[]) => {
      const [config] = args;
      // A query given as an object with its text (how drizzle sends them), not named already.
      if (config && typeof config === 'object' && !('submit' in config) && 'text' in config && typeof config.text === 'string' && !('name' in config && config.name)) {
        const name = statementName(config.text);
        if (name) (config as { name?: string }).name = name;
      }
      return send(...args);
    }) as pg.Client['query'];
  }
}

/**
 * A pool of `poolSize` connections. Every transaction holds one from its first query to its
 * commit, so the pool must cover the writes that run at once plus the reads beside them: with
 * too few, a write waits for a connection longer than it takes (decision 29 measured 10).
 */
export async function openPostgres(url: string, poolSize = 20): Promise<Database> {
  // Pipelined: statements a transaction sends together (`Promise.all`) go in one round trip.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, idleTimeoutMillis: 30_000, pipeline: true, Client: NamedStatementsClient });
  let closing = false;
  // An idle connection the server ends (a restart, a dropped database) is discarded by the
  // pool and the next query opens a new one; without a listener it would crash the process.
  pool.on('error', (error) => {
    if (!closing) console.error(`PostgreSQL connection lost: ${error.message}`);
  });
  // Fail at start, not at the first request, when the server cannot be reached.
  const probe = await pool.connect();
  probe.release();
  const db = drizzlePg({ client: pool, schema }) as unknown as Db;
  return {
    db,
    engine: 'postgres',
    location: redactUrl(url),
    executeSql: async (text, values) => {
      const result = (await pool.query(text, values)) as pg.QueryResult | pg.QueryResult[];
      return { rows: Array.isArray(result) ? (result.at(-1)?.rows ?? []) : result.rows };
    },
    connect: async () => {
      const client = await pool.connect();
      return {
        query: async <T>(text: string, values?: unknown[]) => (await client.query(text, values)).rows as T[],
        release: (error?: Error) => client.release(error),
      };
    },
    close: () => {
      closing = true;
      return pool.end();
    },
  };
}

/** Rows of a raw SQL query, the same on both drivers (both answer `{ rows }`). */
export async function queryRows<T>(exec: Executor, query: SQL): Promise<T[]> {
  const result: unknown = await exec.execute(query);
  return (result as { rows: T[] }).rows;
}
