// Fresh databases for tests, fast: a migrated (and optionally prepared) template is built once
// per set of migrations and copied for each caller. PGlite templates are data-dir dumps in the
// temp folder; on PostgreSQL (DATABASE_URL) they are template databases.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { migrationsDir } from '../paths.ts';
import { JOB_SCHEMA_VERSION } from '../jobs/schema-name.ts';
import { openPostgres, wrapPglite, type Database } from './client.ts';
import { migrate } from './migrate.ts';

export interface TestDatabaseOptions {
  /** Names the template; tests asking for the same name share its prepared contents. */
  template?: string;
  /** Runs once on the template after migrations (e.g. load demo data). */
  prepare?: (database: Database) => Promise<void>;
  /** Changes to code that `prepare` uses should change the template: pass its version. */
  prepareVersion?: string;
}

export interface TestDatabase extends Database {
  /** Connection URL on PostgreSQL (for code that opens its own connections). */
  url?: string;
}

function migrationsHash(extra: string): string {
  const hash = createHash('sha256').update(extra).update(JOB_SCHEMA_VERSION);
  for (const file of readdirSync(migrationsDir).sort()) {
    if (file.endsWith('.sql')) hash.update(file).update(readFileSync(path.join(migrationsDir, file)));
  }
  hash.update(readFileSync(path.join(migrationsDir, 'meta', '_journal.json')));
  return hash.digest('hex').slice(0, 12);
}

let counter = 0;

export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const name = options.template ?? 'empty';
  const key = migrationsHash(`${name}:${options.prepareVersion ?? ''}`);
  const url = process.env.DATABASE_URL;
  return url ? createPostgresCopy(url, name, key, options) : createPgliteCopy(name, key, options);
}

async function createPgliteCopy(name: string, key: string, options: TestDatabaseOptions): Promise<TestDatabase> {
  const file = path.join(os.tmpdir(), `strategy-hub-test-${name}-${key}.tar.gz`);
  if (!existsSync(file)) {
    const client = await PGlite.create();
    const template = wrapPglite(client, 'memory://template');
    await migrate(template);
    if (options.prepare) await options.prepare(template);
    const dump = await client.dumpDataDir('gzip');
    await client.close();
    // Written under a unique name then renamed, so parallel test files never read half a file.
    const partial = `${file}.${process.pid}.${Date.now()}`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file);
  }
  const blob = new Blob([readFileSync(file)]);
  const client = await PGlite.create({ loadDataDir: blob });
  return wrapPglite(client, 'memory://test');
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function createPostgresCopy(
  url: string,
  name: string,
  key: string,
  options: TestDatabaseOptions,
): Promise<TestDatabase> {
  const base = new URL(url);
  const baseName = base.pathname.replace(/^\//, '') || 'postgres';
  const templateName = `${baseName}_tpl_${name}_${key}`.slice(0, 63);
  const copyName = `${baseName}_t_${process.pid}_${Date.now() % 1e8}_${counter++}`.slice(0, 63);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query('select pg_advisory_lock(727100002)');
    const exists = await admin.query('select 1 from pg_database where datname = $1', [templateName]);
    if (exists.rowCount === 0) {
      const building = `${templateName.slice(0, 55)}_build`;
      await admin.query(`drop database if exists ${quoteIdent(building)}`);
      await admin.query(`create database ${quoteIdent(building)}`);
      const buildUrl = new URL(url);
      buildUrl.pathname = `/${building}`;
      const template = await openPostgres(buildUrl.toString());
      try {
        await migrate(template, buildUrl.toString());
        if (options.prepare) await options.prepare(template);
      } finally {
        await template.close();
      }
      await admin.query(`alter database ${quoteIdent(building)} rename to ${quoteIdent(templateName)}`);
    }
    await admin.query(`create database ${quoteIdent(copyName)} template ${quoteIdent(templateName)}`);
  } finally {
    await admin.query('select pg_advisory_unlock(727100002)').catch(() => undefined);
    await admin.end();
  }
  const copyUrl = new URL(url);
  copyUrl.pathname = `/${copyName}`;
  const database = await openPostgres(copyUrl.toString());
  return {
    ...database,
    url: copyUrl.toString(),
    close: async () => {
      await database.close();
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${quoteIdent(copyName)} with (force)`);
      await cleanup.end();
    },
  };
}
