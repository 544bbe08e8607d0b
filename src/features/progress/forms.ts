// The progress feature's forms: what a reporter and a reviewer may send, with the words
// they see when something cannot be used.
import { z } from 'zod';
import { cleanFilename, FILE_KINDS, identifyFile } from '../../platform/files/file-types.ts';
import type { Uploads } from '../../platform/http/uploads.ts';
import { dateFromParts, hasControlCharacters, type FieldProblem } from '../../platform/http/validation.ts';
import { EVIDENCE_CONTENTS, EVIDENCE_KINDS, EVIDENCE_KINDS_TEXT, type NewEvidenceFile } from './evidence.ts';
import { CONFIDENCES, MAX_EVIDENCE_FILE_BYTES, MAX_EVIDENCE_FILES, REPORTED_STATUSES, UPDATE_STATES, type EvidenceContentType, type EvidenceLink } from './schema.ts';

/** Free text a person writes: trimmed, limited, no control characters (line breaks allowed). */
function prose(label: string, max: number) {
  return z
    .string({ error: `${label} must be text` })
    .trim()
    .max(max, `${label} must be ${max.toLocaleString('en-GB')} characters or fewer`)
    .refine((v) => !hasControlCharacters(v), `${label} must not contain control characters`);
}

const MAX_LINKS = 10;

/**
 * Evidence links, one per line: a web address, or a title then the address
 * ("Annual report https://example.org/report.pdf").
 */
export const evidenceField = prose('Evidence links', 5_000).transform((text, ctx): EvidenceLink[] => {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (lines.length > MAX_LINKS) {
    ctx.addIssue({ code: 'custom', message: `Give at most ${MAX_LINKS} evidence links` });
    return z.NEVER;
  }
  const links: EvidenceLink[] = [];
  for (const [i, line] of lines.entries()) {
    const match = /^(.*?)\s*(https?:\/\/\S+)$/.exec(line);
    const url = match?.[2];
    if (!match || !url || !URL.canParse(url)) {
      ctx.addIssue({ code: 'custom', message: `Evidence link ${i + 1} must end with a web address starting https:// or http://` });
      return z.NEVER;
    }
    links.push({ title: (match[1] || new URL(url).hostname).slice(0, 200), url });
  }
  return links;
});

export const updateForm = z.object({
  status: z.enum(['', ...REPORTED_STATUSES], { error: 'Select the item’s status from the list' }).optional(),
  confidence: z.enum(['', ...CONFIDENCES], { error: 'Select how confident you are from the list' }).optional(),
  summary: prose('Summary', 600).refine((v) => !/[\r\n]/.test(v), 'Summary must be one paragraph'),
  narrative: prose('Narrative', 20_000),
  evidence: evidenceField,
  milestones: prose('Changes to milestones', 2_000),
  version: z.union([z.literal(''), z.coerce.number().int().min(1)]).optional(),
  action: z.enum(['save', 'submit'], { error: 'Choose to save the draft or submit it' }),
  /** Ids of the update's files ticked "Remove": one value, several, or none. */
  remove: z.preprocess(
    (v) => (v === undefined ? [] : ([] as unknown[]).concat(v)),
    z.array(z.coerce.number({ error: 'Choose files to remove from the list' }).int().min(1).max(2_147_483_647)).max(MAX_EVIDENCE_FILES * 4, 'Choose files to remove from the list'),
  ),
});

/**
 * The files a reporter chose, checked: each must be non-empty, within the size limit, and
 * what its name says it is (judged from its bytes). Names are cleaned here, once.
 */
export function checkEvidenceFiles(uploads: Uploads | null): { files: NewEvidenceFile[]; problems: FieldProblem[] } {
  const files: NewEvidenceFile[] = [];
  const problems: FieldProblem[] = [];
  const problem = (message: string) => problems.push({ field: 'files', message });
  if (!uploads) return { files, problems };
  if (uploads.refused > 0) problem(`Choose ${MAX_EVIDENCE_FILES} files or fewer: an update can have up to ${MAX_EVIDENCE_FILES} files`);
  for (const upload of uploads.files) {
    const filename = cleanFilename(upload.filename);
    if (upload.tooLarge) {
      problem(`${filename} is larger than ${MAX_EVIDENCE_FILE_BYTES / 1_048_576} MB: choose a smaller file`);
      continue;
    }
    if (upload.bytes.length === 0) {
      problem(`${filename} is empty: choose a file with something in it`);
      continue;
    }
    const found = identifyFile(filename, upload.bytes, EVIDENCE_KINDS);
    if ('problem' in found) {
      problem(
        found.problem === 'extension'
          ? `${filename} must be a ${EVIDENCE_KINDS_TEXT} file`
          : `${filename} cannot be used: its contents are not ${EVIDENCE_CONTENTS[found.kind!]}. Choose the original file`,
      );
      continue;
    }
    files.push({ filename, contentType: FILE_KINDS[found.kind].contentType as EvidenceContentType, bytes: upload.bytes });
  }
  return { files, problems };
}

export const reviewForm = z.object({
  version: z.coerce.number().int().min(1),
  comment: prose('Comments', 4_000).optional().default(''),
});

export const queueQuery = z.strictObject({
  state: z.enum(UPDATE_STATES).default('submitted'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});

/** The evidence links as the textarea shows them again. */
export function evidenceText(links: EvidenceLink[]): string {
  return links.map((l) => `${l.title} ${l.url}`).join('\n');
}

/* ----- reporting cycles ----- */

const DATE_PART = z.string().max(10).optional();

/** A cycle: a name and three GOV.UK date inputs, in order (opens ≤ due ≤ closes). */
export const cycleForm = z
  .object({
    name: z.string({ error: 'Enter a name for the cycle' }).max(1_000, 'Name must be 100 characters or fewer').optional(),
    'opensOn-day': DATE_PART,
    'opensOn-month': DATE_PART,
    'opensOn-year': DATE_PART,
    'dueOn-day': DATE_PART,
    'dueOn-month': DATE_PART,
    'dueOn-year': DATE_PART,
    'closesOn-day': DATE_PART,
    'closesOn-month': DATE_PART,
    'closesOn-year': DATE_PART,
    version: z.union([z.literal(''), z.coerce.number().int().min(1)]).optional(),
  })
  // One transform checks every field, so the error summary lists every problem at once.
  .transform((v, ctx) => {
    const name = (v.name ?? '').trim();
    if (!name) ctx.addIssue({ code: 'custom', path: ['name'], message: 'Enter a name for the cycle, for example “Spring 2027”' });
    else if (name.length > 100) ctx.addIssue({ code: 'custom', path: ['name'], message: 'Name must be 100 characters or fewer' });
    else if (hasControlCharacters(name) || /[\r\n]/.test(name)) ctx.addIssue({ code: 'custom', path: ['name'], message: 'Name must be one line of plain text' });
    const dates: Record<string, string> = {};
    for (const [field, label] of [
      ['opensOn', 'The date the cycle opens'],
      ['dueOn', 'The date reports are due'],
      ['closesOn', 'The date the cycle closes'],
    ] as const) {
      const parsed = dateFromParts(label, { day: v[`${field}-day`], month: v[`${field}-month`], year: v[`${field}-year`] });
      if ('message' in parsed) ctx.addIssue({ code: 'custom', path: [field], message: parsed.message });
      else if (!parsed.date) ctx.addIssue({ code: 'custom', path: [field], message: `Enter ${label.charAt(0).toLowerCase()}${label.slice(1)}` });
      else dates[field] = parsed.date;
    }
    const { opensOn, dueOn, closesOn } = dates;
    if (opensOn && dueOn && dueOn < opensOn) ctx.addIssue({ code: 'custom', path: ['dueOn'], message: 'The due date must be on or after the date the cycle opens' });
    if (dueOn && closesOn && closesOn < dueOn) ctx.addIssue({ code: 'custom', path: ['closesOn'], message: 'The close date must be on or after the due date' });
    if (!opensOn || !dueOn || !closesOn || ctx.issues.length) return z.NEVER;
    return { name, opensOn, dueOn, closesOn, version: v.version === '' || v.version === undefined ? undefined : v.version };
  });

export const cycleIdParams = z.strictObject({ id: z.coerce.number().int().min(1).max(2_147_483_647) });

export const complianceQuery = z.strictObject({ cycle: z.coerce.number().int().min(1).max(2_147_483_647).optional() });

export const versionForm = z.object({ version: z.coerce.number().int().min(1) });
/* ---------- the progress dashboard ---------- */

/** /progress and /api/v1/progress/summary take no parameters: an unknown one is a 400. */
export const dashboardQuery = z.strictObject({});

export const ORGANISATION_SORTS = ['name', 'led', 'moving', 'updates', 'latest'] as const;
export type OrganisationSort = (typeof ORGANISATION_SORTS)[number];

export const organisationProgressQuery = z.strictObject({
  sort: z.enum(ORGANISATION_SORTS, { error: `Sort by one of: ${ORGANISATION_SORTS.join(', ')}` }).default('name'),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});

const shareJson = z.object({
  count: z.number().int(),
  of: z.number().int(),
  percent: z.number().int().nullable().describe('Whole per cent; null when there are no items to divide by'),
});

const statusCountsJson = z.object({
  not_started: z.number().int(),
  in_progress: z.number().int(),
  complete: z.number().int(),
  not_reported: z.number().int(),
});

const groupJson = z.object({ slug: z.string(), name: z.string(), counts: statusCountsJson, total: z.number().int() });

export const progressSummaryResponse = z
  .object({
    items: z.object({
      total: z.number().int(),
      active: z.number().int().describe('Items not retired: what the shares and counts are of'),
      retired: z.number().int(),
    }),
    in_progress_or_complete: shareJson,
    needs_government_action: shareJson.describe('Government role "shared" or "government_only"'),
    government_only: shareJson,
    government_role_not_stated: z.number().int(),
    by_status: statusCountsJson,
    by_area: z.array(groupJson),
    by_lead_organisation_kind: z.array(groupJson).describe('An item led by organisations of several kinds counts under each'),
    by_theme: z.array(groupJson).describe('An item with several themes counts under each'),
    by_government_shift: z.array(groupJson),
    status_over_time: z.array(
      z.object({ period: z.string().describe('Calendar quarter, e.g. 2025-Q3'), starts_on: z.string(), ends_on: z.string(), counts: statusCountsJson, total: z.number().int() }),
    ),
    latest_update_published_at: z.string().nullable(),
  })
  .meta({ id: 'ProgressSummary' });
