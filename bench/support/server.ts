// Starts the hub as a separate process, the way a user runs it (`node --import tsx
// src/server.ts`), on a free loopback port, waits until it is ready, and stops it again.
// Also reads the process's CPU time and peak memory from /proc where there is one (Linux).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { projectRoot } from '../../src/platform/paths.ts';
import { freePort } from '../../src/testing.ts';
import { registerCleanup } from './cleanup.ts';

const HOST = '127.0.0.1';
// A port that was free on 127.0.0.1 a moment ago: the tests' own (never 3000 or 3100).
export { freePort };

export interface ServerOptions {
  dataDir: string;
  databaseUrl: string | undefined;
  /** How long to wait for /readyz, in ms. */
  readyTimeoutMs?: number;
  /** Extra options for node, before the script (e.g. --cpu-prof). */
  nodeArgs?: readonly string[];
  /** Extra environment for the server (e.g. PUBLIC_FORM_RATE_LIMIT). */
  env?: Record<string, string>;
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  pid: number;
  /** From spawn to the first 200 from /readyz, in ms. */
  startMs: number;
  /** Log lines the server wrote at warn or above (LOG_LEVEL=warn), and anything on stderr. */
  logLines: () => string[];
  /** CPU time (user + system) the process has used so far, in ms; undefined off Linux. */
  cpuMs: () => number | undefined;
  /** Resident memory now (VmRSS), in bytes; undefined off Linux. */
  rssBytes: () => number | undefined;
  /** Peak resident memory (VmHWM) so far, in bytes; undefined off Linux. */
  peakRssBytes: () => number | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`. Safe to call twice. */
  stop: (graceMs?: number) => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Clock ticks per second for /proc/<pid>/stat; 100 on every mainstream Linux build. */
const CLOCK_TICKS = 100;

function procCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which is in parentheses and may hold spaces).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) / CLOCK_TICKS) * 1000;
  } catch {
    return undefined;
  }
}

function procMemory(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const port = await freePort();
  const origin = `http://${HOST}:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    HOST,
    PORT: String(port),
    DATA_DIR: options.dataDir,
    // Empty means "embedded" to the hub's config.
    DATABASE_URL: options.databaseUrl ?? '',
    LOG_LEVEL: 'warn',
    SESSION_SECRET: randomBytes(32).toString('hex'),
    ...options.env,
  };
  const started = performance.now();
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', 'src/server.ts'], {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim()) logs.push(line.length > 2000 ? `${line.slice(0, 2000)}…` : line);
    }
    if (logs.length > 500) logs.splice(0, logs.length - 500);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exit = exited(child);
  const pid = child.pid;
  if (pid === undefined) throw new Error('the server process could not be started');

  let stopping: ReturnType<RunningServer['stop']> | undefined;
  const stopNow = (graceMs: number) =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = sleep(graceMs).then(() => 'timeout' as const);
        if ((await Promise.race([exit, timer])) === 'timeout') child.kill('SIGKILL');
      }
      return exit;
    })());
  const unregister = registerCleanup(
    `stop server ${pid}`,
    async () => void (await stopNow(10_000)),
    () => void child.kill('SIGKILL'),
  );

  // Wait for readiness, or for the process to give up.
  const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
  let died = false;
  void exit.then(() => (died = true));
  for (;;) {
    if (died) {
      await unregister();
      const { code, signal } = await exit;
      throw new Error(`the server exited before it was ready (code ${code}, signal ${signal}); its last output:\n${logs.slice(-30).join('\n')}`);
    }
    if (Date.now() > deadline) {
      await unregister();
      throw new Error(`the server was not ready within ${options.readyTimeoutMs ?? 90_000} ms; its last output:\n${logs.slice(-30).join('\n')}`);
    }
    try {
      const response = await fetch(`${origin}/readyz`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  const startMs = performance.now() - started;

  return {
    origin,
    pid,
    startMs,
    logLines: () => [...logs],
    cpuMs: () => procCpuMs(pid),
    rssBytes: () => procMemory(pid, 'VmRSS'),
    peakRssBytes: () => procMemory(pid, 'VmHWM'),
    stop: async (graceMs = 10_000) => {
      const result = await stopNow(graceMs);
      await unregister();
      return result;
    },
  };
}
