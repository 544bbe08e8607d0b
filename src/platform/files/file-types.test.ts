// Telling files apart by their bytes, and names that are safe to show and send.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SAMPLE_FILES, zipOf } from '../../testing.ts';
import { attachmentDisposition, cleanFilename, formatFileSize, identifyFile, zipEntryNames, type FileKind } from './file-types.ts';

const ALL: FileKind[] = ['pdf', 'png', 'jpeg', 'docx', 'xlsx', 'csv', 'txt'];

describe('identifying files', () => {
  it('knows each kind by its bytes and its name together', () => {
    const names: Record<FileKind, string> = { pdf: 'a.pdf', png: 'a.PNG', jpeg: 'photo.jpg', docx: 'a.docx', xlsx: 'a.xlsx', csv: 'a.csv', txt: 'a.txt' };
    for (const kind of ALL) assert.deepEqual(identifyFile(names[kind], SAMPLE_FILES[kind], ALL), { kind }, kind);
    assert.deepEqual(identifyFile('photo.jpeg', SAMPLE_FILES.jpeg, ALL), { kind: 'jpeg' });
  });

  it('refuses a file whose bytes are not what its name says', () => {
    const html = Buffer.from('<!doctype html><script>alert(1)</script>');
    assert.deepEqual(identifyFile('report.pdf', html, ALL), { problem: 'content', kind: 'pdf' });
    assert.deepEqual(identifyFile('chart.png', SAMPLE_FILES.pdf, ALL), { problem: 'content', kind: 'png' });
    // A ZIP is not a Word document unless it has a document in it; an .xlsx is not a .docx.
    assert.deepEqual(identifyFile('a.docx', zipOf({ 'evil.html': '<p>' }), ALL), { problem: 'content', kind: 'docx' });
    assert.deepEqual(identifyFile('a.docx', SAMPLE_FILES.xlsx, ALL), { problem: 'content', kind: 'docx' });
    assert.deepEqual(identifyFile('a.xlsx', zipOf({ '[Content_Types].xml': '', 'xl/workbook.xml': '', 'xl/vbaProject.bin': '' }), ALL), { problem: 'content', kind: 'xlsx' }, 'no macros');
    assert.deepEqual(identifyFile('a.docx', Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(40)]), ALL), { problem: 'content', kind: 'docx' }, 'a broken ZIP');
    // Text must be UTF-8 without NUL bytes.
    assert.deepEqual(identifyFile('a.csv', Buffer.from([0x61, 0x00, 0x62]), ALL), { problem: 'content', kind: 'csv' });
    assert.deepEqual(identifyFile('a.txt', Buffer.from([0x61, 0xff, 0xfe]), ALL), { problem: 'content', kind: 'txt' });
    assert.deepEqual(identifyFile('a.txt', SAMPLE_FILES.png, ALL), { problem: 'content', kind: 'txt' });
  });

  it('refuses names with no allowed extension, whatever the bytes', () => {
    for (const name of ['report', 'report.html', 'report.pdf.exe', '.pdf', 'report.svg']) assert.deepEqual(identifyFile(name, SAMPLE_FILES.pdf, ALL), { problem: 'extension' }, name);
    assert.deepEqual(identifyFile('a.txt', SAMPLE_FILES.txt, ['pdf']), { problem: 'extension' }, 'only the kinds allowed');
  });

  it('reads the entries of a ZIP from its central directory', () => {
    assert.deepEqual(zipEntryNames(zipOf({ 'a.xml': 'x', 'b/c.xml': 'yz' })), ['a.xml', 'b/c.xml']);
    assert.equal(zipEntryNames(Buffer.from('not a zip at all, not at all')), undefined);
  });
});

describe('file names', () => {
  it('keeps the last part of a path, without control, bidi or reserved characters', () => {
    assert.equal(cleanFilename('C:\\Users\\rita\\Annual report.pdf'), 'Annual report.pdf');
    assert.equal(cleanFilename('../../etc/passwd.txt'), 'passwd.txt');
    assert.equal(cleanFilename('a\u0000b\u202Egnp.pdf'), 'abgnp.pdf');
    assert.equal(cleanFilename('what? "this" <that>.csv'), 'what_ _this_ _that_.csv');
    assert.equal(cleanFilename('...hidden.txt'), 'hidden.txt');
    assert.equal(cleanFilename('.pdf'), 'pdf', 'a hidden file has no extension');
    assert.equal(cleanFilename(''), 'file');
    assert.equal(cleanFilename('Report.PDF'), 'Report.pdf');
  });

  it('shortens long names, keeping the extension and fitting one path segment', () => {
    const long = cleanFilename(`${'x'.repeat(500)}.pdf`);
    assert.equal(long.length, 120);
    assert.ok(long.endsWith('.pdf'));
    const wide = cleanFilename(`${'é'.repeat(200)}.pdf`);
    assert.ok(encodeURIComponent(wide).length <= 180, 'fits the router’s limit when encoded');
    assert.ok(wide.endsWith('.pdf'));
  });

  it('makes an attachment header with an ASCII fallback and the UTF-8 name', () => {
    assert.equal(attachmentDisposition('Rapport d’été (final).pdf'), `attachment; filename="Rapport d__t_ (final).pdf"; filename*=UTF-8''Rapport%20d%E2%80%99%C3%A9t%C3%A9%20%28final%29.pdf`);
    assert.equal(attachmentDisposition('50%.csv'), `attachment; filename="50_.csv"; filename*=UTF-8''50%25.csv`);
  });

  it('says sizes as people read them', () => {
    assert.deepEqual([1, 812, 2048, 348_160, 1_258_291, 10 * 1024 * 1024].map(formatFileSize), ['1 byte', '812 bytes', '2 KB', '340 KB', '1.2 MB', '10 MB']);
  });
});
