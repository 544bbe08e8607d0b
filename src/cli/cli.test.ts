// The `strategy-hub` command as an operator runs it: a real process on a real database.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { createTestDatabase, type TestDatabase } from '../platform/db/test-database.ts';
import { parseXlsx, toCsv, toXlsx } from '../platform/files/spreadsheet.ts';
import { projectRoot } from '../platform/paths.ts';

const run = promisify(execFile);

describe('strategy-hub command', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let database: TestDatabase | undefined;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'strategy-hub-cli-'));
    env = { ...process.env, DATA_DIR: path.join(dir, 'data') };
    delete env.DATABASE_URL;
    if (process.env.DATABASE_URL) {
      database = await createTestDatabase();
      env.DATABASE_URL = database.url;
    }
  });
  after(async () => {
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [path.join(projectRoot, 'bin', 'strategy-hub.js'), ...args], { env, cwd: dir });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  it('migrates, then loads the demo strategy once', async () => {
    const migrated = await cli('migrate');
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(migrated.stdout, /Migrations: (\d+) of \1 applied/);
    const seeded = await cli('seed');
    assert.equal(seeded.stdout.trim(), 'Loaded the demo strategy.\nLoaded the workforce model data: 2 datasets, 4 scenarios, levers for 11 items.\nLoaded the governance bodies: 10.\nLoaded the engagement activities (illustrative): 6.\nLoaded the mailing lists (12) and the demo bulletins (illustrative): 3.\nLoaded the demo champions (invented): 12.');
    const again = await cli('seed');
    assert.equal(again.stdout.trim(), 'The demo data is already loaded; nothing changed.');
  });

  it('exports items as CSV, JSON and XLSX in the columns import reads', async () => {
    const csv = await cli('export', 'items');
    assert.equal(csv.code, 0, csv.stderr);
    const rows = parse<Record<string, string>>(csv.stdout, { columns: true });
    assert.equal(rows.length, 24);
    assert.equal(rows[0]?.code, 'AR-01');
    const json = await cli('export', 'items', '--format', 'json', '--output', path.join(dir, 'items.json'));
    assert.equal(json.code, 0, json.stderr);
    assert.equal((JSON.parse(readFileSync(path.join(dir, 'items.json'), 'utf8')) as unknown[]).length, 24);
    const reimport = await cli('import', 'items', path.join(dir, 'items.json'));
    assert.match(reimport.stdout, /Imported: 24 items read; 0 created, 0 updated, 24 unchanged\./);
    const file = path.join(dir, 'items.xlsx');
    const xlsx = await cli('export', 'items', '--format', 'xlsx', '--output', file);
    assert.match(xlsx.stderr, /Wrote 24 items/);
    assert.equal((await parseXlsx(readFileSync(file))).rows.length, 24);
    const bad = await cli('export', 'items', '--format', 'pdf');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /use csv, xlsx or json/);
  });

  it('shows problems by row and column, exits 1 and writes nothing', async () => {
    const file = path.join(dir, 'bad.csv');
    writeFileSync(file, 'code,title,area,lead_organisations,status\nOK-01,Fine,train,DHSC,\nBAD-01,Broken,nowhere,DHSC,finished\n');
    const result = await cli('import', 'items', file);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /Nothing was imported: 1 problem to fix\./);
    assert.match(result.stdout, /Row 3, column status: must be one of: not_started, in_progress, complete, retired, or empty/);
    const exported = parse<Record<string, string>>((await cli('export', 'items')).stdout, { columns: true });
    assert.equal(exported.some((r) => r.code === 'OK-01'), false);
  });

  it('shows a dry run, then imports, then finds nothing to change', async () => {
    const file = path.join(dir, 'good.csv');
    writeFileSync(file, 'code,title,area,lead_organisations,status\nNEW-01,A new item,train,DHSC,in progress\nAR-07,Ten-year attraction plan,attract-and-retain,Cross-sector attraction partnership,in_progress\n');
    const dry = await cli('import', 'items', file, '--dry-run');
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.match(dry.stdout, /would create NEW-01/);
    assert.match(dry.stdout, /would update AR-07: title, status/);
    assert.match(dry.stdout, /Dry run, nothing written: 2 items read; 1 to create, 1 to update, 0 unchanged\./);
    const real = await cli('import', 'items', file);
    assert.match(real.stdout, /Imported: 2 items read; 1 created, 1 updated, 0 unchanged\./);
    assert.match(real.stderr, /Checking: 2\/2/, 'progress is shown on stderr');
    const again = await cli('import', 'items', file);
    assert.match(again.stdout, /Imported: 2 items read; 0 created, 0 updated, 2 unchanged\./);
  });

  it('refuses to open the embedded database while another process holds it', { skip: !!process.env.DATABASE_URL && 'embedded database only' }, async () => {
    const { spawn } = await import('node:child_process');
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    try {
      writeFileSync(path.join(dir, 'data', 'db.lock'), String(holder.pid));
      const result = await cli('export', 'items');
      assert.equal(result.code, 2);
      assert.match(result.stderr, new RegExp(`in use by process ${holder.pid}`));
    } finally {
      holder.kill();
    }
    writeFileSync(path.join(dir, 'data', 'db.lock'), '999999999');
    const stale = await cli('export', 'items');
    assert.equal(stale.code, 0, 'a lock left by a process that is gone is taken over');
  });

  it('projects a scenario as a table, CSV or JSON, stores the run once and replays it exactly', async () => {
    const table = await cli('project', '--scenario', 'published-method', '--runs', '0');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^The strategy's published method: 2023 to 2040\./);
    assert.match(table.stdout, /England\s+2023\s+1,836,000\s+1,705,000\s+131,000/);
    assert.match(table.stderr, /Run #(\d+) \(hash [0-9a-f]{12}…, engine [\d.]+\): The strategy's published method, 2023 to 2040, 0 Monte Carlo runs, seed 1/);
    const csv = await cli('project', '--scenario', 'Current policy', '--runs', '30', '--seed', '5', '--geography', 'regions', '--format', 'csv');
    assert.equal(csv.code, 0, csv.stderr);
    const rows = parse<Record<string, string>>(csv.stdout, { columns: true });
    assert.equal(rows.length, 9 * 18, 'nine regions, 2023 to 2040');
    assert.deepEqual([...new Set(rows.map((r) => r.area))].slice(0, 2), ['North East', 'North West']);
    assert.match(csv.stderr, /monte carlo: 60\/60 \(100%\)/, 'progress is shown on stderr');
    const id = /Run #(\d+)/.exec(csv.stderr)![1]!;
    const again = await cli('project', '--scenario', 'current-policy', '--runs', '30', '--seed', '5', '--format', 'json', '--to', '2040');
    const json = JSON.parse(again.stdout) as { id: number; hash: string; lines: { year: number; gapP10?: number; gapP90?: number }[] };
    assert.equal(String(json.id), id, 'the same request is the same stored run');
    const last = json.lines.at(-1)!;
    assert.ok(last.year === 2040 && last.gapP10! < last.gapP90!);
    const replay = await cli('reproduce', id);
    assert.equal(replay.code, 0, replay.stdout + replay.stderr);
    assert.match(replay.stdout, /hash matches .* figures identical/);
    const bad = await cli('project', '--geography', 'Atlantis', '--to', '2060');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /geography “Atlantis” is not england, regions, or an English region/);
    const far = await cli('project', '--to', '2060');
    assert.equal(far.code, 1);
    assert.match(far.stderr, /scenario\.to: The last year must be between 2024 and 2047/);
  });

  it('imports a newer population projection from XLSX, or refuses one with gaps and lists them', async () => {
    const source = parse<Record<string, string>>(readFileSync(path.join(projectRoot, 'data', 'datasets', 'population-snpp2022', 'population.csv')), { columns: true });
    const columns = ['area_code', 'year', 'age_band', 'population'];
    const gappy = path.join(dir, 'gappy.csv');
    writeFileSync(gappy, toCsv(columns, source.filter((r) => !(r.area_code === 'E12000009' && r.age_band === '65-74' && r.year === '2030'))));
    const refused = await cli('import', 'population', gappy, '--source', 'ONS', '--vintage', 'test');
    assert.equal(refused.code, 1);
    assert.match(refused.stdout, /Nothing was imported: 1 problem to fix\.\n {2}The population projection has gaps: 1 missing cell: South West \(E12000009\) 65-74 2030/);
    const xlsx = path.join(dir, 'population.xlsx');
    writeFileSync(xlsx, await toXlsx('population', columns, source.filter((r) => Number(r.year) <= 2042)));
    const missingSource = await cli('import', 'population', xlsx);
    assert.notEqual(missingSource.code, 0);
    assert.match(missingSource.stderr, /required option '--source <text>' not specified/);
    const imported = await cli('import', 'population', xlsx, '--source', 'ONS', '--vintage', '2022-based, to 2042');
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /Imported population dataset #\d+ “population\.xlsx” \(2022-based, to 2042\): \d+ values for 2022 to 2042 \(\d+ rows of other age bands skipped\)\. The model now reads it\./);
    const inside = await cli('project', '--runs', '0', '--format', 'csv');
    assert.equal(inside.code, 0, inside.stderr);
    const tooFar = await cli('project', '--runs', '0', '--to', '2045');
    assert.equal(tooFar.code, 1);
    assert.match(tooFar.stderr, /The last year must be between 2024 and 2042/, 'the newer projection is the one read');
  });

  it('says why a file cannot be read', async () => {
    const result = await cli('import', 'items', path.join(dir, 'missing.xlsx'));
    assert.equal(result.code, 1);
    assert.match(result.stderr, /missing\.xlsx: cannot be read \(ENOENT\)/);
  });
});
