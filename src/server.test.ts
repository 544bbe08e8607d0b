// Graceful shutdown, for real: the hub as its own process (`node --import tsx src/server.ts`)
// on a free port. With a request in flight (its body half sent) and an idle keep-alive
// connection open, SIGTERM refuses new connections, lets the request finish with 200, closes
// the idle connection, stops the jobs and the database, and exits 0, saying so in its log.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from './platform/db/test-database.ts';
import { projectRoot } from './platform/paths.ts';
import { eventually, freePort, sleep } from './testing.ts';

const HOST = '127.0.0.1';




function connects(port: number): Promise<'connected' | 'refused'> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, HOST);
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNREFUSED' ? resolve('refused') : reject(error)));
  });
}

describe('graceful shutdown on SIGTERM', () => {
  let dir: string;
  let database: TestDatabase | undefined;
  let hub: ChildProcess | undefined;
  const log: string[] = [];

  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'strategy-hub-shutdown-'));
  });
  after(async () => {
    if (hub && hub.exitCode === null && hub.signalCode === null) hub.kill('SIGKILL');
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finishes the request in flight, refuses new connections, closes everything and exits 0', async () => {
    if (process.env.DATABASE_URL) database = await createTestDatabase();
    const port = await freePort();
    const origin = `http://${HOST}:${port}`;
    hub = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: projectRoot,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'production',
        SESSION_SECRET: randomBytes(32).toString('hex'),
        HOST,
        PORT: String(port),
        DATA_DIR: path.join(dir, 'data'),
        DATABASE_URL: database?.url ?? '',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => hub!.once('exit', (code, signal) => resolve({ code, signal })));
    for (const stream of [hub.stdout!, hub.stderr!]) stream.on('data', (chunk: Buffer) => log.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
    const said = (text: string) => log.some((line) => line.includes(text));

    await eventually(
      async () => {
        if (hub!.exitCode !== null) throw new Error(`the hub exited at start:\n${log.join('\n')}`);
        return fetch(`${origin}/readyz`).then(
          (r) => r.status === 200,
          () => false,
        );
      },
      90_000,
      'the hub to be ready',
    );

    // An idle keep-alive connection, as a proxy keeps: it must not hold the shutdown up.
    const agent = new http.Agent({ keepAlive: true });
    const idle = await new Promise<number>((resolve, reject) => {
      http.get(`${origin}/healthz`, { agent }, (res) => res.resume().on('end', () => resolve(res.statusCode ?? 0))).on('error', reject);
    });
    assert.equal(idle, 200);

    // A request in flight: the headers and half the body sent.
    const body = JSON.stringify({ scenario: 'current-policy', runs: 20 });
    let request!: http.ClientRequest;
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      request = http.request(`${origin}/api/v1/workforce/projections`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      request.on('error', reject);
    });
    request.write(body.slice(0, 10));
    await sleep(300);

    hub.kill('SIGTERM');
    await eventually(() => said('shutting down'), 5_000, 'the hub to log that it is shutting down');
    await eventually(async () => (await connects(port)) === 'refused', 5_000, 'new connections to be refused');
    assert.equal(hub.exitCode, null, 'still running while the request is in flight');

    request.end(body.slice(10));
    const answer = await response;
    assert.equal(answer.status, 200, answer.body);
    assert.ok((JSON.parse(answer.body) as { years?: unknown[] }).years, 'a whole projection came back');

    const { code, signal } = await exited;
    agent.destroy();
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, log.slice(-20).join('\n'));
    assert.ok(said('requests finished, jobs stopped'), 'logs that requests and jobs ended');
    assert.ok(said('shut down cleanly'), 'logs a clean shutdown');
    assert.ok(!said('took too long'));
  });
});
