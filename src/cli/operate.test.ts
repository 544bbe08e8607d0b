// `strategy-hub backup | restore | verify | migrate-data` as an operator runs them: real
// processes on real databases (embedded folders, and a new PostgreSQL database when
// DATABASE_URL is set), with their summaries and exit codes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';
import { openDatabase } from '../platform/db/client.ts';
import { projectRoot } from '../platform/paths.ts';

const run = promisify(execFile);

describe('strategy-hub backup, restore, verify and migrate-data', () => {
  let dir: string;
  const base = { ...process.env };
  delete base.DATABASE_URL;

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'strategy-hub-operate-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function cli(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await run(process.execPath, [path.join(projectRoot, 'bin', 'strategy-hub.js'), ...args], { env: { ...base, ...env }, cwd: dir, maxBuffer: 10 * 1024 * 1024 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  }

  const source = () => ({ DATA_DIR: path.join(dir, 'source') });
  const copy = () => ({ DATA_DIR: path.join(dir, 'copy') });
  const file = () => path.join(dir, 'hub.backup');

  it('backs up the embedded database to a file only its owner can read', async () => {
    assert.equal((await cli(source(), 'seed')).code, 0);
    const backup = await cli(source(), 'backup', file());
    assert.equal(backup.code, 0, backup.stderr);
    assert.match(backup.stdout, /^Backed up [\d,]+ rows in \d+ tables and \d+ sequences from pglite at migration \d+ to .*hub\.backup \([\d.]+ KB\)\./);
    assert.match(backup.stdout, /public\.items\s+24 rows\s+[0-9a-f]{32}/);
    assert.match(backup.stderr, /backup: \d+\/\d+ \(100%\)/, 'progress on stderr');
    assert.equal(statSync(file()).mode & 0o777, 0o600);
  });

  it('restores into an empty folder, checks every table, and refuses to restore over rows', async () => {
    const restored = await cli(copy(), 'restore', file());
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /^Restored [\d,]+ rows in (\d+) tables into this database/);
    assert.match(restored.stdout, /public\.items\s+24 rows\s+ok/);
    assert.match(restored.stdout, /All \d+ tables match \(row counts and checksums\), and all \d+ sequences\./);
    const again = await cli(copy(), 'restore', file());
    assert.equal(again.code, 1);
    assert.match(again.stderr, /The target database is not empty: public\./);
    const missing = await cli({ DATA_DIR: path.join(dir, 'other') }, 'restore', path.join(dir, 'no-such-file'));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /The backup could not be read: ENOENT/);
  });

  it('verify names a table that changed since the backup, exit code 1', async () => {
    const same = await cli(copy(), 'verify', file());
    assert.equal(same.code, 0, same.stderr);
    assert.match(same.stdout, /All \d+ tables match/);
    const database = await openDatabase({ dataDir: copy().DATA_DIR });
    try {
      await database.executeSql(`update organisations set name = name || ' (renamed)' where id = (select min(id) from organisations)`);
    } finally {
      await database.close();
    }
    const changed = await cli(copy(), 'verify', file());
    assert.equal(changed.code, 1);
    assert.match(changed.stdout, /public\.organisations\s+24 rows\s+MISMATCH: checksum differs/);
    assert.match(changed.stdout, /1 of \d+ tables and sequences differ\./);
  });

  it('migrate-data checks its URL', async () => {
    const bad = await cli(source(), 'migrate-data', '--to', 'mysql://somewhere/hub');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /give a postgres:\/\/ URL naming a database/);
  });

  it('migrate-data copies the embedded database to an empty PostgreSQL database, once (DATABASE_URL)', async (test) => {
    if (!process.env.DATABASE_URL) {
      test.skip('set DATABASE_URL to a PostgreSQL server to copy the embedded database to it');
      return;
    }
    const server = new URL(process.env.DATABASE_URL);
    const name = `${server.pathname.slice(1)}_migrate_${process.pid}_${Date.now() % 1e8}`.slice(0, 63);
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    const target = new URL(process.env.DATABASE_URL);
    target.pathname = `/${name}`;
    try {
      const copied = await cli(source(), 'migrate-data', '--to', target.toString());
      assert.equal(copied.code, 0, copied.stderr);
      assert.match(copied.stdout, /^Copied [\d,]+ rows in \d+ tables into postgres:/);
      assert.match(copied.stdout, /All \d+ tables match/);
      assert.match(copied.stderr, /copy: \d+\/\d+ \(100%\)/);
      const again = await cli(source(), 'migrate-data', '--to', target.toString());
      assert.equal(again.code, 1);
      assert.match(again.stderr, /not empty/);
      // The copy answers like the original: the hub's own commands read it.
      const verified = await cli({ ...source(), DATABASE_URL: target.toString() }, 'verify', file());
      assert.equal(verified.code, 0, verified.stdout);
    } finally {
      await admin.query(`drop database if exists "${name}" with (force)`);
      await admin.end();
    }
  });
});
