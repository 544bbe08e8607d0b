// Applies the committed SQL migrations (drizzle-kit's journal) and reports whether a database
// is up to date. On PostgreSQL an advisory lock lets several instances start at once safely.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { sql } from 'drizzle-orm';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { migrationsDir } from '../paths.ts';
import { JOB_SCHEMA } from '../jobs/schema-name.ts';
import { queryRows, type Database } from './client.ts';

const MIGRATION_LOCK_KEY = 727_100_001;

/**
 * The job queue's tables (pg-boss) are created with the rest of the schema, so every instance
 * and every test database starts with them; pg-boss itself upgrades them when its version moves.
 */
async function installJobSchema(run: (text: string) => Promise<unknown>): Promise<void> {
  const found = (await run(`select to_regclass('${JOB_SCHEMA}.version') is not null as installed`)) as { rows: { installed: boolean }[] } | { rows: { installed: boolean }[] }[];
  const rows = Array.isArray(found) ? found.at(-1)!.rows : found.rows;
  if (!rows[0]?.installed) await run(PgBoss.getConstructionPlans(JOB_SCHEMA));
}

interface Journal {
  entries: { tag: string }[];
}

/** The hashes drizzle records for each committed migration, in order (SHA-256 of the SQL file). */
export function migrationHashes(folder = migrationsDir): string[] {
  return readMigrationFiles({ migrationsFolder: folder }).map((m) => m.hash);
}

/** A copy of the migrations folder holding only the first `count` migrations. */
function migrationsUpTo(count: number): { folder: string; remove: () => void } {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'strategy-hub-migrations-'));
  const journal = JSON.parse(readFileSync(path.join(migrationsDir, 'meta', '_journal.json'), 'utf8')) as Journal;
  journal.entries = journal.entries.slice(0, count);
  mkdirSync(path.join(folder, 'meta'));
  writeFileSync(path.join(folder, 'meta', '_journal.json'), JSON.stringify(journal));
  for (const entry of journal.entries) copyFileSync(path.join(migrationsDir, `${entry.tag}.sql`), path.join(folder, `${entry.tag}.sql`));
  return { folder, remove: () => rmSync(folder, { recursive: true, force: true }) };
}

export function migrationTags(folder = migrationsDir): string[] {
  const journal = JSON.parse(readFileSync(path.join(folder, 'meta', '_journal.json'), 'utf8')) as Journal;
  return journal.entries.map((e) => e.tag);
}

export interface MigrationStatus {
  expected: number;
  applied: number;
  upToDate: boolean;
}

export async function migrationStatus(database: Database): Promise<MigrationStatus> {
  const expected = migrationTags().length;
  let applied = 0;
  try {
    const rows = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    applied = Number(rows[0]?.n ?? 0);
  } catch {
    applied = 0; // no migrations table yet
  }
  return { expected, applied, upToDate: applied === expected };
}

/**
 * Brings the database up to date, or with `upTo` only as far as the first `upTo` migrations
 * (a restore loads a backup at the level it was taken, then applies the newer ones).
 * `databaseUrl` is needed on PostgreSQL so the migration runs on one dedicated connection
 * holding the advisory lock.
 */
export async function migrate(database: Database, databaseUrl?: string, options: { upTo?: number } = {}): Promise<MigrationStatus> {
  const partial = options.upTo !== undefined && options.upTo < migrationTags().length ? migrationsUpTo(options.upTo) : undefined;
  const migrationsFolder = partial?.folder ?? migrationsDir;
  try {
    if (database.engine === 'pglite') {
      await migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder });
      await installJobSchema((text) => database.executeSql(text));
    } else {
      if (!databaseUrl) throw new Error('migrate on PostgreSQL needs the database URL');
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        await migratePg(drizzlePg({ client }), { migrationsFolder });
        await installJobSchema((text) => client.query(text));
      } finally {
        await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
        await client.end();
      }
    }
  } finally {
    partial?.remove();
  }
  return migrationStatus(database);
}
