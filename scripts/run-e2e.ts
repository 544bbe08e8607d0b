// Runs the end-to-end suite the way a user meets the product: start the hub as its own
// process on a fresh data folder and a free local port, wait until it is ready, run every
// e2e/**/*.test.ts against it with node's test runner, then stop the hub and clean up.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;
const KEPT_OUTPUT_CHARS = 20_000;

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** A port nobody is listening on right now: ask the OS for one, then give it back. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port ? resolve(port) : reject(new Error('could not find a free port'))));
    });
  });
}

/** Every e2e file, or those named on the command line (`npm run test:e2e -- e2e/a.test.ts`). */
function testFiles(): string[] {
  const named = process.argv.slice(2);
  if (named.length) return named;
  const dir = path.join(projectRoot, 'e2e');
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.test.ts'))
    .map((name) => path.join('e2e', name))
    .sort();
}

/** The hub's own output, kept (the latest part only) to show when something goes wrong. */
class OutputTail {
  private text = '';
  add(chunk: Buffer): void {
    this.text = (this.text + chunk.toString('utf8')).slice(-KEPT_OUTPUT_CHARS);
  }
  toString(): string {
    return this.text.trim() || '(nothing)';
  }
}

function startHub(dataDir: string, port: number): { hub: ChildProcess; output: OutputTail } {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST,
    LOG_LEVEL: 'warn',
  };
  if (process.env.DATABASE_URL) env.DATABASE_URL = process.env.DATABASE_URL;
  const hub = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = new OutputTail();
  hub.stdout?.on('data', (chunk: Buffer) => output.add(chunk));
  hub.stderr?.on('data', (chunk: Buffer) => output.add(chunk));
  return { hub, output };
}

async function waitUntilReady(baseUrl: string, hub: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (hub.exitCode !== null || hub.signalCode !== null) {
      throw new Error(`the hub exited before it was ready (${hub.signalCode ?? `exit code ${hub.exitCode}`})`);
    }
    try {
      const response = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
      last = `GET /readyz answered ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the hub was not ready within ${READY_TIMEOUT_MS / 1000} s (last: ${last})`);
}

async function stopHub(hub: ChildProcess): Promise<void> {
  if (hub.exitCode !== null || hub.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => hub.once('exit', () => resolve()));
  hub.kill('SIGTERM');
  const timer = setTimeout(() => hub.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

async function runTests(files: string[], baseUrl: string, setupPath: string | undefined): Promise<number> {
  // TAP, whatever the terminal: its summary (# pass / # fail) is what CI reads.
  const runner = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-reporter=tap', '--test-timeout=240000', ...files],
    { cwd: projectRoot, env: { ...process.env, E2E_BASE_URL: baseUrl, ...(setupPath ? { E2E_SETUP_PATH: setupPath } : {}) }, stdio: 'inherit' },
  );
  return new Promise((resolve) => {
    runner.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function main(): Promise<number> {
  const files = testFiles();
  if (files.length === 0) {
    console.error('run-e2e: no e2e/**/*.test.ts files found');
    return 1;
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'strategy-hub-e2e-'));
  const port = await freePort();
  const baseUrl = `http://${HOST}:${port}`;
  const { hub, output } = startHub(dataDir, port);
  const interrupted = () => {
    void stopHub(hub).finally(() => {
      rmSync(dataDir, { recursive: true, force: true });
      process.exit(130);
    });
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const started = Date.now();
    try {
      await waitUntilReady(baseUrl, hub);
    } catch (error) {
      console.error(`run-e2e: ${error instanceof Error ? error.message : String(error)}`);
      console.error(`--- the hub's output ---\n${output.toString()}\n---`);
      return 1;
    }
    console.log(`run-e2e: hub ready at ${baseUrl} in ${((Date.now() - started) / 1000).toFixed(1)} s; running ${files.join(', ')}`);
    const code = await runTests(files, baseUrl, /\/setup\/[A-Za-z0-9_-]+/.exec(output.toString())?.[0]);
    if (code !== 0) console.error(`--- the hub's output (LOG_LEVEL=warn) ---\n${output.toString()}\n---`);
    return code;
  } finally {
    await stopHub(hub);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
