// Plain-text output for benchmarks: aligned tables and consistent number formats, so figures
// from different runs and machines can be compared line by line.

import type { LoadResult } from './http-load.ts';

export type Align = 'left' | 'right';

export interface Column {
  header: string;
  align?: Align;
}

/** Prints rows under headers, each column as wide as its widest cell. */
export function printTable(columns: readonly Column[], rows: readonly (readonly string[])[], indent = '  '): void {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    indent +
    columns
      .map((c, i) => {
        const cell = cells[i] ?? '';
        return c.align === 'right' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!);
      })
      .join('  ')
      .trimEnd();
  console.log(line(columns.map((c) => c.header)));
  console.log(indent + widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

export function heading(text: string): void {
  console.log('');
  console.log(`== ${text} ==`);
}

export function note(text: string): void {
  console.log(`  ${text}`);
}

const integer = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** 12,345 */
export function count(n: number): string {
  return integer.format(n);
}

/** 1,234 for large values, 12.3 for small ones. */
export function rate(n: number): string {
  return n >= 100 ? integer.format(n) : oneDecimal.format(n);
}

/** Milliseconds: "850 ms" or "2.4 s". */
export function duration(ms: number): string {
  return ms < 1000 ? `${integer.format(ms)} ms` : `${oneDecimal.format(ms / 1000)} s`;
}

/** A latency figure in ms, without the unit (the column says it). */
export function ms(n: number): string {
  return n >= 100 ? integer.format(n) : oneDecimal.format(n);
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${oneDecimal.format(n / 1024)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${oneDecimal.format(n / 1024 / 1024)} MiB`;
  return `${oneDecimal.format(n / 1024 / 1024 / 1024)} GiB`;
}

export function percent(n: number | undefined): string {
  return n === undefined ? '-' : `${integer.format(n)}%`;
}

/** A load run's throughput and latency goal. */
export interface LoadTarget {
  reqPerSec: number;
  p99Ms: number;
}

/** "met", or what fell short of the target. */
export function verdict(r: LoadResult, target: LoadTarget): string {
  const misses: string[] = [];
  if (r.reqPerSec < target.reqPerSec) misses.push(`${rate(r.reqPerSec)} < ${count(target.reqPerSec)} req/s`);
  if (r.latencyMs.p99 > target.p99Ms) misses.push(`p99 ${ms(r.latencyMs.p99)} > ${target.p99Ms} ms`);
  return misses.length ? `NOT MET (${misses.join(', ')})` : 'met';
}

/** One row per load run; rows marked `target` are judged against it in a last column. */
export function printLoadTable(rows: { result: LoadResult; target?: boolean }[], target: LoadTarget): void {
  const withTarget = rows.some((r) => r.target);
  printTable(
    [
      { header: 'run' },
      { header: 'req/s', align: 'right' },
      { header: 'p50 ms', align: 'right' },
      { header: 'p99 ms', align: 'right' },
      { header: 'max ms', align: 'right' },
      { header: 'responses', align: 'right' },
      { header: 'non-2xx', align: 'right' },
      { header: 'errors', align: 'right' },
      { header: 'timeouts', align: 'right' },
      { header: 'CPU srv/cli', align: 'right' },
      ...(withTarget ? [{ header: `target ≥ ${count(target.reqPerSec)} req/s, p99 ≤ ${target.p99Ms} ms` }] : []),
    ],
    rows.map(({ result: r, target: judged }) => [
      r.label,
      rate(r.reqPerSec),
      ms(r.latencyMs.p50),
      ms(r.latencyMs.p99),
      ms(r.latencyMs.max),
      count(r.responses),
      count(r.non2xx),
      count(r.errors),
      count(r.timeouts),
      `${percent(r.serverCpu)}/${percent(r.clientCpu)}`,
      ...(withTarget ? [judged ? verdict(r, target) : ''] : []),
    ]),
  );
}
