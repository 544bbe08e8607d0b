// Drives HTTP load with autocannon (in this process, over loopback) and reduces its result to
// the figures benchmarks print: throughput, latency percentiles, status codes, errors, and how
// busy the server and this load generator were while it ran.
import autocannon from 'autocannon';

export interface LoadSpec {
  label: string;
  origin: string;
  /** One path for every request... */
  path?: string;
  /** ...or several, handed out in turn across all connections (the first N requests are N different paths). */
  paths?: readonly string[];
  headers?: Record<string, string>;
  connections: number;
  /** A timed run, in seconds... */
  durationSec?: number;
  /** ...or a fixed number of requests. */
  amount?: number;
  /** Seconds of the same load first, not measured. */
  warmupSec?: number;
  /** CPU time used by the server so far, in ms (from /proc), to report how busy it was. */
  serverCpuMs?: () => number | undefined;
}

export interface LoadResult {
  label: string;
  responses: number;
  wallSec: number;
  /** Mean requests per second: autocannon's per-second mean for timed runs, responses / wall time otherwise. */
  reqPerSec: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  statusCounts: Record<string, number>;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Per cent of one core, or undefined when it cannot be read. */
  serverCpu: number | undefined;
  clientCpu: number;
  bytesPerSec: number;
}

function options(spec: LoadSpec, measured: boolean): autocannon.Options {
  const url = `${spec.origin}${spec.path ?? spec.paths?.[0] ?? '/'}`;
  const base: autocannon.Options = {
    url,
    connections: spec.connections,
    pipelining: 1,
    timeout: 10,
    ...(spec.headers ? { headers: spec.headers } : {}),
  };
  if (spec.paths && spec.paths.length) {
    const paths = spec.paths;
    let next = 0;
    base.requests = [{ setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length] }) }];
  }
  if (measured && spec.amount !== undefined) return { ...base, amount: spec.amount };
  return { ...base, duration: measured ? (spec.durationSec ?? 10) : (spec.warmupSec ?? 0) };
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  if (spec.warmupSec && spec.warmupSec > 0) await autocannon(options(spec, false));

  const serverBefore = spec.serverCpuMs?.();
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  const result = await autocannon(options(spec, true));
  const wallSec = (performance.now() - started) / 1000;
  const client = process.cpuUsage(clientBefore);
  const serverAfter = spec.serverCpuMs?.();

  const statusCounts: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) {
    if (stat.count) statusCounts[code] = stat.count;
  }
  const responses = Object.values(statusCounts).reduce((a, b) => a + b, 0) || result.requests.total;
  const timed = spec.amount === undefined;
  return {
    label: spec.label,
    responses,
    wallSec,
    reqPerSec: timed ? result.requests.average : responses / wallSec,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: result.latency.mean,
    },
    statusCounts,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    serverCpu:
      serverBefore !== undefined && serverAfter !== undefined ? ((serverAfter - serverBefore) / (wallSec * 1000)) * 100 : undefined,
    clientCpu: ((client.user + client.system) / 1000 / (wallSec * 1000)) * 100,
    bytesPerSec: timed ? result.throughput.average : (result.throughput.total || 0) / wallSec,
  };
}
