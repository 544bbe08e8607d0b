// Operating commands: `backup FILE`, `restore FILE`, `verify FILE` and `migrate-data --to URL`.
// All four use the logical dump (src/platform/db/dump.ts), the same on both engines, and end
// with a table-by-table summary of row counts and checksums.
import { InvalidArgumentError, type Command } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../config.ts';
import { openDatabase, openPostgres, redactUrl, type Database } from '../platform/db/client.ts';
import { dumpDatabase, DumpError, loadDatabase, VerifyError, verifyDatabase, type DumpHeader, type LoadResult, type VerifyReport } from '../platform/db/dump.ts';
import { readDumpFile, readDumpHeader, writeDumpFile } from '../platform/db/dump-file.ts';
import { progressReporter } from './progress.ts';
import { CliFailure } from './support.ts';

const postgresUrl = z.string().regex(/^postgres(ql)?:\/\/[^/]+\/[^/?#]+/, 'give a postgres:// URL naming a database, like postgres://user:password@host:5432/strategy_hub');

function parsePostgresUrl(value: string): string {
  const parsed = postgresUrl.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues[0]?.message ?? 'not a postgres:// URL');
  return parsed.data;
}

const count = (n: number) => n.toLocaleString('en-GB');
const rowsOf = (n: number) => `${count(n).padStart(10)} ${n === 1 ? 'row ' : 'rows'}`;

function sizeOf(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function totalRows(header: DumpHeader): number {
  return header.tables.reduce((sum, t) => sum + t.rows, 0);
}

/** Prints every table with rows (and any that differ), then one line for the empty ones. */
export function printReport(report: VerifyReport, out: (line: string) => void = console.log): void {
  const width = Math.max(...report.tables.map((t) => t.table.length), 10);
  let emptyOk = 0;
  for (const t of report.tables) {
    if (t.ok && t.expectedRows === 0) {
      emptyOk++;
      continue;
    }
    const rows = t.actualRows === null ? `${'-'.padStart(10)}     ` : rowsOf(t.actualRows);
    out(`  ${t.table.padEnd(width)}  ${rows}  ${t.ok ? 'ok' : `MISMATCH: ${t.problem} (backup has ${count(t.expectedRows)} rows)`}`);
  }
  if (emptyOk) out(`  and ${emptyOk} empty ${emptyOk === 1 ? 'table' : 'tables'}, ok`);
  for (const s of report.sequences.filter((s) => !s.ok)) out(`  sequence ${s.sequence}: MISMATCH (backup ${s.expected}, database ${s.actual ?? 'missing'})`);
  const tables = report.tables.length;
  const bad = report.tables.filter((t) => !t.ok).length + report.sequences.filter((s) => !s.ok).length;
  out(bad ? `${bad} of ${tables} tables and sequences differ.` : `All ${tables} tables match (row counts and checksums), and all ${report.sequences.length} sequences.`);
}

/** Dump and load problems are the input's (exit 1); a mismatch also prints the report. */
function asCliFailure(error: unknown): never {
  if (error instanceof VerifyError) {
    printReport(error.report);
    throw new CliFailure('Nothing was kept: the copy did not match, so it was rolled back.', 1);
  }
  if (error instanceof DumpError) throw new CliFailure(error.message, 1);
  throw error;
}

function printLoaded(result: LoadResult, what: string, where: string): void {
  const { header } = result;
  console.log(`${what} ${count(totalRows(header))} rows in ${header.tables.length} tables into ${where}, made ${header.createdAt} on ${header.engine} at migration ${header.migrations.length}.`);
  printReport(result.report);
  if (result.newerMigrations > 0) console.log(`Then applied ${result.newerMigrations} newer ${result.newerMigrations === 1 ? 'migration' : 'migrations'} of this version.`);
}

async function withConfiguredDatabase<T>(work: (database: Database, databaseUrl: string | undefined) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await openDatabase(config);
  try {
    return await work(database, config.databaseUrl);
  } finally {
    await database.close();
  }
}

export function registerOperateCommands(program: Command): void {
  program
    .command('backup <file>')
    .description('Write every table (with row counts and checksums) to FILE, a gzip\'d JSON-lines backup that restore reads on either engine. On PostgreSQL the hub can keep running.')
    .action(async (file: string) => {
      const progress = progressReporter();
      const result = await withConfiguredDatabase((database) => writeDumpFile(file, dumpDatabase(database), (done, total) => progress.update('backup', done, total))).catch(asCliFailure);
      progress.done();
      const { header } = result;
      console.log(`Backed up ${count(result.rows)} rows in ${header.tables.length} tables and ${header.sequences.length} sequences from ${header.engine} at migration ${header.migrations.length} to ${file} (${sizeOf(result.bytes)}).`);
      const width = Math.max(...header.tables.map((t) => `${t.schema}.${t.name}`.length));
      for (const t of header.tables.filter((t) => t.rows > 0)) console.log(`  ${`${t.schema}.${t.name}`.padEnd(width)}  ${rowsOf(t.rows)}  ${t.checksum}`);
      const empty = header.tables.filter((t) => t.rows === 0).length;
      if (empty) console.log(`  and ${empty} empty tables`);
    });

  program
    .command('restore <file>')
    .description('Load a backup into an empty database (the embedded one in DATA_DIR, or DATABASE_URL), check every table\'s rows and checksum, and keep it only if all match')
    .action(async (file: string) => {
      await readDumpHeader(file).catch(asCliFailure); // a missing or foreign file, before any database is opened
      const progress = progressReporter();
      const result = await withConfiguredDatabase(async (database, databaseUrl) => {
        return loadDatabase(database, readDumpFile(file), { databaseUrl, onProgress: (done, total) => progress.update('restore', done, total) });
      }).catch(asCliFailure);
      progress.done();
      printLoaded(result, 'Restored', 'this database');
    });

  program
    .command('verify <file>')
    .description('Compare the database with a backup, table by table (row counts and checksums); exit code 1 if any differ')
    .action(async (file: string) => {
      const header = await readDumpHeader(file).catch(asCliFailure);
      const report = await withConfiguredDatabase((database) => verifyDatabase(database, header));
      console.log(`Compared with ${file}, made ${header.createdAt} on ${header.engine}:`);
      printReport(report);
      if (!report.ok) process.exitCode = 1;
    });

  program
    .command('migrate-data')
    .description('Copy everything from this database (the embedded one by default) into an empty PostgreSQL database, then check every table\'s rows and checksum')
    .requiredOption('--to <url>', 'the PostgreSQL database to copy into (postgres://user:password@host:5432/name); it must hold no rows', parsePostgresUrl)
    .action(async (options: { to: string }) => {
      const progress = progressReporter();
      const result = await withConfiguredDatabase(async (source, sourceUrl) => {
        if (sourceUrl && sourceUrl === options.to) throw new CliFailure('The target is the database the hub uses: give another one', 1);
        const target = await openPostgres(options.to).catch((error: unknown) => {
          throw new CliFailure(`Cannot connect to ${redactUrl(options.to)}: ${error instanceof Error ? error.message : String(error)}`, 2);
        });
        try {
          return await loadDatabase(target, dumpDatabase(source), { databaseUrl: options.to, onProgress: (done, total) => progress.update('copy', done, total) });
        } finally {
          await target.close();
        }
      }).catch(asCliFailure);
      progress.done();
      printLoaded(result, 'Copied', redactUrl(options.to));
      console.log('Point the hub at it: set DATABASE_URL to that URL and start it.');
    });
}
