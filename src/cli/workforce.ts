// The workforce model's commands: `import population|workforce FILE` (all or nothing),
// `project` (a scenario to a table, JSON or CSV, stored by hash) and `reproduce RUN`.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { cliActor } from '../platform/audit/audit.ts';
import { readTableFile, TableReadError } from '../platform/files/spreadsheet.ts';
import { InputError } from '../platform/http/validation.ts';
import { WorkforceService, type RunResult } from '../features/workforce/service.ts';
import { areaName } from '../features/workforce/datasets.ts';
import { MonteCarloPool } from '../features/workforce/monte-carlo-pool.ts';
import { linesCsv, projectionLines } from '../features/workforce/lines.ts';
import { geographySchema } from '../features/workforce/forms.ts';
import { progressReporter } from './progress.ts';
import { CliFailure, withDatabase } from './support.ts';

const whole = (name: string) => (value: string) => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number`);
  return Number(value);
};

function parseOutput(value: string): 'table' | 'json' | 'csv' {
  if (value === 'table' || value === 'json' || value === 'csv') return value;
  throw new InvalidArgumentError('use table, json or csv');
}

/** Input problems as the CLI reports them: each on its line, exit code 1. */
function inputFailure(error: unknown): never {
  if (error instanceof InputError) throw new CliFailure(`The projection cannot be run:\n${error.problems.map((p) => `  ${p.message}`).join('\n')}`, 1);
  throw error;
}

export function registerWorkforceCommands(program: Command, importCommand: Command): void {
  for (const kind of ['population', 'workforce'] as const) {
    importCommand
      .command(`${kind} <file>`)
      .description(
        kind === 'population'
          ? 'Load a population projection for the workforce model (columns area_code, year, age_band, population; England and the nine regions; bands 18-64, 65-74, 75-84, 85+, 65+, every year)'
          : 'Load a workforce base for the model (columns year, area_code, role, measure, value, source, vintage; every region × role group × measure)',
      )
      .requiredOption('--source <text>', 'who published the figures')
      .requiredOption('--vintage <text>', 'the edition, e.g. "2023-based SNPP" or "2024/25"')
      .option('--name <text>', 'a name for the dataset (default: the file name)')
      .option('--licence <text>', 'the licence the figures are under', '')
      .action(async (file: string, options: { source: string; vintage: string; name?: string; licence: string }) => {
        const progress = progressReporter();
        progress.update('reading', 0, 1);
        const [bytes, table] = await Promise.all([
          readFile(file).catch(() => {
            throw new CliFailure(`Cannot read ${file}`, 1);
          }),
          readTableFile(file).catch((error: unknown) => {
            throw error instanceof TableReadError ? new CliFailure(error.message, 1) : error;
          }),
        ]);
        progress.update('reading', 1, 1);
        progress.done();
        console.error(`Read ${table.rows.length} rows from ${file}; checking every cell and the coverage.`);
        const result = await withDatabase(async (database, strategy) =>
          new WorkforceService(database, strategy).importDataset(
            kind,
            table,
            {
              name: options.name ?? path.basename(file),
              source: options.source,
              vintage: options.vintage,
              licence: options.licence,
              fileName: path.basename(file),
              sha256: createHash('sha256').update(bytes).digest('hex'),
            },
            cliActor(`import ${kind}`),
          ),
        );
        if (!result.ok) {
          console.log(`Nothing was imported: ${result.problems.length} ${result.problems.length === 1 ? 'problem' : 'problems'} to fix.`);
          for (const p of result.problems) {
            const where = [p.row !== null ? `Row ${p.row}` : null, p.column ? `column ${p.column}` : null].filter(Boolean).join(', ');
            console.log(`  ${where ? `${where}: ` : ''}${p.message}`);
          }
          process.exitCode = 1;
          return;
        }
        const d = result.dataset;
        const skipped = result.skipped ? ` (${result.skipped} rows of other age bands skipped)` : '';
        console.log(
          `Imported ${kind} dataset #${d.id} “${d.name}” (${d.vintage}): ${result.rows} values for ${d.firstYear === d.lastYear ? d.firstYear : `${d.firstYear} to ${d.lastYear}`}${skipped}. The model now reads it.`,
        );
      });
  }

  program
    .command('project')
    .description('Run the workforce model for a saved scenario: baseline and delivery-adjusted, with Monte Carlo bands; the run is stored by its hash')
    .option('--scenario <name>', 'a saved scenario, by slug or name', 'current-policy')
    .option('--runs <n>', 'Monte Carlo runs (0 for none)', whole('--runs'), 1000)
    .option('--seed <n>', 'the random seed (the same seed gives the same numbers)', whole('--seed'), 1)
    .option('--geography <where>', 'england, regions, or one region by code or name', 'england')
    .option('--to <year>', 'the last year (default: the scenario’s, usually 2040)', whole('--to'))
    .option('--format <format>', 'table, json or csv', parseOutput, 'table')
    .action(async (options: { scenario: string; runs: number; seed: number; geography: string; to?: number; format: 'table' | 'json' | 'csv' }) => {
      if (options.runs > 100_000) throw new CliFailure('--runs must be 100000 or fewer', 1);
      const progress = progressReporter();
      const started = performance.now();
      const pool = new MonteCarloPool();
      const result = await withDatabase(async (database, strategy) =>
        new WorkforceService(database, strategy, { monteCarlo: (...args) => pool.run(...args) })
          .run(
            { scenario: options.scenario, runs: options.runs, seed: options.seed, geography: options.geography, ...(options.to ? { to: options.to } : {}) },
            { store: true, actor: cliActor('project'), maxRuns: 100_000, onProgress: (done, total) => progress.update('monte carlo', done, total) },
          )
          .catch(inputFailure),
      ).finally(() => pool.close());
      progress.done();
      // The service has already checked it against the same schema.
      const geography = geographySchema.parse(options.geography);
      process.stdout.write(format(result, geography, options.format));
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.error(
        `Run #${result.id} (hash ${result.hash.slice(0, 12)}…, engine ${result.engineVersion}): ${result.scenario.name}, ${result.baseYear} to ${result.to}, ` +
          `${result.runs} Monte Carlo runs, seed ${result.seed}, in ${seconds} s. Replay it with: npx strategy-hub reproduce ${result.id}`,
      );
    });

  program
    .command('reproduce <run>')
    .description('Replay a stored run from the datasets it read and check every figure comes out the same')
    .action(async (run: string) => {
      const id = whole('run')(run);
      const outcome = await withDatabase(async (database, strategy) => new WorkforceService(database, strategy).reproduce(id));
      console.log(`Run #${id}: hash ${outcome.sameHash ? 'matches' : 'DIFFERS'} (${outcome.stored.hash.slice(0, 12)}… stored, ${outcome.replayed.hash.slice(0, 12)}… replayed); figures ${outcome.sameResult ? 'identical' : 'DIFFER'}.`);
      if (!outcome.sameHash || !outcome.sameResult) process.exitCode = 1;
    });
}

const n = (v: number) => Math.round(v).toLocaleString('en-GB');

function format(result: RunResult, geography: string, as: 'table' | 'json' | 'csv'): string {
  const lines = projectionLines(result, geography);
  if (as === 'json') return `${JSON.stringify({ ...result, lines }, null, 2)}\n`;
  if (as === 'csv') return linesCsv(lines);
  const header = ['Area', 'Year', 'Posts needed', 'Filled (baseline)', 'Gap (baseline)', 'Filled (delivery)', 'Gap (delivery)', 'Gap P10–P90 (delivery)'];
  const body = lines.map((l) => [
    areaName(l.geography),
    String(l.year),
    n(l.demand),
    n(l.filledBaseline),
    n(l.gapBaseline),
    n(l.filledDelivered),
    n(l.gapDelivered),
    l.gapP10 !== undefined ? `${n(l.gapP10)} to ${n(l.gapP90!)}` : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const row = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const title = `${result.scenario.name}: ${result.baseYear} to ${result.to}. Baseline = the scenario alone; delivery = with each item's levers weighted by its status.`;
  return `${title}\n${row(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${body.map(row).join('\n')}\n`;
}
