// Reads and writes the tabular files people keep strategies in: CSV and XLSX with one header
// row. Rows are numbered as a spreadsheet shows them (the header is row 1), so problems can
// be reported by row and column.
import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';

export type TableFormat = 'csv' | 'xlsx' | 'json';

export interface TableRow {
  /** The row number a spreadsheet shows: the header is row 1, the first data row is row 2. */
  rowNumber: number;
  values: Record<string, string>;
}

export interface Table {
  columns: string[];
  rows: TableRow[];
}

export class TableReadError extends Error {}

export function formatFromPath(file: string): TableFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.xlsx') return 'xlsx';
  if (ext === '.json') return 'json';
  throw new TableReadError(`${file}: unsupported file type "${ext || '(none)'}"; use .csv, .xlsx or .json`);
}

export async function readTableFile(file: string): Promise<Table> {
  const format = formatFromPath(file);
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (error) {
    throw new TableReadError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return format === 'csv' ? parseCsv(data) : format === 'json' ? parseJsonRows(data) : parseXlsx(data);
}

function normaliseHeader(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, '_');
}

function toTable(header: string[], body: string[][], firstRowNumber: number): Table {
  const columns = header.map(normaliseHeader);
  const rows: TableRow[] = [];
  body.forEach((cells, i) => {
    if (cells.every((c) => c.trim() === '')) return; // blank lines are not rows
    const values: Record<string, string> = {};
    columns.forEach((column, c) => {
      if (column) values[column] = (cells[c] ?? '').trim();
    });
    rows.push({ rowNumber: firstRowNumber + i, values });
  });
  return { columns: columns.filter(Boolean), rows };
}

export function parseCsv(data: Buffer | string): Table {
  let records: string[][];
  try {
    const parsed: unknown = parse(data, { bom: true, relax_column_count: true, skip_empty_lines: false });
    records = parsed as string[][];
  } catch (error) {
    throw new TableReadError(`The CSV file cannot be read: ${(error as Error).message}`);
  }
  const [header, ...body] = records;
  if (!header) throw new TableReadError('The file is empty: the first row must name the columns');
  return toTable(header, body, 2);
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('text' in value && typeof value.text === 'string') return value.text;
    if ('result' in value) return cellText(value.result);
    if ('error' in value) return '';
  }
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

export async function parseXlsx(data: Buffer): Promise<Table> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(data as unknown as ArrayBuffer);
  } catch (error) {
    throw new TableReadError(`The XLSX file cannot be read: ${(error as Error).message}`);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet || sheet.rowCount === 0) throw new TableReadError('The workbook has no rows');
  const width = sheet.columnCount;
  const grid: string[][] = [];
  for (let r = 1; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const cells: string[] = [];
    for (let c = 1; c <= width; c++) cells.push(cellText(row.getCell(c).value));
    grid.push(cells);
  }
  const [header, ...body] = grid;
  if (!header || header.every((h) => !h.trim())) {
    throw new TableReadError('The first row of the first sheet must name the columns');
  }
  return toTable(header, body, 2);
}

/**
 * Reads what `export --format json` writes: an array of objects, one per row, keyed by column.
 * Rows are numbered from 1 (there is no header row).
 */
export function parseJsonRows(data: Buffer | string): Table {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString());
  } catch (error) {
    throw new TableReadError(`The JSON file cannot be read: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new TableReadError('The JSON file must hold an array of rows');
  const columns: string[] = [];
  const rows: TableRow[] = parsed.map((entry: unknown, i) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new TableReadError(`Row ${i + 1} of the JSON file is not an object`);
    }
    const values: Record<string, string> = {};
    for (const [key, value] of Object.entries(entry)) {
      const column = normaliseHeader(key);
      if (!columns.includes(column)) columns.push(column);
      values[column] = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value as string | number | boolean).trim();
    }
    return { rowNumber: i + 1, values };
  });
  return { columns, rows };
}

/**
 * Spreadsheet programs run a cell that starts with = + - @ (or a tab or carriage return) as a
 * formula, so a value like `=HYPERLINK(…)` could act when the file is opened (exports people open in Excel). A leading
 * apostrophe makes such a cell plain text.
 */
export function spreadsheetSafe(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

export function toCsv(columns: readonly string[], rows: Record<string, string>[]): string {
  return stringify(rows, { header: true, columns: [...columns] });
}

export async function toXlsx(sheetName: string, columns: readonly string[], rows: Record<string, string>[]): Promise<Buffer> {
  return toWorkbook([{ name: sheetName, columns, rows }]);
}

/** A workbook of several sheets, each with a bold header row. */
export async function toWorkbook(sheets: { name: string; columns: readonly string[]; rows: Record<string, string>[] }[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  for (const { name, columns, rows } of sheets) {
    const sheet = workbook.addWorksheet(name);
    sheet.columns = columns.map((c) => ({ header: c, key: c, width: Math.max(12, c.length + 2) }));
    for (const row of rows) sheet.addRow(columns.map((c) => row[c] ?? ''));
    sheet.getRow(1).font = { bold: true };
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
