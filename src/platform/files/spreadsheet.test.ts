// CSV and XLSX are read the way a person sees them in a spreadsheet.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { parseCsv, parseJsonRows, parseXlsx, readTableFile, spreadsheetSafe, TableReadError, toCsv, toXlsx } from './spreadsheet.ts';

describe('spreadsheets', () => {
  it('reads CSV with a byte-order mark, spaced header names and blank lines', () => {
    const table = parseCsv('\uFEFFCode, Lead Organisations \nAR-01,DHSC\n\n,\nAR-02," CQC "\n');
    assert.deepEqual(table.columns, ['code', 'lead_organisations']);
    assert.deepEqual(table.rows, [
      { rowNumber: 2, values: { code: 'AR-01', lead_organisations: 'DHSC' } },
      { rowNumber: 5, values: { code: 'AR-02', lead_organisations: 'CQC' } },
    ]);
  });

  it('refuses an empty file and broken CSV quoting with a reason', () => {
    assert.throws(() => parseCsv(''), TableReadError);
    assert.throws(() => parseCsv('code,title\n"AR-01,unclosed\n'), /cannot be read/);
  });

  it('writes and reads back XLSX, including quotes, commas and line breaks', async () => {
    const rows = [{ code: 'AR-01', title: 'Pay, "fair" and\nsecure' }];
    const table = await parseXlsx(await toXlsx('items', ['code', 'title'], rows));
    assert.deepEqual(table.rows[0]?.values, rows[0]);
    assert.deepEqual(parseCsv(toCsv(['code', 'title'], rows)).rows[0]?.values, rows[0]);
  });

  it('reads XLSX dates, numbers and rich text as text', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('items');
    sheet.addRow(['code', 'target_date', 'target', 'title']);
    sheet.addRow(['AR-05', new Date(Date.UTC(2025, 2, 31)), 2025, { richText: [{ text: 'Review ' }, { text: 'rules', font: { bold: true } }] }]);
    const table = await parseXlsx(Buffer.from(await workbook.xlsx.writeBuffer()));
    assert.deepEqual(table.rows[0]?.values, { code: 'AR-05', target_date: '2025-03-31', target: '2025', title: 'Review rules' });
  });

  it('reads the JSON that export writes, and refuses JSON that is not a list of rows', () => {
    const table = parseJsonRows(JSON.stringify([{ code: 'AR-01', title: ' Pay ', target: 2024 }, { code: 'AR-02', notes: null }]));
    assert.deepEqual(table.columns, ['code', 'title', 'target', 'notes']);
    assert.deepEqual(table.rows[1], { rowNumber: 2, values: { code: 'AR-02', notes: '' } });
    assert.deepEqual(table.rows[0]?.values, { code: 'AR-01', title: 'Pay', target: '2024' });
    assert.throws(() => parseJsonRows('{"code":"AR-01"}'), /must hold an array/);
    assert.throws(() => parseJsonRows('[1]'), /Row 1 of the JSON file is not an object/);
    assert.throws(() => parseJsonRows('[{'), /cannot be read/);
  });

  it('refuses files that are not CSV, XLSX or JSON, or cannot be read', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sheet-'));
    writeFileSync(path.join(dir, 'items.txt'), 'x');
    writeFileSync(path.join(dir, 'broken.xlsx'), 'not a zip');
    await assert.rejects(readTableFile(path.join(dir, 'items.txt')), /unsupported file type ".txt"/);
    await assert.rejects(readTableFile(path.join(dir, 'missing.csv')), /cannot be read \(ENOENT\)/);
    await assert.rejects(readTableFile(path.join(dir, 'broken.xlsx')), /XLSX file cannot be read/);
  });
});

describe('spreadsheet-safe cells', () => {
  it('turns cells a spreadsheet would run as a formula into text', () => {
    for (const cell of ['=1+1', '+1', '-1', '@SUM(A1)', '\t=1', '\r=1']) assert.equal(spreadsheetSafe(cell), `'${cell}`);
    for (const cell of ['ada@example.org', 'user.updated', '{"a":1}', '']) assert.equal(spreadsheetSafe(cell), cell);
  });
});
