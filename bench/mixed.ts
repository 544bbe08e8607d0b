// Mixed load on PostgreSQL: 200 connections reading public pages (home, recommendations and
// their filters, item pages, progress, champions, governance, the items API) while 20 write at
// the same time: the strategy team editing items, organisations saving progress drafts, people
// signing up as champions and asking to follow items, each through the real forms with CSRF.
// 60 seconds by default (BENCH_DURATION). Prints req/s, p50 and p99 for readers and writers,
// the errors (non-2xx/3xx answers, network errors, timeouts, and writes that did not take
// effect, checked in the database afterwards) and whether the targets were met.
// On DATABASE_URL if set (an empty, disposable database); otherwise on a throwaway PostgreSQL
// server started for the run and removed after it.
import os from 'node:os';
import { sql } from 'drizzle-orm';
import { hashPassword } from '../src/platform/auth/secrets.ts';
import { openPostgres, queryRows, type Database } from '../src/platform/db/client.ts';
import { users } from '../src/features/accounts/schema.ts';
import { itemFormValues } from '../src/features/strategy/forms.ts';
import { StrategyService } from '../src/features/strategy/service.ts';
import type { Benchmark, BenchContext } from './support/context.ts';
import { makeTempDir } from './support/cleanup.ts';
import { runLoad, type LoadResult } from './support/http-load.ts';
import { runLoadInWorker } from './support/load-worker.ts';
import { count, duration, heading, ms, note, percent, printTable, rate } from './support/print.ts';
import { printProfile, profileNodeArgs } from './support/profile.ts';
import { startThrowawayPostgres } from './support/postgres.ts';
import { startServer, type RunningServer } from './support/server.ts';

const READERS = 200;
const EDITORS = 6;
const REPORTERS = 6;
const JOINERS = 4;
const FOLLOWERS = 4;
const DEFAULT_SECONDS = 60;
const TARGET = { p99Ms: 200, errors: 0 };
const PASSWORD = 'a long enough bench passphrase';
const REQUEST_TIMEOUT_MS = 10_000;

type Kind = 'item edit' | 'progress draft' | 'champion sign-up' | 'follow request';

interface WriterTotals {
  latencies: number[];
  ok: number;
  /** Answers other than the one a successful write gives, network errors and timeouts. */
  failed: number;
  examples: string[];
}

/** One browser session: cookies and the CSRF token from a form page. */
async function session(origin: string, formUrl: string, cookie = ''): Promise<{ token: string; cookie: string }> {
  const page = await fetch(`${origin}${formUrl}`, { headers: cookie ? { cookie } : {} });
  const body = await page.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
  if (!token) throw new Error(`no CSRF token on ${formUrl} (status ${page.status})`);
  const jar = new Map(cookie ? cookie.split('; ').map((c) => c.split('=') as [string, string]) : []);
  for (const c of page.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const at = pair!.indexOf('=');
    jar.set(pair!.slice(0, at), pair!.slice(at + 1));
  }
  return { token, cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') };
}

async function signIn(origin: string, email: string): Promise<string> {
  const form = await session(origin, '/login');
  const res = await fetch(`${origin}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie },
    body: new URLSearchParams({ _csrf: form.token, email, password: PASSWORD }).toString(),
  });
  await res.arrayBuffer();
  // `__Host-hub_session` in production.
  const hub = res.headers.getSetCookie().find((c) => /^(__Host-)?hub_session=/.test(c));
  if (res.status !== 303 || !hub) throw new Error(`signing in as ${email} answered ${res.status}`);
  return hub.split(';')[0]!;
}

function post(origin: string, url: string, cookie: string, fields: URLSearchParams): Promise<Response> {
  return fetch(`${origin}${url}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: fields.toString(),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0;
}

/** Writers' setup: the people, their sessions, what each will write. */
interface Plan {
  editors: { code: string; fields: Record<string, string | string[]>; version: number }[];
  reporters: { email: string; organisation: string; code: string }[];
  followCodes: string[];
}

async function prepare(database: Database): Promise<Plan> {
  const passwordHash = await hashPassword(PASSWORD);
  const pairs = await queryRows<{ organisation_id: number; slug: string; code: string }>(
    database.db,
    sql`select distinct on (o.id) o.id as organisation_id, o.slug, i.code
        from item_organisations io join organisations o on o.id = io.organisation_id join items i on i.id = io.item_id
        where io.role = 'lead' and i.status is distinct from 'retired' order by o.id, i.code`,
  );
  const reporters = pairs.slice(0, REPORTERS).map((p, i) => ({ email: `reporter-${i}@bench.example`, organisation: p.slug, code: p.code, organisationId: p.organisation_id }));
  if (reporters.length < REPORTERS) throw new Error(`only ${reporters.length} organisations lead an item`);
  await database.db.insert(users).values([
    { email: 'editor@bench.example', name: 'Bench Editor', role: 'strategy_team', organisationId: null, passwordHash },
    ...reporters.map((r, i) => ({ email: r.email, name: `Bench Reporter ${i}`, role: 'organisation_reporter' as const, organisationId: r.organisationId, passwordHash })),
  ]);
  const strategy = new StrategyService(database);
  const codes = (await queryRows<{ code: string }>(database.db, sql`select code from items where status is distinct from 'retired' order by code`)).map((r) => r.code);
  const editors = [];
  for (const code of codes.slice(0, EDITORS)) {
    const item = (await strategy.getItem(code))!;
    editors.push({ code, fields: itemFormValues(item), version: item.version });
  }
  return { editors, reporters, followCodes: codes.slice(EDITORS, EDITORS + 8) };
}

function readerPaths(codes: string[]): string[] {
  const pages = ['/', '/recommendations', '/recommendations?area=train', '/recommendations?status=in_progress', '/progress', '/progress/organisations', '/champions', '/governance', '/strategy', '/reviews', '/api/v1/items', '/api/v1/progress/summary'];
  return [...pages, ...codes.flatMap((c) => [`/recommendations/${c}`, `/api/v1/items/${c}`])];
}

async function run(context: BenchContext): Promise<void> {
  const durationSec = process.env.BENCH_DURATION?.trim() ? context.durationSec : DEFAULT_SECONDS;
  const dataDir = makeTempDir('strategy-hub-bench-mixed-');
  let server: RunningServer | undefined;
  let throwaway: Awaited<ReturnType<typeof startThrowawayPostgres>> | undefined;
  let database: Database | undefined;
  try {
    heading('database');
    let url = context.databaseUrl;
    if (url) {
      note(`DATABASE_URL (must be an empty, disposable database)`);
    } else {
      throwaway = await startThrowawayPostgres();
      url = throwaway.url;
      note(`throwaway PostgreSQL ${throwaway.version} at ${url} (removed afterwards)`);
    }

    heading('server');
    server = await startServer({
      dataDir: dataDir.path,
      databaseUrl: url,
      env: { PUBLIC_FORM_RATE_LIMIT: '1000000' },
      ...(context.profile ? { nodeArgs: profileNodeArgs() } : {}),
    });
    note(`ready in ${duration(server.startMs)} at ${server.origin} (demo strategy; PUBLIC_FORM_RATE_LIMIT raised for the load)`);
    const origin = server.origin;
    database = await openPostgres(url);
    const plan = await prepare(database);
    const codes = (await queryRows<{ code: string }>(database.db, sql`select code from items order by code`)).map((r) => r.code);
    const paths = readerPaths(codes);

    // Sessions first (sign-ins are rate limited per address, so one per person).
    const editorCookie = await signIn(origin, 'editor@bench.example');
    const editForm = await session(origin, `/admin/items/${plan.editors[0]!.code}/edit`, editorCookie);
    const reporterSessions = await Promise.all(plan.reporters.map(async (r) => session(origin, `/report/${r.organisation}/items/${r.code}`, await signIn(origin, r.email))));
    const publicSessions = await Promise.all(Array.from({ length: JOINERS + FOLLOWERS }, () => session(origin, '/champions/join')));

    if (context.warmupSec > 0) {
      heading(`warm-up: ${context.warmupSec} s of reading, not measured`);
      await runLoad({ label: 'warm-up', origin, paths, connections: READERS, durationSec: context.warmupSec });
    }

    heading(`${READERS} connections reading and ${EDITORS + REPORTERS + JOINERS + FOLLOWERS} writing for ${durationSec} s`);
    const totals = new Map<Kind, WriterTotals>();
    const totalsFor = (kind: Kind) => {
      let t = totals.get(kind);
      if (!t) totals.set(kind, (t = { latencies: [], ok: 0, failed: 0, examples: [] }));
      return t;
    };
    const record = async (kind: Kind, send: () => Promise<Response>, expected: number): Promise<boolean> => {
      const t = totalsFor(kind);
      const started = performance.now();
      try {
        const res = await send();
        await res.arrayBuffer();
        t.latencies.push(performance.now() - started);
        if (res.status === expected) {
          t.ok++;
          return true;
        }
        t.failed++;
        if (t.examples.length < 3) t.examples.push(`${res.status}`);
      } catch (error) {
        t.latencies.push(performance.now() - started);
        t.failed++;
        if (t.examples.length < 3) t.examples.push(error instanceof Error ? error.name : String(error));
      }
      return false;
    };

    // The readers' load generator runs in a process of its own: in this one, its event loop would
    // hold up the writers' answers and add seconds to their measured times.
    const load = runLoadInWorker({ label: 'readers', origin, paths, connections: READERS, durationSec });
    await load.started;
    const deadline = performance.now() + durationSec * 1000;
    // A write that failed (a timeout, say) may still commit later: the writer then reads the
    // version back before going on, and the check below counts from there.
    const edits = plan.editors.map((e) => ({ base: e.version, count: 0, lastTitle: '' }));
    const drafts = plan.reporters.map(() => ({ base: 0, version: undefined as number | undefined, saves: 0 }));
    const db = database;
    const itemVersion = async (code: string) => (await queryRows<{ version: number }>(db.db, sql`select version from items where code = ${code}`))[0]!.version;
    const draftVersion = async (r: Plan['reporters'][number]) =>
      (
        await queryRows<{ version: number }>(
          db.db,
          sql`select u.version from progress_updates u join items i on i.id = u.item_id join organisations o on o.id = u.organisation_id where i.code = ${r.code} and o.slug = ${r.organisation} and u.state = 'draft'`,
        )
      )[0]?.version;
    let joined = 0;
    let followed = 0;
    const writers: Promise<void>[] = [
      ...plan.editors.map(async (e, i) => {
        let version = e.version;
        for (let n = 0; performance.now() < deadline; n++) {
          const title = `${String(e.fields.title)} (bench edit ${n})`;
          const fields = new URLSearchParams({ _csrf: editForm.token, version: String(version) });
          for (const [k, v] of Object.entries({ ...e.fields, title })) for (const one of ([] as string[]).concat(v)) fields.append(k, one);
          if (await record('item edit', () => post(origin, `/admin/items/${e.code}/edit`, editForm.cookie, fields), 303)) {
            version++;
            edits[i]!.count++;
            edits[i]!.lastTitle = title;
          } else {
            version = await itemVersion(e.code);
            edits[i] = { base: version, count: 0, lastTitle: '' };
          }
        }
      }),
      ...plan.reporters.map(async (r, i) => {
        const s = reporterSessions[i]!;
        for (let n = 0; performance.now() < deadline; n++) {
          const d = drafts[i]!;
          const fields = new URLSearchParams({ _csrf: s.token, status: 'in_progress', confidence: 'on_track', summary: `Bench draft ${n}.`, narrative: '', evidence: '', milestones: '', version: d.version === undefined ? '' : String(d.version), action: 'save' });
          if (await record('progress draft', () => post(origin, `/report/${r.organisation}/items/${r.code}`, s.cookie, fields), 303)) {
            d.version = (d.version ?? 0) + 1;
            d.saves++;
          } else {
            d.version = await draftVersion(r);
            d.base = d.version ?? 0;
            d.saves = 0;
          }
        }
      }),
      ...Array.from({ length: JOINERS }, async (_, i) => {
        const s = publicSessions[i]!;
        for (let n = 0; performance.now() < deadline; n++) {
          const fields = new URLSearchParams({ _csrf: s.token, email: `mixed-${i}-${n}@bench.example`, name: `Bench Champion ${i}-${n}`, jobRole: 'Care worker', employer: 'Bench Care Ltd', setting: 'care_home', region: 'london', why: 'To bring the strategy into my work.', contactConsent: 'yes', directoryConsent: 'no' });
          if (await record('champion sign-up', () => post(origin, '/champions/join', s.cookie, fields), 200)) joined++;
        }
      }),
      ...Array.from({ length: FOLLOWERS }, async (_, i) => {
        const s = publicSessions[JOINERS + i]!;
        for (let n = 0; performance.now() < deadline; n++) {
          const code = plan.followCodes[(i + n) % plan.followCodes.length]!;
          const fields = new URLSearchParams({ _csrf: s.token, email: `mixed-follow-${i}-${n}@bench.example` });
          if (await record('follow request', () => post(origin, `/recommendations/${code}/follow`, s.cookie, fields), 200)) followed++;
        }
      }),
    ];
    const loadBefore = os.loadavg()[0]!;
    const cpuBefore = server.cpuMs();
    const wallStarted = performance.now();
    const [readers] = await Promise.all([load.result, ...writers]);
    const wallSec = (performance.now() - wallStarted) / 1000;
    const cpuAfter = server.cpuMs();
    const loadAfter = os.loadavg()[0]!;

    // Stopped gracefully: work started after an answer (sign-up emails, follow requests) ends first.
    const stoppedWith = await server.stop(60_000);
    const pid = server.pid;
    server = undefined;

    heading('did every write take effect? (read back from the database)');
    const missing: string[] = [];
    for (const [i, e] of plan.editors.entries()) {
      const [row] = await queryRows<{ version: number; title: string }>(database.db, sql`select version, title from items where code = ${e.code}`);
      if (row!.version !== edits[i]!.base + edits[i]!.count) missing.push(`${e.code}: version ${row!.version}, expected ${edits[i]!.base + edits[i]!.count}`);
      if (edits[i]!.count && row!.title !== edits[i]!.lastTitle) missing.push(`${e.code}: title is not the last one saved`);
    }
    const [audited] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from audit_events where action = 'item.updated' and actor_label = 'editor@bench.example'`);
    const versionsGained = plan.editors.reduce((a, e, i) => a + edits[i]!.base + edits[i]!.count - e.version, 0);
    if (audited!.n !== versionsGained) missing.push(`item edits audited: ${audited!.n}, versions gained: ${versionsGained}`);
    for (const [i, r] of plan.reporters.entries()) {
      const [row] = await queryRows<{ version: number; summary: string }>(
        database.db,
        sql`select u.version, u.summary from progress_updates u join items i on i.id = u.item_id join organisations o on o.id = u.organisation_id where i.code = ${r.code} and o.slug = ${r.organisation} and u.state = 'draft'`,
      );
      const expected = drafts[i]!.base + drafts[i]!.saves;
      if (expected && row?.version !== expected) missing.push(`${r.organisation} draft on ${r.code}: version ${row?.version ?? 'none'}, expected ${expected}`);
    }
    // The database was empty before the run, and sign-ups store a keyed hash, not the address.
    const [signups] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from champion_signups`);
    if (signups!.n !== joined) missing.push(`champion sign-ups recorded: ${signups!.n}, answered 200: ${joined}`);
    const [follows] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from item_followers where email like 'mixed-follow-%'`);
    if (follows!.n !== followed) missing.push(`follow requests recorded: ${follows!.n}, answered 200: ${followed}`);
    note(missing.length ? `NO: ${missing.length} problems` : 'yes: every answered write is in the database, audited, and nothing else');
    for (const m of missing.slice(0, 10)) note(`  ${m}`);

    heading('results');
    const writerLatencies = [...totals.values()].flatMap((t) => t.latencies).sort((a, b) => a - b);
    const writerRequests = writerLatencies.length;
    const writerFailed = [...totals.values()].reduce((a, t) => a + t.failed, 0);
    const readerErrors = readers.non2xx + readers.errors + readers.timeouts;
    const rows: string[][] = [
      row('readers (200 connections)', readers.responses, readers.reqPerSec, readers.latencyMs.p50, readers.latencyMs.p99, readers.latencyMs.max, readerErrors, describeStatuses(readers)),
      row(`writers (${EDITORS + REPORTERS + JOINERS + FOLLOWERS} connections)`, writerRequests, writerRequests / wallSec, percentile(writerLatencies, 50), percentile(writerLatencies, 99), writerLatencies.at(-1) ?? 0, writerFailed + missing.length, missing.length ? `${missing.length} not taken effect` : ''),
      ...[...totals].map(([kind, t]) => {
        const sorted = [...t.latencies].sort((a, b) => a - b);
        return row(`  ${kind}`, sorted.length, sorted.length / wallSec, percentile(sorted, 50), percentile(sorted, 99), sorted.at(-1) ?? 0, t.failed, t.examples.join(' '));
      }),
    ];
    const all = readers.responses + writerRequests;
    rows.push(row('all', all, all / wallSec, Number.NaN, Math.max(readers.latencyMs.p99, percentile(writerLatencies, 99)), Math.max(readers.latencyMs.max, writerLatencies.at(-1) ?? 0), readerErrors + writerFailed + missing.length, 'p99: the worse of the two'));
    printTable(
      [
        { header: 'who' },
        { header: 'requests', align: 'right' },
        { header: 'req/s', align: 'right' },
        { header: 'p50 ms', align: 'right' },
        { header: 'p99 ms', align: 'right' },
        { header: 'max ms', align: 'right' },
        { header: 'errors', align: 'right' },
        { header: 'notes' },
      ],
      rows,
    );
    const serverCpu = cpuBefore !== undefined && cpuAfter !== undefined ? ((cpuAfter - cpuBefore) / (wallSec * 1000)) * 100 : undefined;
    note(`server CPU ${percent(serverCpu)} of one core; load generator ${percent(readers.clientCpu)} (autocannon's share); load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} at the end; ${os.cpus().length} CPUs`);
    note(`server stopped with SIGTERM: exit code ${stoppedWith.code ?? '-'}${stoppedWith.signal ? `, signal ${stoppedWith.signal}` : ''}`);
    const errors = readerErrors + writerFailed + missing.length;
    const worstP99 = Math.max(readers.latencyMs.p99, percentile(writerLatencies, 99));
    const misses = [errors > TARGET.errors ? `${count(errors)} errors` : '', worstP99 > TARGET.p99Ms ? `p99 ${ms(worstP99)} > ${TARGET.p99Ms} ms` : ''].filter(Boolean);
    console.log(`  target (0 errors, p99 ≤ ${TARGET.p99Ms} ms for readers and writers): ${misses.length ? `NOT MET (${misses.join(', ')})` : 'met'}`);
    if (context.profile) printProfile(pid);
  } finally {
    await server?.stop();
    await database?.close();
    await throwaway?.stop();
    await dataDir.remove();
  }
}

function row(label: string, requests: number, perSec: number, p50: number, p99: number, max: number, errors: number, notes: string): string[] {
  return [label, count(requests), rate(perSec), Number.isNaN(p50) ? '' : ms(p50), ms(p99), ms(max), count(errors), notes];
}

function describeStatuses(r: LoadResult): string {
  const parts = Object.entries(r.statusCounts).map(([code, n]) => `${code}×${count(n)}`);
  if (r.errors) parts.push(`network errors ${r.errors}`);
  if (r.timeouts) parts.push(`timeouts ${r.timeouts}`);
  return parts.join(' ');
}

export const mixedLoad: Benchmark = {
  name: 'mixed',
  title: 'Mixed load on PostgreSQL: 200 connections reading public pages, 20 writing (edits, drafts, sign-ups, follows), 60 s',
  run,
};
