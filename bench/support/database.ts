// Loads a generated dataset into a fresh database, the way an operator would: migrate, load
// the demo strategy, then import organisations and items through the strategy service (so the
// import itself is measured). Embedded PGlite in a temporary DATA_DIR unless DATABASE_URL is set.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { cliActor } from '../../src/platform/audit/audit.ts';
import { openDatabase, redactUrl, type Engine } from '../../src/platform/db/client.ts';
import { migrate } from '../../src/platform/db/migrate.ts';
import { StrategyService, type ImportResult } from '../../src/features/strategy/service.ts';
import type { Table } from '../../src/platform/files/spreadsheet.ts';

export interface LoadTimings {
  engine: Engine;
  /** e.g. "PGlite 0.5.16 (embedded)" or "PostgreSQL 15.8 (DATABASE_URL)". */
  engineLabel: string;
  location: string;
  openMs: number;
  migrateMs: number;
  seedMs: number;
  organisations: { rows: number; created: number; ms: number };
  items: { rows: number; created: number; ms: number };
  /** pg_database_size after the load, in bytes. */
  databaseBytes: number | undefined;
}

export interface LoadOptions {
  dataDir: string;
  databaseUrl: string | undefined;
  organisations: Table;
  items: Table;
}

function pgliteVersion(): string {
  try {
    const require = createRequire(import.meta.url);
    const entry = require.resolve('@electric-sql/pglite');
    let dir = path.dirname(entry);
    for (let i = 0; i < 5; i++, dir = path.dirname(dir)) {
      try {
        const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
        if (pkg.name === '@electric-sql/pglite') return pkg.version ?? '?';
      } catch {
        // keep looking upwards
      }
    }
  } catch {
    // not resolvable: report no version
  }
  return '?';
}

function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

function assertImported(what: string, result: ImportResult): void {
  if (result.ok) return;
  const shown = result.problems
    .slice(0, 5)
    .map((p) => `row ${p.row ?? '-'} ${p.column ?? ''}: ${p.message}`)
    .join('\n  ');
  throw new Error(`the generated ${what} did not import (${result.problems.length} problems):\n  ${shown}`);
}

export async function loadDataset(options: LoadOptions): Promise<LoadTimings> {
  const actor = cliActor('bench');
  let t = performance.now();
  const database = await openDatabase({ dataDir: options.dataDir, databaseUrl: options.databaseUrl });
  const openMs = performance.now() - t;
  try {
    t = performance.now();
    await migrate(database, options.databaseUrl);
    const migrateMs = performance.now() - t;

    const service = new StrategyService(database);
    t = performance.now();
    const seeded = await service.seedDemo(actor);
    const seedMs = performance.now() - t;
    if (!seeded) {
      throw new Error(`the database at ${database.location} already holds a strategy: the benchmark needs an empty, disposable database`);
    }

    t = performance.now();
    const orgResult = await service.importOrganisations(options.organisations, actor);
    const orgMs = performance.now() - t;
    assertImported('organisations', orgResult);

    t = performance.now();
    const itemResult = await service.importItems(options.items, actor);
    const itemMs = performance.now() - t;
    assertImported('items', itemResult);

    let databaseBytes: number | undefined;
    let engineLabel = `PGlite ${pgliteVersion()} (embedded)`;
    try {
      databaseBytes = Number(rowsOf<{ n: string | number }>(await database.db.execute(sql`select pg_database_size(current_database()) as n`))[0]?.n);
      if (database.engine === 'postgres') {
        const version = rowsOf<{ v: string }>(await database.db.execute(sql`select current_setting('server_version') as v`))[0]?.v ?? '?';
        engineLabel = `PostgreSQL ${version} (DATABASE_URL)`;
      }
    } catch {
      // sizes are informative only
    }

    return {
      engine: database.engine,
      engineLabel,
      location: options.databaseUrl ? redactUrl(options.databaseUrl) : database.location,
      openMs,
      migrateMs,
      seedMs,
      organisations: { rows: options.organisations.rows.length, created: orgResult.created, ms: orgMs },
      items: { rows: options.items.rows.length, created: itemResult.created, ms: itemMs },
      databaseBytes,
    };
  } finally {
    await database.close();
  }
}
