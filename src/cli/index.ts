// `npx strategy-hub`: operator commands on the same database the hub uses (embedded in
// DATA_DIR, or DATABASE_URL). Each command prints a summary and exits non-zero on failure.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, loadConfig } from '../config.ts';
import { cliActor } from '../platform/audit/audit.ts';
import { DatabaseInUseError, openDatabase } from '../platform/db/client.ts';
import { migrate, migrationStatus } from '../platform/db/migrate.ts';
import { readTableFile, TableReadError, toCsv, toXlsx } from '../platform/files/spreadsheet.ts';
import { projectRoot } from '../platform/paths.ts';
import { ITEM_COLUMNS, ORGANISATION_COLUMNS } from '../features/strategy/forms.ts';
import { type ImportResult } from '../features/strategy/service.ts';
import { seedDemoData } from '../demo.ts';
import { progressReporter } from './progress.ts';
import { CliFailure, withDatabase } from './support.ts';
import { registerWorkforceCommands } from './workforce.ts';
import { registerOperateCommands } from './operate.ts';
import { emailField } from '../features/accounts/forms.ts';
import { AccountsService } from '../features/accounts/service.ts';
import { InputError } from '../platform/http/validation.ts';

const version = (JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;

function parseFormat(value: string): 'csv' | 'xlsx' | 'json' {
  if (value === 'csv' || value === 'xlsx' || value === 'json') return value;
  throw new InvalidArgumentError('use csv, xlsx or json');
}

export function printImportResult(result: ImportResult, what: string, out: (line: string) => void = console.log): void {
  for (const w of result.warnings) out(`Warning: ${w}`);
  if (!result.ok) {
    out(`Nothing was imported: ${result.problems.length} ${result.problems.length === 1 ? 'problem' : 'problems'} to fix.`);
    for (const p of result.problems) {
      const where = [p.row !== null ? `Row ${p.row}` : null, p.column ? `column ${p.column}` : null].filter(Boolean).join(', ');
      out(`  ${where ? `${where}: ` : ''}${p.message}`);
    }
    return;
  }
  if (result.dryRun) {
    for (const c of result.changes) {
      if (c.action === 'create') out(`  would create ${c.key}`);
      if (c.action === 'update') out(`  would update ${c.key}: ${c.fields.join(', ')}`);
    }
  }
  const total = result.created + result.updated + result.unchanged;
  const verb = result.dryRun ? 'Dry run, nothing written' : 'Imported';
  const noun = total === 1 ? what.replace(/s$/, '') : what;
  out(`${verb}: ${total} ${noun} read; ${result.created} ${result.dryRun ? 'to create' : 'created'}, ${result.updated} ${result.dryRun ? 'to update' : 'updated'}, ${result.unchanged} unchanged.`);
}

export function buildCli(): Command {
  const program = new Command('strategy-hub')
    .description('Workforce Strategy Hub: operator commands. Uses DATABASE_URL, or the embedded database in DATA_DIR (./data).')
    .version(version)
    .showHelpAfterError();

  program
    .command('migrate')
    .description('Apply database migrations (the hub also does this when it starts)')
    .action(async () => {
      const config = loadConfig();
      const database = await openDatabase(config);
      try {
        const before = await migrationStatus(database);
        const after = await migrate(database, config.databaseUrl);
        console.log(`Migrations: ${after.applied} of ${after.expected} applied (${after.applied - before.applied} new) on ${database.engine} (${database.location}).`);
      } finally {
        await database.close();
      }
    });

  program
    .command('seed')
    .description('Load the demo strategy into an empty database')
    .action(async () => {
      await withDatabase(async (database, service) => {
        const report = await seedDemoData(database, cliActor('seed'), service);
        console.log(report.length ? report.join('\n') : 'The demo data is already loaded; nothing changed.');
      });
    });

  const usersCommand = program.command('users').description('People who sign in');
  usersCommand
    .command('create-admin')
    .description('Create an administrator and print a one-time link (72 hours) to set their password')
    .requiredOption('--email <email>', 'their email address')
    .action(async (options: { email: string }) => {
      const email = emailField.safeParse(options.email);
      if (!email.success) throw new CliFailure(email.error.issues[0]?.message ?? 'Enter an email address', 1);
      const config = loadConfig();
      const database = await openDatabase(config);
      try {
        await migrate(database, config.databaseUrl);
        const link = await new AccountsService(database).createSetupLink(cliActor('users create-admin'), email.data).catch((error: unknown) => {
          throw error instanceof InputError ? new CliFailure(error.problems.map((p) => p.message).join('; '), 1) : error;
        });
        console.log(`Administrator ${email.data} created. Send them this link to set their password (it works once, for 72 hours):`);
        console.log(`  ${config.baseUrl}/setup/${link!.token}`);
      } finally {
        await database.close();
      }
    });

  const importCommand = program.command('import').description('Import a spreadsheet (CSV or XLSX, or JSON as export writes it) into the hub');
  for (const [name, what] of [
    ['items', 'items'],
    ['organisations', 'organisations'],
  ] as const) {
    importCommand
      .command(`${name} <file>`)
      .description(
        name === 'items'
          ? `Import recommendations and commitments, matched by code. Columns: ${ITEM_COLUMNS.join(', ')}`
          : `Import organisations, matched by name. Columns: ${ORGANISATION_COLUMNS.join(', ')}`,
      )
      .option('--dry-run', 'check the file and show what would change, writing nothing')
      .action(async (file: string, options: { dryRun?: boolean }) => {
        const progress = progressReporter();
        const table = await readTableFile(file).catch((error: unknown) => {
          throw error instanceof TableReadError ? new CliFailure(error.message, 1) : error;
        });
        console.error(`Read ${table.rows.length} rows from ${file}.`);
        const result = await withDatabase(async (_db, service) => {
          const actor = cliActor(`import ${name}`);
          const run = { dryRun: options.dryRun ?? false, onProgress: (stage: string, done: number, total: number) => progress.update(stage, done, total) };
          return name === 'items' ? service.importItems(table, actor, run) : service.importOrganisations(table, actor, run);
        });
        progress.done();
        printImportResult(result, what);
        if (!result.ok) process.exitCode = 1;
      });
  }

  registerWorkforceCommands(program, importCommand);
  registerOperateCommands(program);

  const exportCommand = program.command('export').description('Export what import reads');
  for (const name of ['items', 'organisations'] as const) {
    exportCommand
      .command(name)
      .description(`Export ${name} as CSV, XLSX or JSON, in the columns import reads`)
      .option('-f, --format <format>', 'csv, xlsx or json', parseFormat, 'csv')
      .option('-o, --output <file>', 'write to a file instead of standard output')
      .action(async (options: { format: 'csv' | 'xlsx' | 'json'; output?: string }) => {
        if (options.format === 'xlsx' && !options.output && process.stdout.isTTY) {
          throw new CliFailure('XLSX is binary: give --output FILE, or redirect standard output to a file', 1);
        }
        const columns = name === 'items' ? ITEM_COLUMNS : ORGANISATION_COLUMNS;
        const rows = await withDatabase(async (_db, service) => (name === 'items' ? service.exportItems() : service.exportOrganisations()));
        const data =
          options.format === 'csv'
            ? toCsv(columns, rows)
            : options.format === 'json'
              ? `${JSON.stringify(rows, null, 2)}\n`
              : await toXlsx(name, columns, rows);
        if (options.output) {
          await writeFile(options.output, data);
          console.error(`Wrote ${rows.length} ${name} to ${options.output}.`);
        } else {
          process.stdout.write(data);
        }
      });
  }

  return program;
}

async function main(): Promise<void> {
  try {
    await buildCli().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CliFailure || error instanceof ConfigError || error instanceof DatabaseInUseError) {
      console.error(error.message);
      process.exitCode = error instanceof CliFailure ? error.exitCode : 2;
      return;
    }
    console.error(error);
    process.exitCode = 2;
  }
}

await main();
