// The progress feature's forms: what a reporter and a reviewer may send, with the words
// they see when something cannot be used.
import { z } from 'zod';
import { hasControlCharacters } from '../../platform/http/validation.ts';
import { CONFIDENCES, REPORTED_STATUSES, UPDATE_STATES, type EvidenceLink } from './schema.ts';

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
});

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
