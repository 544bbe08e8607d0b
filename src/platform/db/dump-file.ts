// The backup file: a dump (see dump.ts) as gzip'd JSON lines. Line 1 is the header; then for
// each table a line {"table":"schema.name"} followed by one JSON array per row (the values as
// PostgreSQL text, or null); the last line is {"end":true,"rows":N}. Written to a temporary
// name and renamed when complete, readable only by its owner (it holds password hashes).
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import readline from 'node:readline';
import { createGunzip, createGzip } from 'node:zlib';
import { z } from 'zod';
import { DUMP_FORMAT, DUMP_VERSION, DumpError, type DumpEvent, type DumpHeader, type DumpValue } from './dump.ts';

const BATCH_BYTES = 8 * 1024 * 1024;
const MAX_BATCH_ROWS = 1000;

const headerSchema = z.object({
  format: z.literal(DUMP_FORMAT),
  version: z.literal(DUMP_VERSION),
  createdAt: z.string(),
  engine: z.string(),
  migrations: z.array(z.string().regex(/^[0-9a-f]{64}$/)),
  jobSchemaVersion: z.number().int().nullable(),
  tables: z.array(
    z.object({
      schema: z.string().min(1),
      name: z.string().min(1),
      columns: z.array(z.object({ name: z.string().min(1), type: z.string().min(1), generated: z.boolean() })).min(1),
      primaryKey: z.array(z.string()),
      rows: z.number().int().min(0),
      checksum: z.string().regex(/^[0-9a-f]{32}$/),
    }),
  ),
  sequences: z.array(z.object({ schema: z.string(), name: z.string(), lastValue: z.string().regex(/^-?\d+$/), isCalled: z.boolean() })),
});

const tableLine = z.object({ table: z.string().min(3) });
const endLine = z.object({ end: z.literal(true), rows: z.number().int().min(0) });

export interface WriteResult {
  header: DumpHeader;
  rows: number;
  bytes: number;
}

/** Writes dump events to FILE (gzip'd JSON lines), reporting rows written as it goes. */
export async function writeDumpFile(file: string, events: AsyncIterable<DumpEvent>, onProgress?: (done: number, total: number) => void): Promise<WriteResult> {
  const partial = `${file}.partial`;
  const gzip = createGzip();
  const out = createWriteStream(partial, { mode: 0o600 });
  gzip.pipe(out);
  const finished = once(out, 'close');
  // An error on either stream (a full disk) ends the write at the next line.
  let streamError: Error | undefined;
  const failed = new Promise<never>((_resolve, reject) => {
    const fail = (error: Error) => {
      streamError ??= error;
      reject(error);
    };
    gzip.on('error', fail);
    out.on('error', fail);
  });
  failed.catch(() => undefined);
  const write = async (value: unknown) => {
    if (streamError) throw streamError;
    if (!gzip.write(`${JSON.stringify(value)}\n`)) await Promise.race([once(gzip, 'drain'), failed]);
  };
  let header: DumpHeader | undefined;
  let rows = 0;
  let total = 0;
  try {
    for await (const event of events) {
      if (event.type === 'header') {
        header = event.header;
        total = header.tables.reduce((sum, t) => sum + t.rows, 0);
        await write(header);
      } else if (event.type === 'table') {
        await write({ table: `${event.schema}.${event.name}` });
      } else if (event.type === 'rows') {
        for (const row of event.rows) await write(row);
        rows += event.rows.length;
        onProgress?.(rows, total);
      } else {
        await write({ end: true, rows: event.rows });
      }
    }
    gzip.end();
    await Promise.race([finished, failed]);
    if (streamError) throw streamError;
    if (!header) throw new DumpError('Nothing was written: the dump had no header');
    await rename(partial, file);
  } catch (error) {
    gzip.destroy();
    out.destroy();
    await rm(partial, { force: true });
    throw error;
  }
  return { header, rows, bytes: (await stat(file)).size };
}

function parseLine(line: string, number: number): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    throw new DumpError(`The backup is damaged: line ${number} is not JSON`);
  }
}

/** The file's lines, ungzipped; a read or gzip error (a cut-short file) is a DumpError. */
async function* lines(file: string): AsyncGenerator<string> {
  const input = createReadStream(file);
  const gunzip = createGunzip();
  let failure: Error | undefined;
  input.on('error', (error) => {
    failure ??= error;
    gunzip.destroy(error);
  });
  gunzip.on('error', (error) => (failure ??= error));
  const reader = readline.createInterface({ input: input.pipe(gunzip), crlfDelay: Infinity });
  try {
    for await (const line of reader) yield line;
  } catch (error) {
    throw new DumpError(`The backup could not be read: ${(failure ?? (error as Error)).message}`);
  } finally {
    reader.close();
    input.destroy();
    gunzip.destroy();
  }
  if (failure) throw new DumpError(`The backup could not be read: ${failure.message}`);
}

function parseHeader(line: string | undefined): DumpHeader {
  if (line === undefined) throw new DumpError('The backup is empty');
  const parsed = headerSchema.safeParse(parseLine(line, 1));
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new DumpError(`This is not a strategy-hub backup (version ${DUMP_VERSION}): ${first ? `${first.path.join('.')} ${first.message}` : 'bad header'}`);
  }
  return parsed.data;
}

/** Reads only the header of a backup file. */
export async function readDumpHeader(file: string): Promise<DumpHeader> {
  const iterator = lines(file);
  try {
    const first = await iterator.next();
    return parseHeader(first.done ? undefined : first.value);
  } finally {
    await iterator.return(undefined);
  }
}

/** Reads a backup file back as dump events, rows in batches of about 8 MB. */
export async function* readDumpFile(file: string): AsyncGenerator<DumpEvent> {
  const iterator = lines(file);
  try {
    const first = await iterator.next();
    yield { type: 'header', header: parseHeader(first.done ? undefined : first.value) };
    let batch: DumpValue[][] = [];
    let bytes = 0;
    let number = 1;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      number++;
      const value = parseLine(next.value, number);
      if (Array.isArray(value)) {
        batch.push(value as DumpValue[]);
        bytes += next.value.length;
        if (bytes >= BATCH_BYTES || batch.length >= MAX_BATCH_ROWS) {
          yield { type: 'rows', rows: batch };
          batch = [];
          bytes = 0;
        }
        continue;
      }
      if (batch.length) {
        yield { type: 'rows', rows: batch };
        batch = [];
        bytes = 0;
      }
      const table = tableLine.safeParse(value);
      if (table.success) {
        const dot = table.data.table.indexOf('.');
        yield { type: 'table', schema: table.data.table.slice(0, dot), name: table.data.table.slice(dot + 1) };
        continue;
      }
      const end = endLine.safeParse(value);
      if (end.success) {
        yield { type: 'end', rows: end.data.rows };
        continue;
      }
      throw new DumpError(`The backup is damaged: line ${number} is neither a row, a table nor the end`);
    }
    if (batch.length) yield { type: 'rows', rows: batch };
  } finally {
    await iterator.return(undefined);
  }
}
