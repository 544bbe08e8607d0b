// A throwaway PostgreSQL server for benchmarks that need one when DATABASE_URL is not set:
// initdb and pg_ctl from Debian's packages (/usr/lib/postgresql/*/bin) in a temporary folder, on
// a free loopback port, stopped and removed however the run ends (as .ci/run does; as root,
// through `su postgres`, since PostgreSQL refuses to run as root).
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { registerCleanup } from './cleanup.ts';
import { freePort } from './server.ts';

export interface ThrowawayPostgres {
  /** A database (`bench`) on the new server. */
  url: string;
  version: string;
  stop: () => Promise<void>;
}

function pgBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(a) - Number(b)).at(-1);
  if (!newest) throw new Error('No PostgreSQL server found in /usr/lib/postgresql/*/bin: install Debian\'s postgresql package, or set DATABASE_URL');
  return path.join(root, newest, 'bin');
}

/** Runs a PostgreSQL program, as the postgres user when this process is root. */
function runPg(program: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const command = asRoot ? 'su' : program;
  const argv = asRoot ? ['postgres', '-s', '/bin/sh', '-c', [program, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')] : args;
  const result = spawnSync(command, argv, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${path.basename(program)} failed (${result.status}): ${result.stderr || result.stdout}`);
}

export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = pgBin();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'strategy-hub-bench-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const port = await freePort();
  const stopSync = () => {
    try {
      runPg(path.join(bin, 'pg_ctl'), ['-D', dir, '-m', 'immediate', 'stop']);
    } catch {
      // not running
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const stop = registerCleanup(`stop PostgreSQL in ${dir}`, async () => stopSync(), stopSync);
  try {
    runPg(path.join(bin, 'initdb'), ['-D', dir, '--auth=trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8']);
    // PostgreSQL's defaults (durable commits, fsync on), with room for the hub's pool and ours.
    runPg(path.join(bin, 'pg_ctl'), ['-D', dir, '-o', `-h 127.0.0.1 -p ${port} -k ${dir} -c max_connections=100 -c shared_buffers=128MB`, '-l', path.join(dir, 'server.log'), '-w', 'start']);
    const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    await admin.connect();
    const version = String((await admin.query<{ server_version: string }>('show server_version')).rows[0]?.server_version);
    await admin.query('create database bench');
    await admin.end();
    return { url: `postgres://postgres@127.0.0.1:${port}/bench`, version, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
