// The public strategy pages under load, over a large generated strategy (10,000 items led by
// 200 organisations). Target on a 2-core machine: /recommendations (HTML, first page) at
// ≥ 2,000 req/s with p99 ≤ 50 ms at 32 connections; responses carry ETags and answer 304.
//
// It also measures what the targets hide: pages not yet in the render cache ("varied filters",
// every one a cache miss on first sight), what serving such pages does to everyone else's
// requests, and conditional requests answered with 304.
import type { Benchmark, BenchContext } from './support/context.ts';
import { generateDataset, type Dataset, type GeneratedItem } from './support/dataset.ts';
import { loadDataset } from './support/database.ts';
import { makeTempDir } from './support/cleanup.ts';
import { printProfile, profileNodeArgs } from './support/profile.ts';
import { runLoad, type LoadResult } from './support/http-load.ts';
import { bytes, count, duration, heading, ms, note, printLoadTable, printTable, rate } from './support/print.ts';
import { Random } from './support/random.ts';
import { startServer, type RunningServer } from './support/server.ts';

const ORGANISATIONS = 200;
const ITEMS = 10_000;
const SEED = 20_240_718;
const PER_PAGE = 20;
const VARIED_URLS = 200;
const TARGET = { reqPerSec: 2000, p99Ms: 50 };

const HTML_PATH = '/recommendations';
const API_PATH = '/api/v1/items';

/* ---------- varied filter URLs ---------- */

interface FilterSet {
  params: [string, string][];
  /** Does a generated item match? Demo items may match too, so counts are lower bounds. */
  matches: (item: GeneratedItem) => boolean;
}

function filterSets(dataset: Dataset, random: Random): FilterSet[] {
  const statuses = ['not_started', 'in_progress', 'complete', 'retired', 'not_reported'];
  const statusMatch = (s: string) => (i: GeneratedItem) => (s === 'not_reported' ? i.status === '' : i.status === s);
  const words = ['pathway', 'apprenticeships', 'wellbeing', 'dementia', 'rural', 'recruitment', 'funding', 'digital', 'nhs', 'retention', 'managers', 'pilot', 'home care', 'workforce data', 'care pathway', 'tr-0042', 'ar-1234', 'zebra crossing'];
  const qMatch = (q: string) => {
    const parts = q.split(' ');
    return (i: GeneratedItem) => parts.every((w) => i.text.includes(w));
  };
  // Leads that lead many items, some, and few: the filter costs differ.
  const leadCounts = new Map<string, number>();
  for (const item of dataset.items) for (const s of item.leadSlugs) leadCounts.set(s, (leadCounts.get(s) ?? 0) + 1);
  const leadsByUse = [...leadCounts.entries()].sort((a, b) => b[1] - a[1]).map(([slug]) => slug);
  const third = Math.floor(leadsByUse.length / 3);
  const leads = [
    ...random.sample(leadsByUse.slice(0, third), 8),
    ...random.sample(leadsByUse.slice(third, 2 * third), 8),
    ...random.sample(leadsByUse.slice(2 * third), 8),
  ];

  const sets: FilterSet[] = [{ params: [], matches: () => true }];
  const one = (name: string, value: string, matches: FilterSet['matches']) => sets.push({ params: [[name, value]], matches });
  for (const a of dataset.areas) one('area', a, (i) => i.area === a);
  for (const t of ['recommendation', 'commitment']) one('type', t, (i) => i.type === t);
  for (const s of statuses) one('status', s, statusMatch(s));
  for (const t of dataset.themes) one('theme', t, (i) => i.themes.includes(t));
  for (const s of dataset.shifts) one('shift', s, (i) => i.shifts.includes(s));
  for (const l of leads) one('lead', l, (i) => i.leadSlugs.includes(l));
  for (const w of words) one('q', w, qMatch(w));
  for (const a of dataset.areas) {
    for (const s of statuses) sets.push({ params: [['area', a], ['status', s]], matches: (i) => i.area === a && statusMatch(s)(i) });
    for (const t of dataset.themes) sets.push({ params: [['area', a], ['theme', t]], matches: (i) => i.area === a && i.themes.includes(t) });
  }
  for (const t of ['recommendation', 'commitment']) {
    for (const s of statuses) sets.push({ params: [['type', t], ['status', s]], matches: (i) => i.type === t && statusMatch(s)(i) });
  }
  for (let n = 0; n < 8; n++) {
    const l = random.pick(leads);
    const s = random.pick(statuses);
    sets.push({ params: [['status', s], ['lead', l]], matches: (i) => i.leadSlugs.includes(l) && statusMatch(s)(i) });
  }
  for (let n = 0; n < 6; n++) {
    const w = random.pick(words.slice(0, 12));
    const a = random.pick(dataset.areas);
    sets.push({ params: [['q', w], ['area', a]], matches: (i) => i.area === a && qMatch(w)(i) });
  }
  for (let n = 0; n < 5; n++) {
    const [t1, t2] = random.sample(dataset.themes, 2) as [string, string];
    sets.push({ params: [['theme', t1], ['theme', t2]], matches: (i) => i.themes.includes(t1) || i.themes.includes(t2) });
  }
  for (let n = 0; n < 8; n++) {
    const a = random.pick(dataset.areas);
    const t = random.pick(['recommendation', 'commitment']);
    const s = random.pick(statuses);
    sets.push({ params: [['type', t], ['status', s], ['area', a]], matches: (i) => i.area === a && i.type === t && statusMatch(s)(i) });
  }
  for (let n = 0; n < 6; n++) {
    const s = random.pick(dataset.shifts);
    const t = random.pick(dataset.themes);
    sets.push({ params: [['theme', t], ['shift', s]], matches: (i) => i.themes.includes(t) && i.shifts.includes(s) });
  }
  return sets;
}

/**
 * About `wanted` different /recommendations URLs, each known to answer 200: first pages, a
 * page somewhere inside, and last pages (the deepest OFFSET) of many filter combinations.
 */
export function variedPaths(dataset: Dataset, wanted: number, seed = SEED): string[] {
  const random = new Random(seed ^ 0x5eed);
  const candidates = new Set<string>();
  for (const set of filterSets(dataset, random)) {
    const matching = dataset.items.filter(set.matches).length;
    const pages = Math.max(1, Math.ceil(matching / PER_PAGE));
    const chosen = new Set([1]);
    if (pages >= 2) chosen.add(random.int(2, pages));
    if (pages >= 3) chosen.add(pages);
    for (const page of chosen) {
      const params = new URLSearchParams(set.params);
      if (page > 1) params.set('page', String(page));
      const query = params.toString();
      candidates.add(query ? `${HTML_PATH}?${query}` : HTML_PATH);
    }
  }
  // The plain first page is the measured run above; leave it out so every URL here is new.
  candidates.delete(HTML_PATH);
  return random.shuffle([...candidates]).slice(0, wanted);
}

/**
 * One client fetching `paths` one after another (as a crawler or a person clicking through
 * filters would) until `stopped()`; every path is new to the render cache.
 */
async function walk(origin: string, paths: readonly string[], stopped: () => boolean) {
  const started = performance.now();
  let fetched = 0;
  let failed = 0;
  for (const p of paths) {
    if (stopped()) return { fetched, failed, ranOutAfterMs: undefined };
    try {
      const response = await fetch(`${origin}${p}`);
      await response.arrayBuffer();
      if (response.ok) fetched++;
      else failed++;
    } catch {
      failed++;
    }
  }
  return { fetched, failed, ranOutAfterMs: stopped() ? undefined : performance.now() - started };
}

/* ---------- checks ---------- */

interface EtagCheck {
  path: string;
  status: number;
  bodyBytes: number;
  etag: string | null;
  conditionalStatus: number | undefined;
}

async function checkEtag(origin: string, path: string): Promise<EtagCheck> {
  const first = await fetch(`${origin}${path}`);
  const bodyBytes = (await first.arrayBuffer()).byteLength;
  const etag = first.headers.get('etag');
  if (!etag) return { path, status: first.status, bodyBytes, etag, conditionalStatus: undefined };
  const second = await fetch(`${origin}${path}`, { headers: { 'if-none-match': etag } });
  await second.arrayBuffer();
  return { path, status: first.status, bodyBytes, etag, conditionalStatus: second.status };
}

/* ---------- output ---------- */


function statusSummary(r: LoadResult): string {
  return Object.entries(r.statusCounts)
    .map(([code, n]) => `${code}×${count(n)}`)
    .join(' ');
}


/* ---------- the benchmark ---------- */

async function run(context: BenchContext): Promise<void> {
  const { connections, durationSec, warmupSec } = context;

  heading('dataset');
  const t = performance.now();
  const dataset = generateDataset({ organisations: ORGANISATIONS, items: ITEMS, seed: SEED });
  const generatedMs = performance.now() - t;
  note(
    `${count(dataset.organisations.length)} organisations and ${count(dataset.items.length)} items (seed ${SEED}), ` +
      `plus the demo strategy's own; generated in ${duration(generatedMs)}, about ${bytes(dataset.characters)} as CSV`,
  );
  note(
    `links: ${count(dataset.links.leads)} leads, ${count(dataset.links.partners)} partners, ` +
      `${count(dataset.links.themes)} themes, ${count(dataset.links.priorities)} priorities, ${count(dataset.links.shifts)} shifts`,
  );

  const dataDir = makeTempDir('strategy-hub-bench-');
  let server: RunningServer | undefined;
  try {
    heading('loading');
    if (context.databaseUrl) {
      console.log('  WARNING: DATABASE_URL is set, so the benchmark loads that PostgreSQL database. It must be an');
      console.log('  empty, disposable database: the benchmark writes 10,000 items into it and does not remove them.');
    }
    const load = await loadDataset({
      dataDir: dataDir.path,
      databaseUrl: context.databaseUrl,
      organisations: dataset.organisationsTable,
      items: dataset.itemsTable,
    });
    note(`database: ${load.engineLabel} at ${load.location}`);
    note(`open ${duration(load.openMs)}, migrate ${duration(load.migrateMs)}, demo strategy ${duration(load.seedMs)}`);
    for (const [what, x] of [['organisations', load.organisations], ['items', load.items]] as const) {
      note(
        `import ${what}: ${count(x.rows)} rows (${count(x.created)} created) in ${duration(x.ms)} = ${rate(x.rows / (x.ms / 1000))} rows/s`,
      );
    }
    if (load.databaseBytes !== undefined) note(`database size after loading: ${bytes(load.databaseBytes)}`);

    heading('server');
    server = await startServer({
      dataDir: dataDir.path,
      databaseUrl: context.databaseUrl,
      ...(context.profile ? { nodeArgs: profileNodeArgs() } : {}),
    });
    note(`node --import tsx src/server.ts (NODE_ENV=production) pid ${server.pid} at ${server.origin}: ready in ${duration(server.startMs)}`);
    const readyRss = server.rssBytes();
    const firstApi = await fetch(`${server.origin}${API_PATH}`);
    if (!firstApi.ok) throw new Error(`${API_PATH} answered ${firstApi.status}: ${(await firstApi.text()).slice(0, 500)}`);
    const body = (await firstApi.json()) as { meta?: { total?: number } };
    const total = body.meta?.total ?? 0;
    note(`${API_PATH} reports ${count(total)} items${total < ITEMS ? ` — FEWER THAN THE ${count(ITEMS)} LOADED` : ''}`);
    const serverCpuMs = server.cpuMs;
    const origin = server.origin;

    heading(`cached pages: ${connections} connections, ${warmupSec} s warm-up, ${durationSec} s measured`);
    const html = await runLoad({ label: `${HTML_PATH} (HTML, page 1)`, origin, path: HTML_PATH, connections, warmupSec, durationSec, serverCpuMs });
    const api = await runLoad({ label: `${API_PATH} (JSON, page 1)`, origin, path: API_PATH, connections, warmupSec, durationSec, serverCpuMs });
    printLoadTable([
      { result: html, target: true },
      { result: api, target: true },
    ], TARGET);
    for (const r of [html, api]) if (r.non2xx) note(`${r.label}: status codes ${statusSummary(r)}`);
    note('CPU srv/cli: per cent of one core used by the server, and by autocannon in this process, during the measured run');

    const allPaths = variedPaths(dataset, Number.MAX_SAFE_INTEGER);
    const paths = allPaths.slice(0, VARIED_URLS);
    const spare = allPaths.slice(VARIED_URLS);
    const shortSec = Math.max(2, Math.round(durationSec * 0.3));
    const withQuery = paths.filter((p) => p.includes('q=')).length;
    const deep = paths.filter((p) => /[?&]page=\d+/.test(p)).length;
    heading(`varied filters: ${paths.length} different ${HTML_PATH} URLs, ${connections} connections`);
    note(`${withQuery} with free-text search (q), ${deep} beyond page 1; each URL is a render-cache miss the first time it is asked for`);
    note(`(${spare.length} more URLs are kept for the last run, so they are new to the cache too)`);
    const cold = await runLoad({ label: `first sight: each URL once (all misses)`, origin, paths, amount: paths.length, connections, serverCpuMs });
    const cycling = await runLoad({ label: `cycling the same URLs for ${durationSec} s (cached)`, origin, paths, connections, durationSec, serverCpuMs });
    // What uncached pages cost everyone else: the cached first page, while one client walks
    // through filter URLs nobody has asked for yet.
    let walking = true;
    const walker = walk(origin, spare, () => !walking);
    const mixed = await runLoad({
      label: `page 1 (cached) while 1 client walks new URLs, ${shortSec} s`,
      origin,
      path: HTML_PATH,
      connections,
      durationSec: shortSec,
      serverCpuMs,
    });
    walking = false;
    const walked = await walker;
    printLoadTable([{ result: cold }, { result: cycling }, { result: mixed }], TARGET);
    for (const r of [cold, cycling, mixed]) if (r.non2xx) note(`${r.label}: status codes ${statusSummary(r)}`);
    note(`first sight: ${ms(cold.latencyMs.mean)} ms mean latency over ${count(cold.responses)} requests; p99 of so few requests is close to the maximum`);
    note(
      `while 1 client fetched ${count(walked.fetched)} uncached pages (${rate(walked.fetched / mixed.wallSec)}/s` +
        `${walked.failed ? `, ${count(walked.failed)} failed` : ''}${walked.ranOutAfterMs !== undefined ? `, ran out of new URLs after ${duration(walked.ranOutAfterMs)}` : ''}), ` +
        `the cached first page served ${rate(mixed.reqPerSec)} req/s at p99 ${ms(mixed.latencyMs.p99)} ms (alone: ${rate(html.reqPerSec)} req/s at p99 ${ms(html.latencyMs.p99)} ms)`,
    );

    heading('conditional requests (ETag / If-None-Match)');
    const checks = [await checkEtag(origin, HTML_PATH), await checkEtag(origin, API_PATH)];
    printTable(
      [{ header: 'path' }, { header: 'status' }, { header: 'body', align: 'right' }, { header: 'ETag' }, { header: 'with If-None-Match' }, { header: 'check' }],
      checks.map((c) => [
        c.path,
        String(c.status),
        bytes(c.bodyBytes),
        c.etag ?? '(none)',
        c.conditionalStatus === undefined ? '-' : String(c.conditionalStatus),
        !c.etag ? 'NO ETAG' : c.conditionalStatus === 304 ? 'ok: 304' : `NOT 304 (${c.conditionalStatus})`,
      ]),
    );
    const notModified: LoadResult[] = [];
    for (const c of checks) {
      if (!c.etag) continue;
      notModified.push(
        await runLoad({
          label: `${c.path} with If-None-Match, ${shortSec} s`,
          origin,
          path: c.path,
          headers: { 'if-none-match': c.etag },
          connections,
          durationSec: shortSec,
          serverCpuMs,
        }),
      );
    }
    if (notModified.length) {
      printLoadTable(notModified.map((result) => ({ result })), TARGET);
      for (const r of notModified) {
        const n304 = r.statusCounts['304'] ?? 0;
        note(`${r.label}: ${count(n304)} of ${count(r.responses)} responses were 304 (${rate(n304 / r.wallSec)} per second); non-2xx counts them`);
      }
    }

    heading('server process');
    const peak = server.peakRssBytes();
    note(
      peak === undefined
        ? 'resident memory: not available on this system (no /proc)'
        : `resident memory: ${readyRss === undefined ? '-' : bytes(readyRss)} when ready, peak (VmHWM) ${bytes(peak)}`,
    );
    const cpu = server.cpuMs();
    if (cpu !== undefined) note(`CPU time used since start: ${duration(cpu)}`);
    const logged = server.logLines();
    note(`log lines at warn or above, and stderr: ${count(logged.length)}`);
    for (const line of logged.slice(0, 5)) note(`  ${line.length > 300 ? `${line.slice(0, 300)}…` : line}`);
    const pid = server.pid;
    const { code, signal } = await server.stop();
    server = undefined;
    note(`stopped with SIGTERM: exit code ${code ?? '-'}${signal ? `, signal ${signal}` : ''}`);
    if (context.profile) printProfile(pid);
  } finally {
    if (server) await server.stop();
    await dataDir.remove();
  }
}

export const strategyPages: Benchmark = {
  name: 'strategy-pages',
  title: `/recommendations and /api/v1/items over ${count(ITEMS)} items and ${count(ORGANISATIONS)} organisations`,
  run,
};
