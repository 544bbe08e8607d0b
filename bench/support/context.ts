// What every benchmark module receives and exports. `bench/run.ts` builds the context from the
// environment once, so all benchmarks use the same settings and print them the same way.

export interface BenchContext {
  /** Seconds of each measured load run (BENCH_DURATION, default 10). */
  durationSec: number;
  /** Seconds of load before each measured run, not measured (BENCH_WARMUP, default 3). */
  warmupSec: number;
  /** Concurrent HTTP connections (the figures the targets are stated for: 32). */
  connections: number;
  /** DATABASE_URL when set: benchmarks load a PostgreSQL server instead of embedded PGlite. */
  databaseUrl: string | undefined;
  /** BENCH_PROFILE=1: servers write a CPU profile to bench/results/profiles/, summarised in the output. */
  profile: boolean;
}

export interface Benchmark {
  /** Used on the command line: `npm run bench -- <name>`. */
  name: string;
  title: string;
  /** Prints its own figures. Throws only when it could not run at all. */
  run(context: BenchContext): Promise<void>;
}

export class SettingsError extends Error {}

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > 3600) {
    throw new SettingsError(`${name} must be a number of seconds from ${min} to 3600 (got "${raw}")`);
  }
  return value;
}

export function contextFromEnv(env: NodeJS.ProcessEnv = process.env): BenchContext {
  return {
    durationSec: seconds(env, 'BENCH_DURATION', 10, 1),
    warmupSec: seconds(env, 'BENCH_WARMUP', 3, 0),
    connections: 32,
    databaseUrl: env.DATABASE_URL?.trim() || undefined,
    profile: ['1', 'true', 'yes'].includes((env.BENCH_PROFILE ?? '').trim().toLowerCase()),
  };
}
