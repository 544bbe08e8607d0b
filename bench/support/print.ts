// Plain-text output for benchmarks: aligned tables and consistent number formats, so figures
// from different runs and machines can be compared line by line.

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
