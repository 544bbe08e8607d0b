// Evidence files on progress updates: which kinds the hub takes, and how a stored file is
// named, linked and described to people ("PDF, 1.2 MB").
import { FILE_KINDS, formatFileSize, type FileKind } from '../../platform/files/file-types.ts';
import { MAX_EVIDENCE_FILE_BYTES, MAX_EVIDENCE_FILES, type EvidenceContentType } from './schema.ts';

export const EVIDENCE_KINDS: readonly FileKind[] = ['pdf', 'png', 'jpeg', 'docx', 'xlsx', 'csv', 'txt'];
/** What a file's contents must be, for the message when they are not. */
export const EVIDENCE_CONTENTS: Record<FileKind, string> = {
  pdf: 'a PDF',
  png: 'a PNG image',
  jpeg: 'a JPEG image',
  docx: 'a Word document (without macros)',
  xlsx: 'an Excel spreadsheet (without macros)',
  csv: 'CSV text in UTF-8',
  txt: 'plain text in UTF-8',
};
export const EVIDENCE_KINDS_TEXT = 'PDF, PNG, JPEG, Word (.docx), Excel (.xlsx), CSV or plain text (.txt)';
export const EVIDENCE_ACCEPT = EVIDENCE_KINDS.flatMap((k) => FILE_KINDS[k].extensions).join(',');
export const EVIDENCE_LIMITS_TEXT = `Each file must be ${MAX_EVIDENCE_FILE_BYTES / 1_048_576} MB or smaller. An update can have up to ${MAX_EVIDENCE_FILES} files.`;

/** A file ready to store: its name cleaned, its type found from its bytes. */
export interface NewEvidenceFile {
  filename: string;
  contentType: EvidenceContentType;
  bytes: Buffer;
}

/** A stored file as pages and the API show it. */
export interface EvidenceFile {
  id: number;
  name: string;
  contentType: EvidenceContentType;
  /** "PDF", "Word document". */
  typeLabel: string;
  size: number;
  /** "PDF, 1.2 MB". */
  description: string;
  url: string;
}

export function evidenceUrl(id: number, filename: string): string {
  return `/evidence/${id}/${encodeURIComponent(filename)}`;
}

export function typeLabel(contentType: string): string {
  return Object.values(FILE_KINDS).find((k) => k.contentType === contentType)?.label ?? contentType;
}

export function describeFile(f: { id: number; filename: string; contentType: EvidenceContentType; size: number }): EvidenceFile {
  const label = typeLabel(f.contentType);
  return { id: f.id, name: f.filename, contentType: f.contentType, typeLabel: label, size: f.size, description: `${label}, ${formatFileSize(f.size)}`, url: evidenceUrl(f.id, f.filename) };
}
