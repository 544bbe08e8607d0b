// `npm run bench`: runs the named benchmark modules in turn (all of them by default) and prints
// their figures. Benchmarks report; they do not pass or fail. The exit code is non-zero only
// when a benchmark could not run (for example the server did not start).
//
//   npm run bench                      every benchmark
//   npm run bench -- strategy-pages    only the ones named
//   npm run bench -- --list            the names
//   BENCH_DURATION=5 npm run bench     shorter measured runs (seconds; BENCH_WARMUP likewise)
//   BENCH_PROFILE=1 npm run bench      also profile the server (bench/results/profiles/)
//   DATABASE_URL=postgres://… npm run bench   load an empty, disposable PostgreSQL database instead of PGlite
import os from 'node:os';
import { runCleanups } from './support/cleanup.ts';
import { SettingsError, contextFromEnv, type Benchmark } from './support/context.ts';
import { bytes, duration } from './support/print.ts';
import { strategyPages } from './strategy-pages.ts';
import { progressDashboard } from './progress.ts';
import { workforceModel } from './workforce.ts';
import { championSignups } from './champions.ts';
import { mixedLoad } from './mixed.ts';
import { bulletinSend } from './bulletins.ts';

/** Every benchmark, in the order they run. Add new modules here. */
const BENCHMARKS: readonly Benchmark[] = [strategyPages, progressDashboard, workforceModel, championSignups, bulletinSend, mixedLoad];

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    console.error(`\n${signal}: stopping servers and removing temporary files…`);
    void runCleanups().finally(() => process.exit(130));
  });
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--list')) {
    for (const b of BENCHMARKS) console.log(`${b.name.padEnd(20)} ${b.title}`);
    return 0;
  }
  const unknown = args.filter((a) => !BENCHMARKS.some((b) => b.name === a));
  if (unknown.length) {
    console.error(`Unknown benchmark: ${unknown.join(', ')}. Known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
    return 2;
  }
  const selected = args.length ? BENCHMARKS.filter((b) => args.includes(b.name)) : BENCHMARKS;

  let context;
  try {
    context = contextFromEnv();
  } catch (error) {
    if (error instanceof SettingsError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }

  const cpus = os.cpus();
  const started = performance.now();
  console.log('Workforce Strategy Hub benchmarks');
  console.log(
    `machine: ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? 'unknown'}), ${bytes(os.totalmem())} memory, ` +
      `${os.platform()} ${os.arch()}, Node ${process.version}`,
  );
  console.log(`load average before start (1/5/15 min): ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}`);
  console.log(
    `settings: ${context.connections} connections over loopback (127.0.0.1), warm-up ${context.warmupSec} s, ` +
      `measured ${context.durationSec} s per run (BENCH_WARMUP, BENCH_DURATION)` +
      (context.profile ? '; profiling the server (BENCH_PROFILE)' : ''),
  );

  const failed: string[] = [];
  for (const benchmark of selected) {
    console.log('');
    console.log(`### ${benchmark.name}: ${benchmark.title}`);
    try {
      await benchmark.run(context);
    } catch (error) {
      failed.push(benchmark.name);
      console.error(`\n${benchmark.name} could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    } finally {
      await runCleanups();
    }
  }

  console.log('');
  console.log(`finished in ${duration(performance.now() - started)}; load average now ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}`);
  if (failed.length) console.log(`could not run: ${failed.join(', ')}`);
  return failed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    console.error(error);
    await runCleanups();
    process.exit(1);
  },
);
