// The public progress dashboard under load: /progress (figures, six server-rendered SVG charts
// and their tables) and /api/v1/progress/summary over 10,000 items, 200 organisations and
// 200,000 published progress updates, at 32 connections. Target on a 2-core machine: /progress
// at ≥ 1,000 req/s with p99 ≤ 100 ms. Also the first, uncached request to each (what the first
// visitor after a publication waits for), and ETag / 304.
import type { Benchmark, BenchContext } from './support/context.ts';
import { generateDataset } from './support/dataset.ts';
import { loadDataset } from './support/database.ts';
import { makeTempDir } from './support/cleanup.ts';
import { runLoad } from './support/http-load.ts';
import { loadPublishedUpdates } from './support/progress-updates.ts';
import { bytes, count, duration, heading, note, printLoadTable, printTable } from './support/print.ts';
import { startServer, type RunningServer } from './support/server.ts';

const ORGANISATIONS = 200;
const ITEMS = 10_000;
const UPDATES = 200_000;
const SEED = 20_240_718;
const TARGET = { reqPerSec: 1000, p99Ms: 100 };
const PATHS = { page: '/progress', api: '/api/v1/progress/summary', organisations: '/progress/organisations' } as const;



/** One request, timed from sending to the last byte. */
async function timedFetch(url: string, headers: Record<string, string> = {}): Promise<{ status: number; ms: number; bytes: number; etag: string | null; body: string }> {
  const started = performance.now();
  const response = await fetch(url, { headers });
  const body = await response.text();
  return { status: response.status, ms: performance.now() - started, bytes: Buffer.byteLength(body), etag: response.headers.get('etag'), body };
}

async function run(context: BenchContext): Promise<void> {
  const { connections, durationSec, warmupSec } = context;

  heading('dataset');
  const dataset = generateDataset({ organisations: ORGANISATIONS, items: ITEMS, seed: SEED });
  note(`${count(dataset.organisations.length)} organisations and ${count(dataset.items.length)} items (seed ${SEED}), plus the demo strategy's own`);

  const dataDir = makeTempDir('strategy-hub-bench-progress-');
  let server: RunningServer | undefined;
  try {
    heading('loading');
    if (context.databaseUrl) {
      console.log('  WARNING: DATABASE_URL is set, so the benchmark loads that PostgreSQL database. It must be an');
      console.log('  empty, disposable database: the benchmark writes 10,000 items and 200,000 updates into it.');
    }
    const load = await loadDataset({ dataDir: dataDir.path, databaseUrl: context.databaseUrl, organisations: dataset.organisationsTable, items: dataset.itemsTable });
    note(`database: ${load.engineLabel}; import ${count(load.items.rows)} items in ${duration(load.items.ms)}`);
    const updates = await loadPublishedUpdates({ dataDir: dataDir.path, databaseUrl: context.databaseUrl, updates: UPDATES });
    note(`published updates: ${count(updates.updates)} over ${count(updates.items)} items (not retired), bulk-loaded in ${duration(updates.ms)}`);

    heading('server');
    server = await startServer({ dataDir: dataDir.path, databaseUrl: context.databaseUrl });
    note(`node --import tsx src/server.ts (NODE_ENV=production) pid ${server.pid} at ${server.origin}: ready in ${duration(server.startMs)}`);
    const origin = server.origin;
    const serverCpuMs = server.cpuMs;

    heading('first requests (nothing cached: figures from 200,000 updates, then charts)');
    const firstPage = await timedFetch(`${origin}${PATHS.page}`);
    if (firstPage.status !== 200) throw new Error(`${PATHS.page} answered ${firstPage.status}: ${firstPage.body.slice(0, 500)}`);
    const firstApi = await timedFetch(`${origin}${PATHS.api}`);
    const firstOrganisations = await timedFetch(`${origin}${PATHS.organisations}`);
    const summary = JSON.parse(firstApi.body) as { items: { total: number; active: number }; in_progress_or_complete: { percent: number }; status_over_time: unknown[] };
    printTable(
      [{ header: 'request' }, { header: 'status', align: 'right' }, { header: 'time', align: 'right' }, { header: 'body', align: 'right' }],
      [
        [`${PATHS.page} (figures, charts and page)`, String(firstPage.status), duration(firstPage.ms), bytes(firstPage.bytes)],
        [`${PATHS.api} (figures already worked out)`, String(firstApi.status), duration(firstApi.ms), bytes(firstApi.bytes)],
        [`${PATHS.organisations} (figures already worked out)`, String(firstOrganisations.status), duration(firstOrganisations.ms), bytes(firstOrganisations.bytes)],
      ],
    );
    note(
      `the summary counts ${count(summary.items.total)} items (${count(summary.items.active)} not retired), ` +
        `${summary.in_progress_or_complete.percent}% in progress or complete, ${summary.status_over_time.length} quarters of status over time` +
        (summary.items.total < ITEMS ? ` — FEWER THAN THE ${count(ITEMS)} LOADED` : ''),
    );

    heading(`cached: ${connections} connections, ${warmupSec} s warm-up, ${durationSec} s measured`);
    const page = await runLoad({ label: `${PATHS.page} (HTML)`, origin, path: PATHS.page, connections, warmupSec, durationSec, serverCpuMs });
    const api = await runLoad({ label: `${PATHS.api} (JSON)`, origin, path: PATHS.api, connections, warmupSec, durationSec, serverCpuMs });
    const organisations = await runLoad({ label: `${PATHS.organisations} (HTML, page 1)`, origin, path: PATHS.organisations, connections, warmupSec, durationSec, serverCpuMs });
    printLoadTable([{ result: page, target: true }, { result: api, target: true }, { result: organisations }], TARGET);
    note('CPU srv/cli: per cent of one core used by the server, and by autocannon in this process, during the measured run');

    heading('conditional requests (ETag / If-None-Match)');
    const rows: string[][] = [];
    for (const path of Object.values(PATHS)) {
      const first = await timedFetch(`${origin}${path}`);
      const again = first.etag ? await timedFetch(`${origin}${path}`, { 'if-none-match': first.etag }) : undefined;
      rows.push([path, first.etag ?? '(none)', again ? String(again.status) : '-', again?.status === 304 ? 'ok: 304' : 'NOT 304']);
    }
    printTable([{ header: 'path' }, { header: 'ETag' }, { header: 'with If-None-Match' }, { header: 'check' }], rows);

    heading('server process');
    const peak = server.peakRssBytes();
    note(peak === undefined ? 'resident memory: not available on this system (no /proc)' : `peak resident memory (VmHWM): ${bytes(peak)}`);
    const logged = server.logLines();
    note(`log lines at warn or above, and stderr: ${count(logged.length)}`);
    for (const line of logged.slice(0, 5)) note(`  ${line.length > 300 ? `${line.slice(0, 300)}…` : line}`);
    const { code, signal } = await server.stop();
    server = undefined;
    note(`stopped with SIGTERM: exit code ${code ?? '-'}${signal ? `, signal ${signal}` : ''}`);
  } finally {
    if (server) await server.stop();
    await dataDir.remove();
  }
}

export const progressDashboard: Benchmark = {
  name: 'progress',
  title: `/progress and /api/v1/progress/summary over ${count(ITEMS)} items, ${count(ORGANISATIONS)} organisations and ${count(UPDATES)} published updates`,
  run,
};
