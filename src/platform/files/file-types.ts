// What an uploaded file really is, from its own bytes: a browser's MIME type and a file's
// extension are whatever the sender says, so neither is trusted alone. Also the one way to
// clean a file's name for showing, for a download address and for Content-Disposition.

export type FileKind = 'pdf' | 'png' | 'jpeg' | 'docx' | 'xlsx' | 'csv' | 'txt';

export const FILE_KINDS: Record<FileKind, { label: string; contentType: string; extensions: readonly string[] }> = {
  pdf: { label: 'PDF', contentType: 'application/pdf', extensions: ['.pdf'] },
  png: { label: 'PNG image', contentType: 'image/png', extensions: ['.png'] },
  jpeg: { label: 'JPEG image', contentType: 'image/jpeg', extensions: ['.jpg', '.jpeg'] },
  docx: { label: 'Word document', contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', extensions: ['.docx'] },
  xlsx: { label: 'Excel spreadsheet', contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', extensions: ['.xlsx'] },
  csv: { label: 'CSV', contentType: 'text/csv', extensions: ['.csv'] },
  txt: { label: 'Plain text', contentType: 'text/plain', extensions: ['.txt'] },
};

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const ZIP_LOCAL_HEADER = Buffer.from('PK\x03\x04', 'latin1');

/** A name's extension, lower case (".pdf"), or '' when it has none a file type could use. */
export function extensionOf(filename: string): string {
  const match = /.(\.[A-Za-z0-9]{1,10})$/.exec(filename);
  return match ? match[1]!.toLowerCase() : '';
}

/**
 * The names of the entries in a ZIP file, from its central directory, or undefined when the
 * bytes are not a well-formed ZIP. Office documents (.docx, .xlsx) are ZIPs.
 */
export function zipEntryNames(bytes: Buffer): string[] | undefined {
  if (bytes.length < 22 || !bytes.subarray(0, 4).equals(ZIP_LOCAL_HEADER)) return undefined;
  // The end-of-central-directory record is the last 22 bytes, plus a comment of up to 64 KB.
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65_535); i--) {
    if (bytes.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) return undefined;
  const count = bytes.readUInt16LE(end + 10);
  const size = bytes.readUInt32LE(end + 12);
  let offset = bytes.readUInt32LE(end + 16);
  if (offset + size > end) return undefined;
  const names: string[] = [];
  for (let n = 0; n < count; n++) {
    if (offset + 46 > end || bytes.readUInt32LE(offset) !== 0x02014b50) return undefined;
    const nameLength = bytes.readUInt16LE(offset + 28);
    const extraLength = bytes.readUInt16LE(offset + 30);
    const commentLength = bytes.readUInt16LE(offset + 32);
    if (offset + 46 + nameLength > end) return undefined;
    names.push(bytes.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

/** Text a person can open anywhere: valid UTF-8 with no NUL bytes. */
function isPlainText(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** An Office Open XML package of the given kind, without macros. */
function isOfficeDocument(bytes: Buffer, main: string): boolean {
  const names = zipEntryNames(bytes);
  if (!names) return false;
  const entries = new Set(names);
  return entries.has('[Content_Types].xml') && entries.has(main) && !names.some((n) => /(^|\/)vbaProject\.bin$/i.test(n));
}

const MATCHES: Record<FileKind, (bytes: Buffer) => boolean> = {
  pdf: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-',
  png: (b) => b.subarray(0, 8).equals(PNG_SIGNATURE),
  jpeg: (b) => b.length > 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  docx: (b) => isOfficeDocument(b, 'word/document.xml'),
  xlsx: (b) => isOfficeDocument(b, 'xl/workbook.xml'),
  csv: isPlainText,
  txt: isPlainText,
};

export type Identified = { kind: FileKind } | { problem: 'extension' | 'content'; kind?: FileKind };

/**
 * The kind of file `bytes` is, among `allowed`. The name's extension says which kind is
 * claimed ('extension' when it names none of them); the bytes must then be that kind
 * ('content' when they are not: an HTML page named .pdf, a PDF named .png).
 */
export function identifyFile(filename: string, bytes: Buffer, allowed: readonly FileKind[]): Identified {
  const extension = extensionOf(filename);
  const kind = allowed.find((k) => FILE_KINDS[k].extensions.includes(extension));
  if (!kind) return { problem: 'extension' };
  return MATCHES[kind](bytes) ? { kind } : { problem: 'content', kind };
}

/** Controls, zero-width and bidirectional-override characters: they hide or disguise a name ("report\u202Efdp.exe"). */
function isInvisible(ch: string): boolean {
  const c = ch.codePointAt(0)!;
  return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x200b && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c === 0xfeff;
}

const MAX_NAME_CHARACTERS = 120;
/** Encoded, a name must fit the router's 200-character limit on one path segment. */
const MAX_ENCODED_NAME = 180;

/**
 * A file name that is safe to show, to put in a URL path segment and in a header: the last
 * part of any path, no control, bidirectional-override or zero-width characters, none of
 * `\ / : * ? " < > |`, no leading dots, at most 120 characters (keeping the extension).
 */
export function cleanFilename(raw: string, fallback = 'file'): string {
  let name = [...(raw.split(/[\\/]/).pop() ?? '').normalize('NFC')]
    .filter((ch) => !isInvisible(ch))
    .join('')
    .replace(/[:*?"<>|]/g, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.]+|[\s.]+$/g, '');
  const extension = extensionOf(name);
  if (!name || name === extension) name = `${fallback}${extension}`;
  let stem = [...name.slice(0, name.length - extension.length)].slice(0, MAX_NAME_CHARACTERS).join('');
  const fits = () => [...stem].length + extension.length <= MAX_NAME_CHARACTERS && encodeURIComponent(stem + extension).length <= MAX_ENCODED_NAME;
  while (!fits() && stem.length) stem = [...stem].slice(0, -1).join('').trimEnd();
  return (stem || fallback) + extension;
}

/** RFC 5987 / 8187 encoding for `filename*`: percent-encoded UTF-8. */
function rfc5987(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `Content-Disposition: attachment` with an ASCII fallback and the UTF-8 name (RFC 6266). */
export function attachmentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${rfc5987(filename)}`;
}

/** A size as a person reads it: "812 bytes", "340 KB", "1.2 MB". */
export function formatFileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  const mb = bytes / (1024 * 1024);
  return `${mb < 10 ? Number(mb.toFixed(1)) : Math.round(mb)} MB`;
}
