// A bulletin to 100,000 subscribers, sent by the real server to a local SMTP sink. The server
// is started once to migrate and seed, stopped, and the database given one list of 100,000
// active subscribers (one set-based statement) and a strategy-team account. Then the server
// starts again with SMTP_URL pointing at the sink and BULLETIN_SEND_RATE raised; the bench signs
// in, writes the campaign (a ~3 KB Markdown bulletin) and sends it through the admin forms, and
// the server's own pg-boss job delivers it. Prints emails per second (target ≥ 500 on a 2-core
// machine), what the sink received (count, distinct recipients, bytes), the server's memory at
// 10%, 50% and 90% of the way through (it should stay flat), its peak, and its CPU.
//
// The sink is smtp-server in this process: it counts messages, recipients and bytes and
// discards the data unparsed, so it costs little CPU (printed beside the server's).
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import { openDatabase, queryRows } from '../src/platform/db/client.ts';
import { hashPassword } from '../src/platform/auth/secrets.ts';
import type { Benchmark, BenchContext } from './support/context.ts';
import { makeTempDir } from './support/cleanup.ts';
import { bytes, count, duration, heading, note, percent, printTable, rate } from './support/print.ts';
import { printProfile, profileNodeArgs } from './support/profile.ts';
import { startServer, type RunningServer } from './support/server.ts';

/** BENCH_SUBSCRIBERS may shrink it for a quick look; the figures in the README are for 100,000. */
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 100_000);
const TARGET_PER_SECOND = 500;
const SEND_RATE = 100_000;
const EMAIL = 'bench-sender@bench.example';
const PASSWORD = 'a long enough benchmark passphrase';
/** Longest the send may take before the bench gives up waiting. */
const SEND_LIMIT_MS = 30 * 60_000;

/** A realistic bulletin: headings, paragraphs, links and lists, about 3 KB of Markdown. */
const BODY = `## What changed this month

The strategy team has published the second round of verified progress. Thirty-one of the
fifty-six items now report progress that the team has checked against evidence, up from
nineteen in the spring. You can see every item's status and the evidence behind it on the
[progress dashboard](https://strategy-hub.example/progress).

Three things stand out:

- **Recruitment and retention.** Twelve local authorities have joined the international
  recruitment pilot, and the first cohort of 240 care workers started in September.
- **Pay and conditions.** The working group on the pay progression framework met four times
  and has shared its draft with employers for comment until the end of next month.
- **Training.** The care certificate qualification is now available through 180 providers,
  with funding for 40,000 places this year.

## Have your say

We are asking people who work in adult social care what would help them stay in the sector.
The questions take about ten minutes, and everything you tell us is anonymous. The survey
closes on 30 November. [Answer the survey](https://strategy-hub.example/engage/retention).

If you manage a service, we would also like to hear how the new training offer is working for
your team: what was easy to arrange, what was not, and what you would change.

## Workforce model

The fifteen-year workforce model has been updated with the latest vacancy and turnover
figures. The central projection now shows a gap of around 440,000 posts by 2040 if nothing
changes, and the model lets you test what different policies would do to that gap. Read the
[notes on the new figures](https://strategy-hub.example/workforce/notes) before you use them.

| Region | Vacancy rate | Turnover |
| --- | --- | --- |
| London | 10.4% | 29.1% |
| North West | 8.9% | 27.4% |
| South East | 9.7% | 30.2% |

## Champions

Our workforce champions met in Leeds and Bristol this month. They talked about how to make
the strategy real on the ground: supervision that helps people grow, rotas that let people
plan their lives, and managers who have time to lead. If you would like to become a champion,
[find out how to join](https://strategy-hub.example/champions/join).

> "Being a champion means I can bring what I see every day into the room where decisions are
> made." — a champion from a home care service in Cumbria

## Coming up

1. The quarterly progress report, with the verified figures for every item.
2. A webinar on the career pathway for registered managers.
3. The next round of the workforce model, with regional projections.

Thank you for everything you do. If this bulletin was forwarded to you, you can subscribe on
the hub, and you can change which bulletins you get at any time from the link below.
`;

interface Sink {
  port: number;
  messages: () => number;
  recipients: () => number;
  duplicates: () => number;
  bytes: () => number;
  firstAt: () => number | undefined;
  lastAt: () => number | undefined;
  /** Gaps of more than half a second between one message and the next: how many, and their total in ms. */
  pauses: () => { count: number; ms: number };
  close: () => Promise<void>;
}

/** Accepts every message, counts it and its bytes, remembers each recipient; never parses. */
async function startSink(): Promise<Sink> {
  const seen = new Set<string>();
  let messages = 0;
  let duplicates = 0;
  let total = 0;
  let firstAt: number | undefined;
  let lastAt: number | undefined;
  const pauses = { count: 0, ms: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    maxClients: 1000,
    onRcptTo(address, _session, callback) {
      const to = address.address.toLowerCase();
      if (seen.has(to)) duplicates++;
      else seen.add(to);
      callback();
    },
    onData(stream, _session, callback) {
      stream.on('data', (chunk: Buffer) => (total += chunk.length));
      stream.on('end', () => {
        messages++;
        const now = performance.now();
        firstAt ??= now;
        if (lastAt !== undefined && now - lastAt > 500) {
          pauses.count++;
          pauses.ms += now - lastAt;
        }
        lastAt = now;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    messages: () => messages,
    recipients: () => seen.size,
    duplicates: () => duplicates,
    bytes: () => total,
    firstAt: () => firstAt,
    lastAt: () => lastAt,
    pauses: () => ({ ...pauses }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Cookies a response set, as one header value (merged into those already held). */
function keepCookies(jar: Map<string, string>, response: Response): void {
  for (const c of response.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const at = pair!.indexOf('=');
    jar.set(pair!.slice(0, at), pair!.slice(at + 1));
  }
}
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');

/** A browser's visit: GET the form for its CSRF token (and cookie), POST it; returns the redirect. */
async function submit(origin: string, jar: Map<string, string>, formPath: string, fields: Record<string, string | string[]>, postPath = formPath): Promise<string> {
  const page = await fetch(`${origin}${formPath}`, { headers: { cookie: cookieHeader(jar) }, redirect: 'manual' });
  keepCookies(jar, page);
  const html = await page.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error(`no CSRF token on ${formPath} (status ${page.status})`);
  const body = new URLSearchParams({ _csrf: token });
  for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
  const response = await fetch(`${origin}${postPath}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar) },
    body: body.toString(),
    redirect: 'manual',
  });
  keepCookies(jar, response);
  const text = await response.text();
  const location = response.headers.get('location');
  if (response.status !== 303 || !location) throw new Error(`POST ${postPath} answered ${response.status}: ${text.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').slice(0, 400)}`);
  return location;
}

/** One list of SUBSCRIBERS active subscribers and a strategy-team account, straight into the tables. */
async function loadSubscribers(dataDir: string, databaseUrl: string | undefined): Promise<{ listId: number; ms: number }> {
  const database = await openDatabase({ dataDir, databaseUrl });
  const started = performance.now();
  try {
    const passwordHash = await hashPassword(PASSWORD);
    const listId = await database.db.transaction(async (tx) => {
      await tx.execute(sql`insert into users (email, name, role, password_hash) values (${EMAIL}, 'Bench Sender', 'strategy_team', ${passwordHash})`);
      const [list] = await queryRows<{ id: number }>(
        tx,
        sql`insert into bulletin_lists (slug, name, description, kind) values ('bench-everyone', 'Bench: everyone', 'The benchmark''s 100,000 subscribers', 'general') returning id`,
      );
      await tx.execute(sql`
        with added as (
          insert into bulletin_subscribers (email, status, source, lawful_basis, consent_at, consent_note)
          select 'subscriber-' || g || '@bench.example', 'active', 'import', 'consent', timestamptz '2024-07-18 09:00:00+00', 'Benchmark: generated'
          from generate_series(1, ${SUBSCRIBERS}) as g
          returning id)
        insert into bulletin_subscriptions (subscriber_id, list_id) select id, ${list!.id}::integer from added`);
      return list!.id;
    });
    await database.db.execute(sql`analyze bulletin_subscribers`);
    await database.db.execute(sql`analyze bulletin_subscriptions`);
    return { listId, ms: performance.now() - started };
  } finally {
    await database.close();
  }
}

interface Sample {
  at: number;
  delivered: number;
  rss: number | undefined;
}

async function run(context: BenchContext): Promise<void> {
  const dataDir = makeTempDir('strategy-hub-bench-bulletins-');
  let server: RunningServer | undefined;
  let sink: Sink | undefined;
  try {
    heading('database');
    if (context.databaseUrl) {
      console.log('  WARNING: DATABASE_URL is set, so the benchmark loads that PostgreSQL database. It must be an');
      console.log(`  empty, disposable database: the benchmark writes ${count(SUBSCRIBERS)} subscribers and deliveries into it.`);
    }
    // The server migrates and seeds an empty database, the way an operator's first start does.
    server = await startServer({ dataDir: dataDir.path, databaseUrl: context.databaseUrl });
    note(`migrated and seeded by the server's first start (${duration(server.startMs)})`);
    await server.stop();
    server = undefined;
    const load = await loadSubscribers(dataDir.path, context.databaseUrl);
    note(`${count(SUBSCRIBERS)} active subscribers on one list, bulk-loaded in ${duration(load.ms)} (${context.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : 'PGlite, embedded'})`);

    heading('SMTP sink and server');
    sink = await startSink();
    note(`smtp-server in the bench process on 127.0.0.1:${sink.port}: counts messages, recipients and bytes; no parsing`);
    server = await startServer({
      dataDir: dataDir.path,
      databaseUrl: context.databaseUrl,
      nodeArgs: context.profile ? profileNodeArgs() : [],
      env: { SMTP_URL: `smtp://127.0.0.1:${sink.port}`, BULLETIN_SEND_RATE: String(SEND_RATE), MAIL_FROM: '"Workforce Strategy Hub" <bulletins@bench.example>' },
    });
    note(`node --import tsx src/server.ts (NODE_ENV=production) pid ${server.pid}: ready in ${duration(server.startMs)}; BULLETIN_SEND_RATE=${SEND_RATE}`);
    const origin = server.origin;

    const jar = new Map<string, string>();
    await submit(origin, jar, '/login', { email: EMAIL, password: PASSWORD });
    const created = await submit(origin, jar, '/admin/bulletins/new', {
      subject: 'Workforce strategy: autumn update',
      summary: 'Verified progress on 31 items, a survey on staying in care, and the updated workforce model.',
      body: BODY,
      lists: String(load.listId),
      public: 'yes',
    });
    const id = /\/admin\/bulletins\/(\d+)$/.exec(created)?.[1];
    if (!id) throw new Error(`creating the bulletin redirected to ${created}`);
    note(`bulletin ${id} written through /admin/bulletins/new: ${bytes(Buffer.byteLength(BODY))} of Markdown`);

    heading(`sending to ${count(SUBSCRIBERS)} subscribers`);
    const load0 = os.loadavg();
    const cpu0 = server.cpuMs();
    const sinkCpu0 = process.cpuUsage();
    const sendPage = await fetch(`${origin}/admin/bulletins/${id}/send`, { headers: { cookie: cookieHeader(jar) } });
    const version = /name="version" value="(\d+)"/.exec(await sendPage.text())?.[1] ?? '1';
    const started = performance.now();
    await submit(origin, jar, `/admin/bulletins/${id}/send`, { when: 'now', version });
    const startAnswered = performance.now() - started;

    // Memory every 250 ms; the admin page every 2 s (every 250 ms once the sink has them all)
    // until the bulletin shows as sent, or the sink has received nothing new for 2 minutes.
    const samples: Sample[] = [];
    let sentSeenAt: number | undefined;
    let lastPoll = 0;
    let lastProgress = { at: performance.now(), delivered: 0 };
    const server_ = server;
    while (sentSeenAt === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const now = performance.now();
      const delivered = sink.messages();
      samples.push({ at: now - started, delivered, rss: server_.rssBytes() });
      if (delivered !== lastProgress.delivered) lastProgress = { at: now, delivered };
      if (now - lastProgress.at > 120_000) throw new Error(`the send stalled: ${count(delivered)} of ${count(SUBSCRIBERS)} received, nothing new for 2 minutes; server output:\n${server_.logLines().slice(-20).join('\n')}`);
      if (now - started > SEND_LIMIT_MS) throw new Error(`the send took longer than ${duration(SEND_LIMIT_MS)}`);
      if (delivered >= SUBSCRIBERS || now - lastPoll >= 2000) {
        lastPoll = now;
        const page = await fetch(`${origin}/admin/bulletins/${id}`, { headers: { cookie: cookieHeader(jar) } });
        const html = await page.text();
        if (page.status !== 200) throw new Error(`/admin/bulletins/${id} answered ${page.status}`);
        if (/<p class="govuk-body">Finished /.test(html)) sentSeenAt = performance.now();
      }
    }
    const wall = sentSeenAt - started;
    const serverCpu = (server.cpuMs() ?? 0) - (cpu0 ?? 0);
    const sinkCpu = process.cpuUsage(sinkCpu0);
    const peakSample = samples.reduce((a, b) => ((b.rss ?? 0) > (a.rss ?? 0) ? b : a), samples[0]!);
    const peakDuring = peakSample.rss ?? 0;
    const peakEver = server.peakRssBytes();
    const load1 = os.loadavg();
    const firstAt = sink.firstAt();
    const lastAt = sink.lastAt();
    const messages = sink.messages();
    const sinkBytes = sink.bytes();
    const recipients = sink.recipients();
    const duplicates = sink.duplicates();

    // The server stops, then its own record of the send is read from the database.
    const logs = server.logLines();
    const pid = server.pid;
    await server.stop(60_000);
    server = undefined;
    const database = await openDatabase({ dataDir: dataDir.path, databaseUrl: context.databaseUrl });
    let record: { status: string; recipients: number; ms: number } | undefined;
    let deliveries: { status: string; n: number }[] = [];
    try {
      [record] = await queryRows<{ status: string; recipients: number; ms: number }>(
        database.db,
        sql`select status, recipient_count as recipients, (extract(epoch from finished_at - started_at) * 1000)::float8 as ms from bulletin_campaigns where id = ${Number(id)}`,
      );
      deliveries = await queryRows<{ status: string; n: number }>(database.db, sql`select status, count(*)::int as n from bulletin_deliveries where campaign_id = ${Number(id)} group by status order by status`);
    } finally {
      await database.close();
    }

    const perSecond = record ? (SUBSCRIBERS / record.ms) * 1000 : (messages / wall) * 1000;
    const sinkSpan = firstAt !== undefined && lastAt !== undefined ? lastAt - firstAt : undefined;
    printTable(
      [{ header: 'measure' }, { header: 'value', align: 'right' }, { header: '' }],
      [
        ['the send form answered (deliveries written, job queued)', duration(startAnswered), ''],
        ['started → sent (the campaign\u2019s own times)', record ? duration(record.ms) : '-', record ? `status ${record.status}, ${count(record.recipients)} recipients` : ''],
        ['form posted → admin page shows sent', duration(wall), ''],
        ['emails per second (recipients ÷ started → sent)', rate(perSecond), perSecond >= TARGET_PER_SECOND ? `target ≥ ${TARGET_PER_SECOND}: met` : `target ≥ ${TARGET_PER_SECOND}: NOT MET`],
        ['emails per second at the sink (first → last message)', sinkSpan ? rate(((messages - 1) / sinkSpan) * 1000) : '-', ''],
        ['pauses at the sink over 0.5 s (job hand-overs each minute)', `${sink.pauses().count}`, `${duration(sink.pauses().ms)} in all`],
        ['messages received by the sink', count(messages), messages === SUBSCRIBERS ? 'all' : `DIFFERENCE ${count(messages - SUBSCRIBERS)}`],
        ['distinct recipients / repeated RCPT TO', `${count(recipients)} / ${count(duplicates)}`, duplicates ? 'DUPLICATES' : 'no duplicates'],
        ['bytes received', bytes(sinkBytes), messages ? `${bytes(Math.round(sinkBytes / messages))} per email` : ''],
        ['server CPU during the send', duration(serverCpu), percent((serverCpu / wall) * 100) + ' of one core'],
        ['bench process CPU (the sink, polling)', duration((sinkCpu.user + sinkCpu.system) / 1000), percent(((sinkCpu.user + sinkCpu.system) / 1000 / wall) * 100) + ' of one core'],
        ['load average (1 min) before / after', `${load0[0]!.toFixed(2)} / ${load1[0]!.toFixed(2)}`, `${os.cpus().length} CPUs`],
      ],
    );
    note(`deliveries recorded: ${deliveries.map((d) => `${d.status} ${count(d.n)}`).join(', ')}`);

    heading('server memory (resident, sampled every 250 ms from /proc)');
    const at = (fraction: number) => samples.find((s) => s.delivered >= fraction * SUBSCRIBERS);
    let previous: Sample | undefined;
    const rows = [0.1, 0.5, 0.9].map((f) => {
      const s = at(f);
      // Emails a second since the previous point (since the first message for the first).
      const since = previous ?? { at: firstAt !== undefined ? firstAt - started : 0, delivered: 0 };
      const pace = s && s.at > since.at ? rate(((s.delivered - since.delivered) / (s.at - since.at)) * 1000) : '-';
      previous = s;
      return [`${f * 100}% delivered`, s?.rss ? bytes(s.rss) : '-', s ? duration(s.at) : '-', pace];
    });
    printTable([{ header: 'point' }, { header: 'RSS', align: 'right' }, { header: 'after', align: 'right' }, { header: 'emails/s since the last point', align: 'right' }], [
      ...rows,
      ['peak while sending', bytes(peakDuring), `${duration(peakSample.at)}, ${count(peakSample.delivered)} delivered`],
      ['peak over the process\u2019s life (VmHWM)', peakEver ? bytes(peakEver) : '-', 'includes start-up and the send form'],
    ]);
    const warnings = logs.filter((l) => /"level":(4|5|6)0/.test(l));
    if (warnings.length) note(`server warnings/errors: ${warnings.length}; last: ${warnings.at(-1)!.slice(0, 300)}`);

    if (context.profile) printProfile(pid, 15);
  } finally {
    await server?.stop();
    await sink?.close();
    await dataDir.remove();
  }
}

export const bulletinSend: Benchmark = {
  name: 'bulletins',
  title: 'A bulletin to 100,000 subscribers through a local SMTP sink: emails per second, flat memory, no duplicates',
  run,
};
