// Backups and copies round-trip every row of every table: the demo database plus a row in every
// table the demo leaves empty (made through the app where it can, with awkward values: bytea of
// several megabytes, jsonb, arrays, unicode, microsecond timestamps), through a backup file into
// an empty database on each engine, checked by counts and checksums that the databases compute.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { addPeople, createTestApp, eventually, publishUpdate, signInAs, submitForm, submitMultipart, updateFields, type TestApp } from '../../testing.ts';
import { systemActor } from '../audit/audit.ts';
import { openPostgres, wrapPglite, type Database } from './client.ts';
import { dumpDatabase, DumpError, listTables, loadDatabase, tableName, VerifyError, verifyDatabase, type DumpEvent, type DumpHeader } from './dump.ts';
import { readDumpFile, readDumpHeader, writeDumpFile } from './dump-file.ts';
import { migrationTags } from './migrate.ts';

async function rows<T = Record<string, unknown>>(database: Database, text: string, values?: unknown[]): Promise<T[]> {
  const connection = await database.connect();
  try {
    return await connection.query<T>(text, values);
  } finally {
    connection.release();
  }
}

async function emptyPglite(): Promise<Database> {
  return wrapPglite(await PGlite.create(), 'memory://restore-test');
}

/** A new, empty PostgreSQL database next to DATABASE_URL's, dropped by `drop()`. */
async function emptyPostgres(): Promise<{ url: string; database: Database; drop: () => Promise<void> }> {
  const base = process.env.DATABASE_URL!;
  const name = `${new URL(base).pathname.slice(1)}_restore_${process.pid}_${Date.now() % 1e8}`.slice(0, 63);
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  const database = await openPostgres(url.toString());
  return {
    url: url.toString(),
    database,
    drop: async () => {
      await database.close();
      const cleanup = new pg.Client({ connectionString: base });
      await cleanup.connect();
      await cleanup.query(`drop database if exists "${name}" with (force)`);
      await cleanup.end();
    },
  };
}

/** The evidence file: a PDF by its first bytes, then 3 MB of random bytes (more than one batch of text). */
const evidenceBytes = Buffer.concat([Buffer.from('%PDF-1.4\n', 'latin1'), randomBytes(3 * 1024 * 1024), Buffer.from('\n%%EOF\n', 'latin1')]);

/** Puts at least one row in every table the demo leaves empty, through the app where it can. */
async function fillEveryTable(t: TestApp): Promise<void> {
  const db = t.database;
  await t.app.jobs.start({ work: true }); // pg-boss's queues and schedules
  const [lead] = await rows<{ id: number; slug: string; code: string; item_id: number }>(
    db,
    `select o.id, o.slug, i.code, i.id as item_id from item_organisations io join items i on i.id = io.item_id
       join organisations o on o.id = io.organisation_id where io.role = 'lead' order by i.code limit 1`,
  );
  assert.ok(lead);
  await addPeople(t, [
    { email: 'team@example.org', name: 'Sam Team', role: 'strategy_team' },
    { email: 'reporter@example.org', name: 'Rhiannon O’Brien-Łukasiewicz', role: 'organisation_reporter', organisationId: lead.id },
  ]);
  const team = (await signInAs(t.app, 'team@example.org')).cookie;
  const reporter = (await signInAs(t.app, 'reporter@example.org')).cookie;
  assert.ok(team && reporter, 'both signed in (sessions)');
  await signInAs(t.app, 'nobody@example.org', 'not the password'); // sign_in_throttle
  await t.services.accounts.createSetupLink(systemActor, 'second-admin@example.org'); // account_tokens

  const follow = await submitForm(t.app, { url: `/recommendations/${lead.code}/follow`, fields: { email: 'fan@example.org' } });
  assert.equal(follow.statusCode, 200);
  await t.services.following.settled(); // the request is recorded after the answer
  await eventually(async () => (await rows(db, `update item_followers set confirmed_at = now(), confirm_token_hash = null returning id`)).length > 0, 10_000, 'the follow request');

  const saved = await submitMultipart(t.app, {
    url: `/report/${lead.slug}/items/${lead.code}`,
    cookie: reporter,
    fields: updateFields({ narrative: 'Ünïcödé “quotes”, a \\ backslash,\na new line and a tab\there.', milestones: 'March: done' }),
    files: [{ name: 'evidence.pdf', bytes: evidenceBytes }],
  });
  assert.equal(saved.statusCode, 303, saved.body);
  const [update] = await rows<{ id: number }>(db, 'select id from progress_updates order by id desc limit 1');
  await publishUpdate(t, team, update!.id);
  await eventually(async () => (await rows(db, 'select 1 from follower_notifications')).length > 0, 15_000, 'the follower to be emailed');
  // follow_addresses came with that email; follow_digests: a weekly follower hears of the update in next Monday's digest.
  await rows(db, `insert into item_followers (item_id, email, frequency, stop_token, confirmed_at) values ($1, 'weekly@example.org', 'weekly', 'weekly-follower-stop-token', now())`, [lead.item_id]);
  assert.equal((await t.services.following.sendDigests(new Date(Date.now() + 7 * 86_400_000))).sent, 1);
  await rows(db, `update progress_updates set evidence = '[{"url": "https://example.org/a?b=1&c=2", "title": "Zürich \\"report\\"", "pages": [1, 2.50, null, true]}]'::jsonb where id = $1`, [update!.id]);

  const review = await submitForm(t.app, { url: '/admin/reviews', cookie: team, fields: { year: '2025' } });
  assert.equal(review.statusCode, 303);
  const run = await t.services.workforce.run({ scenario: 'current-policy', runs: 5 }, { store: true, actor: systemActor }); // workforce_runs (jsonb)
  assert.equal(run.stored, true);

  const [teamUser] = await rows<{ id: number }>(db, `select id from users where email = 'team@example.org'`);
  await rows(
    db,
    `insert into review_decisions (review_id, item_id, outcome, rationale, decided_by) select id, $1, 'amend', 'Needs a sharper target; see ''annex B''.', $2 from reviews`,
    [lead.item_id, teamUser!.id],
  );
  await rows(
    db,
    `insert into review_items (review_id, item_id, position, code, kind, title, area_slug, area_name, status, government_role, target_text, leads, partners)
     select r.id, i.id, 1, i.code, i.kind, i.title, a.slug, a.name, i.status, i.government_role, i.target_text, '["DHSC"]'::jsonb, '[]'::jsonb
       from reviews r, items i join areas a on a.id = i.area_id where i.id = $1`,
    [lead.item_id],
  );
  await rows(db, `insert into reporting_cycles (name, opens_on, due_on, closes_on, created_by) values ('Spring 2026', '2026-03-01', '2026-04-15', '2099-12-31', $1)`, [teamUser!.id]);
  await rows(db, `insert into reporting_reminders (cycle_id, organisation_id, kind, recipients) select id, $1, 'due_soon', 2 from reporting_cycles`, [lead.id]);
  await rows(
    db,
    `insert into api_tokens (organisation_id, name, token_hash, prefix, scopes, created_by, expires_at)
     values ($1, 'Nightly export', $2, 'wsh_abcd', array['organisation:read', 'odd, "quoted" {scope}', null], $3, '2030-01-01 12:34:56.789012+00')`,
    [lead.id, createHash('sha256').update('token').digest('hex'), teamUser!.id],
  );
  await rows(db, `update workforce_item_levers set size = 0.30000000000000004 where id = (select min(id) from workforce_item_levers)`);
  // The drafting pipeline, through its service: a working-group member's draft, reviewed,
  // commented on and sent back at a steering-group meeting.
  await addPeople(t, [
    { email: 'member@example.org', name: 'Mo Member', role: 'body_member' },
    { email: 'reviewer@example.org', name: 'Rev Viewer', role: 'evidence_reviewer' },
  ]);
  const person = async (email: string) => {
    const [u] = await rows<{ id: number; name: string; role: 'body_member' | 'evidence_reviewer' | 'strategy_team' }>(db, `select id, name, role from users where email = $1`, [email]);
    return { id: u!.id, email, name: u!.name, role: u!.role, organisationId: null };
  };
  const [member, reviewer, teamViewer] = [await person('member@example.org'), await person('reviewer@example.org'), await person('team@example.org')];
  const group = (await t.services.governance.body('working-group-prevention'))!;
  const steering = (await t.services.governance.body('steering-group'))!;
  await t.services.governance.addMember(systemActor, group.id, { person: { name: member.name, userId: member.id }, organisationId: null, position: 'member', roleTitle: '', startsOn: '2020-01-01', endsOn: null });
  const meeting = await t.services.governance.createMeeting(systemActor, steering.id, {
    title: 'Steering group',
    startsAt: new Date('2025-01-10T10:00:00Z'),
    endsAt: new Date('2025-01-10T12:00:00Z'),
    place: 'Leeds',
    onlineUrl: null,
    agenda: 'Drafts',
    minutes: null,
    minutesPublic: false,
    cancelled: false,
    papers: [],
  });
  const drafting = t.services.drafting;
  let draft = await drafting.createDraft(systemActor, member, group.slug, { title: 'Prevention “first”', rationale: 'Because; it, works.\nReally.', leads: [lead.slug], area: 'transform', themes: [], targetText: 'By 2027' });
  draft = await drafting.submit(systemActor, member, draft.id, draft.version);
  draft = await drafting.startReview(systemActor, reviewer, draft.id, draft.version);
  draft = await drafting.completeReview(systemActor, reviewer, draft.id, draft.version, { strength: 'moderate', analysis: 'Some.', costText: '£1m', costPerYear: 1_000_000, levers: [], testingNotes: '', recommendation: 'revise' });
  await drafting.comment(systemActor, member, draft.id, 'Thanks.');
  const [current] = await rows<{ version: number }>(db, 'select version from drafts where id = $1', [draft.id]);
  await drafting.decide(systemActor, teamViewer, draft.id, current!.version, { meetingId: meeting.id, outcome: 'send_back', reasons: 'Add the pilots.', code: '' });

  // Champions and enquiries: the service where it takes plain input, rows where a flow needs an emailed link.
  await t.services.community.setAutoApproveSettings(systemActor, teamViewer, ['council']);
  const [champion] = await rows<{ id: number }>(
    db,
    `insert into champions (email, name, job_role, employer, setting, region, why, contact_consent, directory_consent, status, confirmed_at)
     values ('champ@example.org', 'Chloé Champion', 'Care worker', 'Acme Care', 'care_home', 'london', 'To help, “truly”.', true, true, 'active', now()) returning id`,
  );
  await t.services.community.pledge(systemActor, champion!.id, lead.code, true);
  await t.services.community.logAction(systemActor, champion!.id, { kind: 'talk', title: 'A talk', description: '', item: lead.code, happenedOn: '2025-05-01', peopleReached: 12 });
  await rows(db, `insert into champion_sign_in_links (token_hash, champion_id, expires_at) values ('link-hash', $1, now() + interval '1 hour')`, [champion!.id]);
  await rows(db, `insert into champion_sessions (token_hash, champion_id, expires_at) values ('session-hash', $1, now() + interval '1 hour')`, [champion!.id]);
  await rows(db, `insert into champion_signups (link_hash, email_key, expires_at, last_sent_at) values ('signup-hash', 'email-key', now() + interval '1 day', now())`);
  await rows(db, `insert into champion_growth (month) values ('2025-05-01') on conflict do nothing`);
  await rows(db, `insert into community_revision default values`).catch(() => undefined);
  const enquiry = await t.services.community.submitEnquiry(systemActor, { kind: 'evidence', name: 'Ed Enquirer', email: 'ed@example.org', organisation: 'Acme', message: 'I have evidence, “lots”.' });
  await t.services.community.replyToEnquiry(systemActor, teamViewer, enquiry.id, 'Thank you.');
  await t.services.community.settled();

  // Bulletins: the demo has lists, sent bulletins and champions on champions news; add a
  // pending subscriber (an integer array), a delivery and an erased address.
  await rows(db, `insert into bulletin_subscribers (email, status, source, lawful_basis, consent_note, pending_list_ids) values ('pending@example.org', 'pending', 'form', 'consent', 'Subscribe form, “quoted”', '{1,2}')`);
  await rows(db, `insert into bulletin_deliveries (campaign_id, subscriber_id, status, attempts, sent_at) select c.id, s.id, 'sent', 1, now() from bulletin_campaigns c, bulletin_subscribers s order by c.id, s.id limit 1`);
  await rows(db, `insert into bulletin_suppressions (email_hash) values ('erased-hash')`);

  await rows(db, `insert into pgboss.subscription (event, name) select 'item.published', name from pgboss.queue order by name limit 1`);
  await rows(db, `insert into pgboss.archive select j.*, now() from pgboss.job j order by j.created_on limit 1`);
}

describe('backup, restore and moving data', () => {
  let t: TestApp;
  let dir: string;
  let file: string;
  let header: DumpHeader;

  before(async () => {
    t = await createTestApp('demo', { jobPollingSeconds: 0.5 });
    await fillEveryTable(t);
    await t.app.jobs.stop();
    dir = mkdtempSync(path.join(os.tmpdir(), 'strategy-hub-dump-'));
    file = path.join(dir, 'hub.backup');
    header = (await writeDumpFile(file, dumpDatabase(t.database))).header;
  });
  after(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds every table in the schema, each with rows, and the migration level', async () => {
    const connection = await t.database.connect();
    const tables = await listTables(connection).finally(() => connection.release());
    assert.deepEqual(header.tables.map(tableName).sort(), tables.map(tableName).sort(), 'every table the catalogue lists is in the backup');
    const empty = header.tables.filter((table) => table.rows === 0).map(tableName);
    assert.deepEqual(empty, [], `tables with no rows in this test's data, so not checked (add rows for them in fillEveryTable): ${empty.join(', ')}`);
    assert.equal(header.migrations.length, migrationTags().length);
    assert.ok(header.tables.some((table) => table.schema === 'pgboss' && table.name === 'job' && table.rows > 0));
    assert.ok(header.sequences.some((s) => s.name === 'users_id_seq'));
    assert.equal((await readDumpHeader(file)).createdAt, header.createdAt);
  });

  it('restores into an empty embedded database: every row back, checked table by table', async () => {
    const target = await emptyPglite();
    try {
      const result = await loadDatabase(target, readDumpFile(file));
      assert.equal(result.report.ok, true);
      assert.equal(result.report.tables.length, header.tables.length);
      assert.equal(result.newerMigrations, 0);
      // Checked independently of the checksums: the evidence bytes, a jsonb document, an array.
      const [evidence] = await rows<{ content: Uint8Array; sha256: string }>(target, 'select content, sha256 from progress_evidence_files');
      assert.ok(Buffer.from(evidence!.content).equals(evidenceBytes));
      assert.equal(createHash('sha256').update(evidence!.content).digest('hex'), evidence!.sha256);
      const [update] = await rows<{ evidence: unknown; narrative: string }>(target, 'select evidence, narrative from progress_updates');
      assert.deepEqual(update!.evidence, [{ url: 'https://example.org/a?b=1&c=2', title: 'Zürich "report"', pages: [1, 2.5, null, true] }]);
      assert.match(update!.narrative, /Ünïcödé “quotes”, a \\ backslash,\r?\na new line/);
      const [token] = await rows<{ scopes: (string | null)[]; expires: string }>(target, `select scopes, to_char(expires_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') as expires from api_tokens`);
      assert.deepEqual(token!.scopes, ['organisation:read', 'odd, "quoted" {scope}', null]);
      assert.equal(token!.expires, '2030-01-01 12:34:56.789012');
      // Sequences carry on after the restored rows.
      const [next] = await rows<{ id: number }>(target, `insert into organisations (slug, name, kind) values ('new-org', 'New organisation', 'provider') returning id`);
      const [highest] = await rows<{ id: number }>(target, `select max(id)::int as id from organisations where slug <> 'new-org'`);
      assert.ok(next!.id > highest!.id);
    } finally {
      await target.close();
    }
  });

  it('finds a row changed after a restore, and names the table', async () => {
    const target = await emptyPglite();
    try {
      await loadDatabase(target, readDumpFile(file));
      assert.equal((await verifyDatabase(target, header)).ok, true);
      await rows(target, `update items set title = title || '.' where id = (select min(id) from items)`);
      const report = await verifyDatabase(target, header);
      assert.equal(report.ok, false);
      assert.deepEqual(
        report.tables.filter((table) => !table.ok).map((table) => [table.table, table.problem]),
        [['public.items', 'checksum differs']],
      );
      await rows(target, `delete from sessions where ctid = (select min(ctid) from sessions)`);
      const fewer = await verifyDatabase(target, header);
      assert.deepEqual(fewer.tables.filter((table) => !table.ok).map((table) => table.table).sort(), ['public.items', 'public.sessions']);
    } finally {
      await target.close();
    }
  });

  it('refuses a database that holds rows, and changes nothing in it', async () => {
    const before = await rows<{ n: number }>(t.database, 'select count(*)::int as n from items');
    await assert.rejects(loadDatabase(t.database, readDumpFile(file)), (error: Error) => error instanceof DumpError && /not empty: public\.\w+, .* hold rows/.test(error.message));
    assert.deepEqual(await rows(t.database, 'select count(*)::int as n from items'), before);
  });

  it('rolls back a copy that does not match, leaving the database empty', async () => {
    // A backup whose header promises a different checksum for one table: loading goes through,
    // verification fails, nothing is kept.
    async function* tampered(): AsyncGenerator<DumpEvent> {
      for await (const event of readDumpFile(file)) {
        if (event.type === 'header') {
          const tables = event.header.tables.map((table) => (table.name === 'terms' ? { ...table, checksum: '0'.repeat(32) } : table));
          yield { type: 'header', header: { ...event.header, tables } };
        } else yield event;
      }
    }
    const target = await emptyPglite();
    try {
      await assert.rejects(loadDatabase(target, tampered()), (error: Error) => {
        assert.ok(error instanceof VerifyError);
        assert.deepEqual(error.report.tables.filter((table) => !table.ok).map((table) => table.table), ['public.terms']);
        return true;
      });
      assert.deepEqual(await rows(target, 'select count(*)::int as n from items'), [{ n: 0 }]);
      // The failed attempt left an empty, migrated database: a good backup loads into it.
      assert.equal((await loadDatabase(target, readDumpFile(file))).report.ok, true);
    } finally {
      await target.close();
    }
  });

  it('refuses a damaged or cut-short file, keeping nothing', async () => {
    const lines = gunzipSync(readFileSync(file)).toString('utf8').split('\n');
    const rowLine = lines.findIndex((line, i) => i > 0 && line.startsWith('['));
    const missingRow = path.join(dir, 'missing-row.backup');
    writeFileSync(missingRow, gzipSync(lines.filter((_, i) => i !== rowLine).join('\n')));
    const cut = path.join(dir, 'cut.backup');
    writeFileSync(cut, readFileSync(file).subarray(0, 20_000));
    const notBackup = path.join(dir, 'not-a-backup');
    writeFileSync(notBackup, gzipSync('{"hello":"world"}\n'));
    for (const [damaged, message] of [
      [missingRow, /damaged: .* should have \d+ rows and has \d+/],
      [cut, /could not be read|cut short/],
      [notBackup, /not a strategy-hub backup/],
    ] as const) {
      const target = await emptyPglite();
      try {
        await assert.rejects(loadDatabase(target, readDumpFile(damaged)), message);
        assert.deepEqual(await rows(target, `select count(*)::int as n from pg_tables where schemaname = 'public' and tablename = 'items'`).then(async (r) => ((r[0] as { n: number }).n ? rows(target, 'select count(*)::int as n from items') : [{ n: 0 }])), [{ n: 0 }]);
      } finally {
        await target.close();
      }
    }
  });

  it('restores a backup made at an older migration level, then applies the newer migrations', async () => {
    const older = path.join(dir, 'older.backup');
    const level = migrationTags().length - 1;
    // A backup of an empty database migrated one step short of this version.
    const source = await emptyPglite();
    const { migrate } = await import('./migrate.ts');
    await migrate(source, undefined, { upTo: level });
    await writeDumpFile(older, dumpDatabase(source));
    await source.close();
    assert.equal((await readDumpHeader(older)).migrations.length, level);
    const target = await emptyPglite();
    try {
      const result = await loadDatabase(target, readDumpFile(older));
      assert.equal(result.report.ok, true);
      assert.equal(result.newerMigrations, 1);
    } finally {
      await target.close();
    }
  });

  it('copies to and from PostgreSQL, the same rows and checksums (DATABASE_URL)', async (test) => {
    if (!process.env.DATABASE_URL) {
      test.skip('set DATABASE_URL to a PostgreSQL server to copy between the engines');
      return;
    }
    // The source is on PostgreSQL in this run: PostgreSQL → file → embedded → PostgreSQL.
    const embedded = await emptyPglite();
    const server = await emptyPostgres();
    try {
      assert.equal((await loadDatabase(embedded, readDumpFile(file))).report.ok, true, 'file to PGlite');
      const copied = await loadDatabase(server.database, dumpDatabase(embedded), { databaseUrl: server.url });
      assert.equal(copied.report.ok, true, 'PGlite to PostgreSQL, as migrate-data does');
      assert.equal((await verifyDatabase(server.database, header)).ok, true, 'the PostgreSQL copy matches the first backup');
    } finally {
      await embedded.close();
      await server.drop();
    }
  });
});

describe('a table of every kind of column, as a later feature might add', () => {
  // Not one of the hub's tables: made on both sides, so the dump meets types, shapes and
  // constraints the current schema does not have (a self-reference pointing forwards, an
  // identity column, a generated column, no primary key with duplicate rows).
  const ddl = [
    `create table type_zoo (
       id integer generated always as identity primary key,
       parent_id integer references type_zoo (id),
       big bigint, amount numeric(14, 4), ratio double precision, small real, flag boolean,
       day date, at timestamptz, local_at timestamp, span interval, clock time, uid uuid,
       doc json, docb jsonb, tags text[], numbers integer[], grid integer[][], bytes bytea,
       label varchar(20), code char(3),
       upper_label text generated always as (upper(label)) stored)`,
    `create table type_zoo_links (a integer not null, b integer not null, note text)`,
  ];
  const values = `
    insert into type_zoo (id, parent_id, big, amount, ratio, small, flag, day, at, local_at, span, clock, uid, doc, docb, tags, numbers, grid, bytes, label, code)
    overriding system value values
      (1, 2, 9223372036854775807, -1234567890.1234, 'NaN', '-Infinity', true, 'infinity', '2026-03-29 01:30:00.123456+01', '2026-03-29 01:30:00',
       '1 year 2 mons -3 days 04:05:06.789', '23:59:59.999999', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
       '{"b": 1,   "a": [1, 2]}', '{"b": {"z": 1, "a": null}, "a": "é\\n"}', '{"a,b","c\\"d",NULL,""}', '{1,NULL,-3}', '{{1,2},{3,4}}',
       '\\x00ff0a5c', 'it''s', 'ab'),
      (2, null, null, null, 0.30000000000000004, null, false, null, null, null, null, null, null, null, '[]', '{}', null, null, '\\x', '', null)`;

  const shape = `select id, parent_id, big::text, amount::text, ratio::text, small::text, flag, day::text, extract(epoch from at)::text as at, local_at::text,
                        span::text, clock::text, uid::text, doc::text, docb::text, tags::text, numbers::text, grid::text, encode(bytes, 'hex') as bytes,
                        label, code, upper_label from type_zoo order by id`;

  it('carries every value exactly, adds the foreign key back and carries on the identity', async () => {
    const { createTestDatabase } = await import('./test-database.ts');
    const source = await createTestDatabase();
    const target = await emptyPglite();
    try {
      for (const statement of ddl) {
        await rows(source, statement);
        await rows(target, statement);
      }
      await rows(source, values);
      await rows(source, `insert into type_zoo_links values (1, 2, 'twice'), (1, 2, 'twice'), (2, 1, null)`);
      const before = await rows(source, shape);
      const result = await loadDatabase(target, dumpDatabase(source));
      assert.equal(result.report.ok, true);
      assert.deepEqual(await rows(target, shape), before);
      assert.deepEqual(await rows(target, `select a, b, note from type_zoo_links order by a, b, note`), [
        { a: 1, b: 2, note: 'twice' },
        { a: 1, b: 2, note: 'twice' },
        { a: 2, b: 1, note: null },
      ]);
      const [next] = await rows<{ id: number }>(target, `insert into type_zoo (label) values ('new') returning id`);
      assert.equal(next!.id, 3);
      await assert.rejects(rows(target, `insert into type_zoo (parent_id) values (99)`), /foreign key/, 'the self-reference is enforced again');
    } finally {
      await source.close();
      await target.close();
    }
  });
});
