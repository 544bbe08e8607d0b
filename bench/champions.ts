// Champion sign-ups under load: 10,000 POSTs to /champions/join over loopback, as browsers would
// send them (each connection loads the form once for its CSRF token and cookie), 9,500 distinct
// addresses and 500 repeats. Prints sign-ups per second and p99, then stops the server, opens
// the database and counts the waiting sign-ups: one per address, no duplicates.
import { sql } from 'drizzle-orm';
import { openDatabase, queryRows } from '../src/platform/db/client.ts';
import type { Benchmark, BenchContext } from './support/context.ts';
import { makeTempDir } from './support/cleanup.ts';
import { count, duration, heading, ms, note, rate } from './support/print.ts';
import { startServer, type RunningServer } from './support/server.ts';

const SIGNUPS = 10_000;
const REPEATS = 500;

async function browserSession(origin: string): Promise<{ token: string; cookie: string }> {
  const page = await fetch(`${origin}/champions/join`);
  const body = await page.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(body)?.[1];
  const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  if (!token) throw new Error(`no CSRF token on /champions/join (status ${page.status})`);
  return { token, cookie };
}

function fields(n: number, token: string): string {
  return new URLSearchParams({
    _csrf: token,
    email: `champion-${n}@bench.example`,
    name: `Bench Champion ${n}`,
    jobRole: 'Care worker',
    employer: 'Bench Care Ltd',
    setting: ['care_home', 'home_care', 'council', 'nhs'][n % 4]!,
    region: ['london', 'north_west', 'south_east', 'national'][n % 4]!,
    why: 'To bring the strategy into my work.',
    contactConsent: 'yes',
    directoryConsent: n % 2 ? 'yes' : 'no',
  }).toString();
}

async function run(context: BenchContext): Promise<void> {
  const dataDir = makeTempDir('strategy-hub-bench-champions-');
  let server: RunningServer | undefined;
  try {
    heading('server');
    server = await startServer({ dataDir: dataDir.path, databaseUrl: context.databaseUrl, env: { PUBLIC_FORM_RATE_LIMIT: '1000000' } });
    note(`ready in ${duration(server.startMs)} at ${server.origin} (PUBLIC_FORM_RATE_LIMIT raised for the load)`);
    const origin = server.origin;
    // Which address each POST uses: 9,500 distinct, then 500 repeats of earlier ones, shuffled in.
    const distinct = SIGNUPS - REPEATS;
    const order = Array.from({ length: SIGNUPS }, (_, i) => (i < distinct ? i : (i * 7919) % distinct));
    const latencies: number[] = [];
    let failures = 0;
    let next = 0;
    heading(`${count(SIGNUPS)} sign-ups at ${context.connections} connections`);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: context.connections }, async () => {
        const session = await browserSession(origin);
        for (;;) {
          const i = next++;
          if (i >= SIGNUPS) return;
          const t0 = performance.now();
          const res = await fetch(`${origin}/champions/join`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: session.cookie }, body: fields(order[i]!, session.token) });
          await res.text();
          latencies.push(performance.now() - t0);
          if (res.status !== 200) failures++;
        }
      }),
    );
    const elapsed = performance.now() - started;
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
    console.log(`  sign-ups per second: ${rate((SIGNUPS / elapsed) * 1000)}; p50 ${ms(pct(50))}, p99 ${ms(pct(99))}, max ${ms(latencies.at(-1)!)}; non-200 answers: ${failures}`);
    // The work after each answer (sealing, the row, the email) finishes before the server stops.
    await server.stop(120_000);
    server = undefined;
    heading('records');
    const database = await openDatabase({ dataDir: dataDir.path, databaseUrl: context.databaseUrl });
    try {
      const [row] = await queryRows<{ rows: number; addresses: number }>(database.db, sql`select count(*)::int as rows, count(distinct email_key)::int as addresses from champion_signups`);
      const [champions] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from champions`);
      console.log(`  waiting sign-ups: ${count(row!.rows)} rows for ${count(row!.addresses)} addresses (${count(distinct)} distinct submitted); duplicates: ${row!.rows - row!.addresses}; champion records: ${champions!.n}`);
    } finally {
      await database.close();
    }
  } finally {
    await server?.stop();
    await dataDir.remove();
  }
}

export const championSignups: Benchmark = { name: 'champions', title: 'Champion sign-ups: 10,000 POSTs over loopback, rate, p99, no duplicate records', run };
