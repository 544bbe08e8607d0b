// HTML forms that carry files (multipart/form-data). A feature calls `acceptUploads` inside its
// own plugin, so only its routes take multipart bodies, and each such route opts in with
// `config.uploads`. The body is streamed: the text fields become `request.body` (so the usual
// CSRF check and zod forms apply), the files `request.uploads`. Limits are enforced while
// reading, and what breaks them is reported per file for the form to show, never a 500:
// a file over the size limit is kept as `tooLarge` without its bytes; files beyond the count
// are counted in `refused` and their bytes drained, never kept. Before it reads any file the
// parser checks the person may use the route at all and that the CSRF token (which every form
// sends first) is valid, so nobody else can make the hub hold files in memory.
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { can } from '../auth/permissions.ts';
import { csrfFailure, denied } from './access.ts';

export interface UploadLimits {
  /** The form field files come in on; files on any other field are refused. */
  field: string;
  /** Files kept from one request; more are counted in `refused` and drained. */
  maxFiles: number;
  maxFileBytes: number;
}

export interface UploadedFile {
  /** As the browser sent it: not cleaned, not trusted. */
  filename: string;
  /** Empty when the file was over the size limit. */
  bytes: Buffer;
  tooLarge: boolean;
}

export interface Uploads {
  files: UploadedFile[];
  /** Files sent beyond `maxFiles` (or on another field), drained and not kept. */
  refused: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    uploads: Uploads | null;
  }
  interface FastifyContextConfig {
    uploads?: UploadLimits;
  }
}

/** Text fields of one form: the hub's forms are well under this. */
const MAX_FIELD_BYTES = 65_536;
const MAX_FIELDS = 100;
/** Past this many file parts the request is not from one of our forms: stop reading. */
const HARD_FILE_LIMIT = 50;

/** A 4xx with words for a person; the error handler shows it on the GOV.UK error page. */
function clientError(statusCode: number, message: string): Error & { statusCode: number } {
  return Object.assign(new Error(message), { statusCode });
}

/** Bytes a request may send: every file at its limit, plus the text fields. */
export function maxUploadBytes(limits: UploadLimits): number {
  return limits.maxFiles * limits.maxFileBytes + 1_048_576;
}

export async function acceptUploads(app: FastifyInstance): Promise<void> {
  await app.register(multipart, {
    // Too large is reported per file (`tooLarge`), so the form can say which.
    throwFileSizeLimit: false,
    limits: { fieldSize: MAX_FIELD_BYTES, fields: MAX_FIELDS, files: HARD_FILE_LIMIT, parts: MAX_FIELDS + HARD_FILE_LIMIT, headerPairs: 100 },
  });
  app.decorateRequest('uploads', null);

  app.addHook('preValidation', async (request, reply) => {
    if (!request.isMultipart()) return;
    const limits = request.routeOptions.config.uploads;
    if (!limits) throw clientError(415, 'This form does not take files.');
    // Someone who could not use the route gets the usual answer before anything is read.
    if (!can(request.user, request.routeOptions.config.access ?? 'public')) return denied(request, reply);
    const declared = Number(request.headers['content-length']);
    const ceiling = maxUploadBytes(limits);
    if (declared > ceiling) {
      throw clientError(413, `The files you chose are too large together. Each file must be ${limits.maxFileBytes / 1_048_576} MB or smaller, and you can add at most ${limits.maxFiles}. Nothing was saved: go back and choose fewer or smaller files.`);
    }

    const fields: Record<string, string | string[]> = {};
    const uploads: Uploads = { files: [], refused: 0 };
    let checked = false;
    try {
      for await (const part of request.parts({ limits: { fileSize: limits.maxFileBytes } })) {
        if (part.type === 'field') {
          const value = typeof part.value === 'string' ? part.value : String(part.value);
          const before = fields[part.fieldname];
          fields[part.fieldname] = before === undefined ? value : ([] as string[]).concat(before, value);
          continue;
        }
        if (!checked) {
          // The token comes before the files in every form the hub renders.
          request.body = { ...fields };
          const failure = csrfFailure(app, request, reply);
          if (failure) throw failure;
          checked = true;
        }
        if (part.fieldname !== limits.field || uploads.files.length >= limits.maxFiles) {
          for await (const chunk of part.file) void chunk;
          // A browser sends an empty, nameless part for a file input left empty.
          if (part.filename) uploads.refused++;
          continue;
        }
        const bytes = await part.toBuffer();
        // An empty file input: nothing chosen.
        if (!part.filename && bytes.length === 0) continue;
        const tooLarge = part.file.truncated;
        uploads.files.push({ filename: part.filename, bytes: tooLarge ? Buffer.alloc(0) : bytes, tooLarge });
      }
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT' || code === 'FST_FIELDS_LIMIT') {
        throw clientError(413, `The form sent too many files or fields. You can add at most ${limits.maxFiles} files. Nothing was saved: go back and choose fewer files.`);
      }
      const status = (error as { statusCode?: number }).statusCode;
      if (code?.startsWith('FST_CSRF') || (status && status >= 400 && status < 500)) throw error;
      // A body cut short or not multipart at all: the sender's fault, not a 500.
      request.log.info({ err: error }, 'unreadable multipart body');
      throw clientError(400, 'The form could not be read. Go back and try again.');
    }
    request.body = fields;
    request.uploads = uploads;
  });
}
