// Logical dumps of the whole database, the same on both engines (decision 24): every table of
// the `public` schema and of the job queue's schema, found in the catalogue at run time, plus
// the migrations journal and the sequences. A dump is a stream of events: a header (migration
// level, per-table row counts and checksums), then each table's rows as PostgreSQL text,
// read through a cursor in one snapshot. Loading refuses a database that holds rows, migrates
// it to the dump's level, loads every row in one transaction, sets the sequences, and checks
// every table's count and checksum (computed by the database itself) before it commits.
import { createHash } from 'node:crypto';
import { JOB_SCHEMA } from '../jobs/schema-name.ts';
import type { Database, SqlConnection } from './client.ts';
import { migrate, migrationHashes } from './migrate.ts';

export const DUMP_FORMAT = 'strategy-hub-dump';
export const DUMP_VERSION = 1;

/** A value as PostgreSQL's text form (bytea as hex, timestamps in UTC), or null. */
export type DumpValue = string | null;

export interface ColumnInfo {
  name: string;
  /** As `format_type` writes it, e.g. `timestamp with time zone`, `text[]`, `pgboss.job_state`. */
  type: string;
  /** Computed by the database (`generated always as … stored`): checked, never written. */
  generated: boolean;
}

export interface TableInfo {
  schema: string;
  name: string;
  columns: ColumnInfo[];
  primaryKey: string[];
}

export interface TableSummary extends TableInfo {
  rows: number;
  checksum: string;
}

export interface SequenceValue {
  schema: string;
  name: string;
  lastValue: string;
  isCalled: boolean;
}

export interface DumpHeader {
  format: typeof DUMP_FORMAT;
  version: typeof DUMP_VERSION;
  createdAt: string;
  engine: string;
  /** drizzle's hash of each migration applied to the source, in order: its level. */
  migrations: string[];
  /** pg-boss's schema version in the source, or null when the job queue was not installed. */
  jobSchemaVersion: number | null;
  tables: TableSummary[];
  sequences: SequenceValue[];
}

export type DumpEvent =
  | { type: 'header'; header: DumpHeader }
  /** The rows that follow belong to this table, in its header's non-generated column order. */
  | { type: 'table'; schema: string; name: string }
  | { type: 'rows'; rows: DumpValue[][] }
  /** The end of the dump; `rows` is how many rows it held, so a cut-short file is noticed. */
  | { type: 'end'; rows: number };

export class DumpError extends Error {}

export interface TableCheck {
  table: string;
  expectedRows: number;
  actualRows: number | null;
  ok: boolean;
  problem?: string;
}

export interface VerifyReport {
  ok: boolean;
  tables: TableCheck[];
  sequences: { sequence: string; expected: string; actual: string | null; ok: boolean }[];
}

export class VerifyError extends DumpError {
  constructor(readonly report: VerifyReport) {
    const bad = report.tables.filter((t) => !t.ok).map((t) => t.table);
    const badSequences = report.sequences.filter((s) => !s.ok).map((s) => s.sequence);
    super(`The copy does not match the source: ${[...bad, ...badSequences].join(', ')}`);
  }
}

const MIGRATIONS_JOURNAL = { schema: 'drizzle', name: '__drizzle_migrations' };
/** Rows fetched or inserted at once are kept to about this many bytes of text. */
const BATCH_BYTES = 8 * 1024 * 1024;
const MAX_BATCH_ROWS = 1000;

/**
 * Session settings that fix every type's text form, so the same value has the same text (and
 * checksum) on both engines and in either time zone; set on every connection that dumps,
 * loads or verifies.
 */
const TEXT_SETTINGS = [
  "set local timezone to 'UTC'",
  "set local datestyle to 'ISO, YMD'",
  "set local intervalstyle to 'postgres'",
  'set local extra_float_digits to 1',
  "set local bytea_output to 'hex'",
];

export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

export function tableName(table: { schema: string; name: string }): string {
  return `${table.schema}.${table.name}`;
}

function qualified(table: { schema: string; name: string }): string {
  return `${ident(table.schema)}.${ident(table.name)}`;
}

type Role = 'data' | 'journal' | 'job-version' | 'job-queue';

/**
 * How a table is carried. Most tables' rows are loaded as they are. The migrations journal and
 * pg-boss's version row are written by migrating the target, then compared. pg-boss's queues
 * are created through its own function (which makes each queue's partition of the job table),
 * then given the dumped values.
 */
function roleOf(table: { schema: string; name: string }): Role {
  if (table.schema === MIGRATIONS_JOURNAL.schema && table.name === MIGRATIONS_JOURNAL.name) return 'journal';
  if (table.schema === JOB_SCHEMA && table.name === 'version') return 'job-version';
  if (table.schema === JOB_SCHEMA && table.name === 'queue') return 'job-queue';
  return 'data';
}

/** Load order: the journal, pg-boss's version and queues, the rest of pg-boss, then `public`. */
function loadRank(table: { schema: string; name: string }): number {
  const role = roleOf(table);
  if (role === 'journal') return 0;
  if (role === 'job-version') return 1;
  if (role === 'job-queue') return 2;
  return table.schema === JOB_SCHEMA ? 3 : 4;
}

/** Every table a dump holds, read from the catalogue (so tables added later are included). */
export async function listTables(connection: SqlConnection): Promise<TableInfo[]> {
  const tables = await connection.query<{ schema: string; name: string }>(
    `select n.nspname as schema, c.relname as name
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and not c.relispartition
        and (n.nspname in ('public', ${literal(JOB_SCHEMA)})
             or (n.nspname = ${literal(MIGRATIONS_JOURNAL.schema)} and c.relname = ${literal(MIGRATIONS_JOURNAL.name)}))`,
  );
  const columns = await connection.query<{ schema: string; table: string; name: string; type: string; generated: boolean }>(
    `select n.nspname as schema, c.relname as table, a.attname as name,
            format_type(a.atttypid, a.atttypmod) as type, a.attgenerated <> '' as generated
       from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped
        and n.nspname in ('public', ${literal(JOB_SCHEMA)}, ${literal(MIGRATIONS_JOURNAL.schema)})
      order by n.nspname, c.relname, a.attnum`,
  );
  const keys = await connection.query<{ schema: string; table: string; name: string; position: number }>(
    `select n.nspname as schema, c.relname as table, a.attname as name, array_position(i.indkey::int2[], a.attnum)::int as position
       from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
       join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
      where i.indisprimary and n.nspname in ('public', ${literal(JOB_SCHEMA)}, ${literal(MIGRATIONS_JOURNAL.schema)})`,
  );
  return tables
    .map((t) => ({
      schema: t.schema,
      name: t.name,
      columns: columns.filter((c) => c.schema === t.schema && c.table === t.name).map((c) => ({ name: c.name, type: c.type, generated: c.generated })),
      primaryKey: keys
        .filter((k) => k.schema === t.schema && k.table === t.name)
        .sort((a, b) => a.position - b.position)
        .map((k) => k.name),
    }))
    .sort((a, b) => loadRank(a) - loadRank(b) || a.schema.localeCompare(b.schema) || a.name.localeCompare(b.name));
}

/** The columns a table's checksum covers: all of them, but only the number of pg-boss's version row. */
function checksumColumns(table: TableInfo): string[] {
  if (roleOf(table) === 'job-version') return ['version'];
  return table.columns.map((c) => c.name).sort();
}

/** The columns a dump carries for a table: those the database does not compute. */
export function storedColumns(table: TableInfo): ColumnInfo[] {
  return table.columns.filter((c) => !c.generated);
}

/**
 * A table's row count and checksum, computed by the database: each row's text (its columns in
 * name order, as PostgreSQL writes them) is hashed with md5, and the hashes are added up as two
 * 64-bit halves. The sum does not depend on row order or collation, so both engines agree.
 */
export async function summarise(connection: SqlConnection, table: TableInfo): Promise<{ rows: number; checksum: string; widest: number }> {
  const row = checksumColumns(table)
    .map((c) => `t.${ident(c)}`)
    .join(', ');
  const [result] = await connection.query<{ rows: string; widest: string; a: string; b: string }>(
    `select count(*)::text as rows, coalesce(max(octet_length(r)), 0)::text as widest,
            coalesce(sum(('x' || substr(md5(r), 1, 16))::bit(64)::bigint::numeric), 0)::text as a,
            coalesce(sum(('x' || substr(md5(r), 17, 16))::bit(64)::bigint::numeric), 0)::text as b
       from (select row(${row})::text as r from ${qualified(table)} t) as s`,
  );
  const checksum = createHash('sha256').update(`${result!.rows}:${result!.a}:${result!.b}`).digest('hex').slice(0, 32);
  return { rows: Number(result!.rows), checksum, widest: Number(result!.widest) };
}

async function listSequences(connection: SqlConnection): Promise<SequenceValue[]> {
  const sequences = await connection.query<{ schema: string; name: string }>(
    `select n.nspname as schema, c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind = 'S' and n.nspname in ('public', ${literal(JOB_SCHEMA)}) order by 1, 2`,
  );
  const values: SequenceValue[] = [];
  for (const s of sequences) {
    const [value] = await connection.query<{ last_value: string; is_called: boolean }>(`select last_value::text as last_value, is_called from ${qualified(s)}`);
    values.push({ schema: s.schema, name: s.name, lastValue: value!.last_value, isCalled: value!.is_called });
  }
  return values;
}

async function appliedMigrations(connection: SqlConnection): Promise<string[]> {
  const [found] = await connection.query<{ present: boolean }>(`select to_regclass('drizzle.__drizzle_migrations') is not null as present`);
  if (!found?.present) return [];
  const rows = await connection.query<{ hash: string }>('select hash from drizzle.__drizzle_migrations order by created_at, id');
  return rows.map((r) => r.hash);
}

async function jobSchemaVersion(connection: SqlConnection): Promise<number | null> {
  const [found] = await connection.query<{ present: boolean }>(`select to_regclass(${literal(`${JOB_SCHEMA}.version`)}) is not null as present`);
  if (!found?.present) return null;
  const [row] = await connection.query<{ version: number }>(`select version::int as version from ${ident(JOB_SCHEMA)}.version limit 1`);
  return row ? Number(row.version) : null;
}

function batchRows(widest: number): number {
  return Math.max(1, Math.min(MAX_BATCH_ROWS, Math.floor(BATCH_BYTES / Math.max(widest, 1))));
}

/**
 * Reads the whole database as dump events, in one read-only snapshot (PostgreSQL's repeatable
 * read), table by table through a cursor, so memory stays at one batch however large a table is.
 */
export async function* dumpDatabase(database: Database): AsyncGenerator<DumpEvent> {
  const connection = await database.connect();
  let failure: Error | undefined;
  let committed = false;
  try {
    await connection.query('begin isolation level repeatable read read only');
    for (const setting of TEXT_SETTINGS) await connection.query(setting);
    const tables = await listTables(connection);
    const summaries: (TableSummary & { widest: number })[] = [];
    for (const table of tables) summaries.push({ ...table, ...(await summarise(connection, table)) });
    const header: DumpHeader = {
      format: DUMP_FORMAT,
      version: DUMP_VERSION,
      createdAt: new Date().toISOString(),
      engine: database.engine,
      migrations: await appliedMigrations(connection),
      jobSchemaVersion: await jobSchemaVersion(connection),
      tables: summaries.map(({ widest: _widest, ...summary }) => summary),
      sequences: await listSequences(connection),
    };
    yield { type: 'header', header };
    let total = 0;
    for (const table of summaries) {
      yield { type: 'table', schema: table.schema, name: table.name };
      if (table.rows === 0) continue;
      const columns = storedColumns(table);
      const select = columns.map((c, i) => `t.${ident(c.name)}::text as c${i}`).join(', ');
      const order = table.primaryKey.length ? ` order by ${table.primaryKey.map((k) => `t.${ident(k)}`).join(', ')}` : '';
      await connection.query(`declare dump_rows no scroll cursor for select ${select} from ${qualified(table)} t${order}`);
      const size = batchRows(table.widest);
      for (;;) {
        const batch = await connection.query<Record<string, DumpValue>>(`fetch forward ${size} from dump_rows`);
        if (batch.length === 0) break;
        total += batch.length;
        yield { type: 'rows', rows: batch.map((r) => columns.map((_, i) => r[`c${i}`] ?? null)) };
      }
      await connection.query('close dump_rows');
    }
    await connection.query('commit');
    committed = true;
    yield { type: 'end', rows: total };
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    // A consumer that stops early (or an error) leaves the snapshot open: end it.
    if (!committed) await connection.query('rollback').catch(() => undefined);
    connection.release(failure);
  }
}

export interface LoadOptions {
  /** The target's URL, on PostgreSQL (migrations take an advisory lock on their own connection). */
  databaseUrl?: string | undefined;
  onProgress?: (done: number, total: number) => void;
}

export interface LoadResult {
  header: DumpHeader;
  report: VerifyReport;
  /** Migrations newer than the dump's level applied after loading it. */
  newerMigrations: number;
}

async function nextEvent(events: AsyncIterator<DumpEvent>): Promise<DumpEvent | undefined> {
  const next = await events.next();
  return next.done ? undefined : next.value;
}

/** Refuses a target that holds rows, or whose schema is ahead of the dump or differs from it. */
async function checkTargetIsEmpty(connection: SqlConnection, header: DumpHeader): Promise<void> {
  const applied = await appliedMigrations(connection);
  if (applied.length > header.migrations.length || applied.some((hash, i) => hash !== header.migrations[i])) {
    throw new DumpError(
      `The target database has migrations the backup does not (${applied.length} applied, the backup has ${header.migrations.length}). Restore into a new, empty database.`,
    );
  }
  const holding: string[] = [];
  for (const table of await listTables(connection)) {
    const role = roleOf(table);
    if (role === 'journal' || role === 'job-version') continue;
    const [row] = await connection.query<{ any: boolean }>(`select exists (select 1 from ${qualified(table)}) as any`);
    if (row?.any) holding.push(tableName(table));
  }
  if (holding.length) {
    holding.sort((a, b) => Number(!a.startsWith('public.')) - Number(!b.startsWith('public.')));
    throw new DumpError(
      `The target database is not empty: ${holding.slice(0, 5).join(', ')}${holding.length > 5 ? ` and ${holding.length - 5} more tables` : ''} hold rows. Restore into a new, empty database (one that no hub has started on).`,
    );
  }
}

function describeColumns(table: TableInfo): string {
  return table.columns.map((c) => `${c.name} ${c.type}${c.generated ? ' generated' : ''}`).join(', ');
}

/** The dump's tables must be the target's, column for column, once it is at the dump's level. */
function checkSameTables(header: DumpHeader, target: TableInfo[]): void {
  const problems: string[] = [];
  const byName = new Map(target.map((t) => [tableName(t), t]));
  for (const table of header.tables) {
    const found = byName.get(tableName(table));
    if (!found) problems.push(`${tableName(table)} is not in the target database`);
    else if (describeColumns(found) !== describeColumns(table)) problems.push(`${tableName(table)} has different columns (backup: ${describeColumns(table)}; target: ${describeColumns(found)})`);
    byName.delete(tableName(table));
  }
  for (const name of byName.keys()) problems.push(`${name} is in the target database but not in the backup`);
  if (problems.length) throw new DumpError(`The backup's tables do not match this version's at the backup's migration level:\n  ${problems.join('\n  ')}`);
}

/** Drops the foreign keys between `public` tables for the load, and gives back their definitions. */
async function dropForeignKeys(connection: SqlConnection): Promise<{ table: string; name: string; definition: string }[]> {
  const keys = await connection.query<{ table: string; name: string; definition: string }>(
    `select conrelid::regclass::text as table, conname as name, pg_get_constraintdef(oid) as definition
       from pg_constraint where contype = 'f' and connamespace = 'public'::regnamespace order by 1, 2`,
  );
  for (const key of keys) await connection.query(`alter table ${key.table} drop constraint ${ident(key.name)}`);
  return keys;
}

async function insertRows(connection: SqlConnection, table: TableInfo, rows: DumpValue[][]): Promise<void> {
  const columns = storedColumns(table);
  const names = columns.map((c) => ident(c.name)).join(', ');
  const casts = columns.map((c, i) => `u.c${i}::${c.type}`).join(', ');
  const arrays = columns.map((_, i) => `$${i + 1}::text[]`).join(', ');
  const aliases = columns.map((_, i) => `c${i}`).join(', ');
  await connection.query(
    `insert into ${qualified(table)} (${names}) overriding system value select ${casts} from unnest(${arrays}) as u(${aliases})`,
    columns.map((_, i) => rows.map((r) => r[i] ?? null)),
  );
}

/** pg-boss's queues: made by its own function (which adds the queue's job partition), then given the dumped values. */
async function insertQueues(connection: SqlConnection, table: TableInfo, rows: DumpValue[][]): Promise<void> {
  const columns = storedColumns(table);
  const nameAt = columns.findIndex((c) => c.name === 'name');
  const assignments = columns
    .map((c, i) => (i === nameAt ? null : `${ident(c.name)} = $${i + 1}::${c.type}`))
    .filter(Boolean)
    .join(', ');
  for (const row of rows) {
    await connection.query(`select ${ident(JOB_SCHEMA)}.create_queue($1, '{}'::json)`, [row[nameAt]]);
    await connection.query(`update ${qualified(table)} set ${assignments} where name = $${nameAt + 1}`, row);
  }
}

/**
 * A sequence behind its column's highest value (rows inserted with explicit ids) would hand
 * out ids already taken: move each serial or identity sequence past its column's maximum.
 */
async function advancePastRows(connection: SqlConnection): Promise<void> {
  const owned = await connection.query<{ schema: string; name: string; table: string; column: string }>(
    `select n.nspname as schema, s.relname as name, t.relname as table, a.attname as column
       from pg_class s join pg_namespace n on n.oid = s.relnamespace
       join pg_depend d on d.objid = s.oid and d.classid = 'pg_class'::regclass and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i')
       join pg_class t on t.oid = d.refobjid join pg_attribute a on a.attrelid = t.oid and a.attnum = d.refobjsubid
      where s.relkind = 'S' and n.nspname in ('public', ${literal(JOB_SCHEMA)})`,
  );
  for (const o of owned) {
    const sequence = qualified(o);
    await connection.query(
      `select setval(${literal(sequence)}::regclass, m) from (select max(${ident(o.column)})::bigint as m from ${qualified({ schema: o.schema, name: o.table })}) as highest
        where m >= (select case when is_called then last_value + 1 else last_value end from ${sequence})`,
    );
  }
}

/** The value a sequence hands out next. */
function nextValue(s: { lastValue: string; isCalled: boolean }): bigint {
  return BigInt(s.lastValue) + (s.isCalled ? 1n : 0n);
}

/** Compares a database with a dump's header, table by table and sequence by sequence. */
export async function verifyAgainst(connection: SqlConnection, header: DumpHeader): Promise<VerifyReport> {
  const present = new Map((await listTables(connection)).map((t) => [tableName(t), t]));
  const tables: TableCheck[] = [];
  for (const expected of header.tables) {
    const name = tableName(expected);
    const table = present.get(name);
    present.delete(name);
    if (!table) {
      tables.push({ table: name, expectedRows: expected.rows, actualRows: null, ok: false, problem: 'missing' });
      continue;
    }
    const actual = await summarise(connection, table);
    const ok = actual.rows === expected.rows && actual.checksum === expected.checksum;
    tables.push({
      table: name,
      expectedRows: expected.rows,
      actualRows: actual.rows,
      ok,
      ...(ok ? {} : { problem: actual.rows === expected.rows ? 'checksum differs' : 'row count differs' }),
    });
  }
  for (const name of present.keys()) tables.push({ table: name, expectedRows: 0, actualRows: null, ok: false, problem: 'not in the backup' });
  const actualSequences = new Map((await listSequences(connection)).map((s) => [tableName(s), s]));
  // A sequence is right at the backup's next value, or past it (moved past its column's rows).
  const sequences = header.sequences.map((s) => {
    const found = actualSequences.get(tableName(s));
    const actual = found ? nextValue(found) : null;
    return { sequence: tableName(s), expected: `next ${nextValue(s)}`, actual: actual === null ? null : `next ${actual}`, ok: actual !== null && actual >= nextValue(s) };
  });
  return { ok: tables.every((t) => t.ok) && sequences.every((s) => s.ok), tables, sequences };
}

/** Checks a database against a dump's header, in a snapshot with the dump's text settings. */
export async function verifyDatabase(database: Database, header: DumpHeader): Promise<VerifyReport> {
  const connection = await database.connect();
  try {
    await connection.query('begin isolation level repeatable read read only');
    for (const setting of TEXT_SETTINGS) await connection.query(setting);
    return await verifyAgainst(connection, header);
  } finally {
    await connection.query('rollback').catch(() => undefined);
    connection.release();
  }
}

/**
 * Loads a dump into an empty database: migrates it to the dump's level, loads every table in
 * one transaction (foreign keys dropped for the load and added again, which checks them),
 * sets the sequences, verifies every table, and commits only if all match. Then applies any
 * migrations this version has beyond the dump's level.
 */
export async function loadDatabase(target: Database, source: AsyncIterable<DumpEvent>, options: LoadOptions = {}): Promise<LoadResult> {
  const events = source[Symbol.asyncIterator]();
  try {
    const first = await nextEvent(events);
    if (first?.type !== 'header') throw new DumpError('The backup has no header');
    const header = first.header;
    const known = migrationHashes();
    if (header.migrations.length > known.length) {
      throw new DumpError(`The backup was made at migration ${header.migrations.length}; this version knows ${known.length}. Restore it with the version that made it, or a newer one.`);
    }
    const differs = header.migrations.findIndex((hash, i) => hash !== known[i]);
    if (differs >= 0) throw new DumpError(`The backup's migration ${differs + 1} is not this version's: it was made by a different build of the hub.`);

    let connection = await target.connect();
    try {
      await checkTargetIsEmpty(connection, header);
    } finally {
      connection.release();
    }
    await migrate(target, options.databaseUrl, { upTo: header.migrations.length });

    connection = await target.connect();
    let failure: Error | undefined;
    let report: VerifyReport;
    try {
      await connection.query('begin');
      for (const setting of TEXT_SETTINGS) await connection.query(setting);
      const tables = await listTables(connection);
      checkSameTables(header, tables);
      const targetJobs = await jobSchemaVersion(connection);
      if (header.jobSchemaVersion !== null && targetJobs !== header.jobSchemaVersion) {
        throw new DumpError(`The backup's job queue schema is version ${header.jobSchemaVersion}; this version's is ${targetJobs}.`);
      }
      const foreignKeys = await dropForeignKeys(connection);
      const byName = new Map(tables.map((t) => [tableName(t), t]));
      const expected = new Map(header.tables.map((t) => [tableName(t), t.rows]));
      const total = header.tables.reduce((sum, t) => sum + t.rows, 0);
      let done = 0;
      let current: TableInfo | undefined;
      const loaded = new Map<string, number>();
      const finishTable = () => {
        if (!current) return;
        const name = tableName(current);
        if ((loaded.get(name) ?? 0) !== expected.get(name)) {
          throw new DumpError(`The backup is damaged: ${name} should have ${expected.get(name)} rows and has ${loaded.get(name) ?? 0}`);
        }
      };
      let end: number | undefined;
      for (let event = await nextEvent(events); event; event = await nextEvent(events)) {
        if (end !== undefined) throw new DumpError('The backup has data after its end');
        if (event.type === 'table') {
          finishTable();
          const name = tableName(event);
          current = byName.get(name);
          if (!current || loaded.has(name)) throw new DumpError(`The backup is damaged: unexpected table ${name}`);
          loaded.set(name, 0);
        } else if (event.type === 'rows') {
          if (!current) throw new DumpError('The backup is damaged: rows before any table');
          const width = storedColumns(current).length;
          if (event.rows.some((r) => r.length !== width || r.some((v) => v !== null && typeof v !== 'string'))) {
            throw new DumpError(`The backup is damaged: a row of ${tableName(current)} does not have its ${width} columns`);
          }
          const role = roleOf(current);
          if (role === 'data') await insertRows(connection, current, event.rows);
          else if (role === 'job-queue') await insertQueues(connection, current, event.rows);
          // The journal and pg-boss's version were written by migrating; verification compares them.
          loaded.set(tableName(current), (loaded.get(tableName(current)) ?? 0) + event.rows.length);
          done += event.rows.length;
          options.onProgress?.(done, total);
        } else if (event.type === 'end') {
          finishTable();
          end = event.rows;
        } else {
          throw new DumpError('The backup is damaged: a second header');
        }
      }
      if (end === undefined) throw new DumpError('The backup is cut short: it has no end marker');
      if (end !== done || loaded.size !== header.tables.length) throw new DumpError(`The backup is damaged: its end counts ${end} rows, ${done} were read`);
      for (const key of foreignKeys) await connection.query(`alter table ${key.table} add constraint ${ident(key.name)} ${key.definition}`);
      for (const s of header.sequences) {
        await connection.query(`select setval(${literal(qualified(s))}::regclass, $1::bigint, $2)`, [s.lastValue, s.isCalled]);
      }
      await advancePastRows(connection);
      report = await verifyAgainst(connection, header);
      if (!report.ok) throw new VerifyError(report);
      await connection.query('commit');
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
      await connection.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      connection.release(failure);
    }
    const before = header.migrations.length;
    const status = await migrate(target, options.databaseUrl);
    return { header, report, newerMigrations: status.applied - before };
  } finally {
    await events.return?.();
  }
}
