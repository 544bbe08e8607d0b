// The annual review's forms and query strings, with the words people see when something
// cannot be used, and the shape of the review in the API.
import { z } from 'zod';
import { multiLine, singleLine } from '../../platform/http/validation.ts';
import { ITEM_STATUSES, GOVERNMENT_ROLES, ITEM_KINDS } from '../strategy/schema.ts';
import { OUTCOMES } from './schema.ts';

export const RATIONALE_MAX = 4_000;
export const SUMMARY_MAX = 10_000;
export const TITLE_MAX = 200;

const version = z.coerce.number().int().min(1).max(2_147_483_647);

/** A review's year in a URL: four digits, or a 404 (the route checks). */
export const YEAR_PATTERN = /^\d{4}$/;

export const openReviewForm = z.object({
  year: z
    .string({ error: 'Enter the year of the review' })
    .trim()
    .min(1, 'Enter the year of the review')
    .regex(/^\d{4}$/, 'Year must be 4 numbers, like 2025')
    .transform(Number),
});

export const decisionForm = z.object({
  outcome: z.enum(OUTCOMES, { error: 'Select the decision' }),
  rationale: multiLine(RATIONALE_MAX).min(1, 'Enter the reason for the decision'),
  version: z.union([z.literal(''), version]).optional(),
});

export const introForm = z.object({
  title: singleLine(TITLE_MAX).min(1, 'Enter a title'),
  summary: multiLine(SUMMARY_MAX),
  version,
});

export const publishForm = z.object({ version });

export const FORM_LABELS = { title: 'Title', summary: 'Introduction', rationale: 'The reason' };

/** `/admin/reviews/{year}` filters: one outcome, or the items still to decide. */
export const progressQuery = z.strictObject({
  outcome: z.enum([...OUTCOMES, 'undecided']).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});

/* ---------- the API ---------- */

export const reviewYearParams = z.object({ year: z.string().regex(YEAR_PATTERN, 'must be a year, like 2025') });

const status = z.enum(ITEM_STATUSES).nullable();
const figures = z
  .object({
    total: z.number().int().describe('Every item in the snapshot, retired ones too'),
    active: z.number().int().describe('Items not retired'),
    by_status: z.object({ not_started: z.number().int(), in_progress: z.number().int(), complete: z.number().int(), not_reported: z.number().int(), retired: z.number().int() }),
    moving: z.object({ count: z.number().int(), of: z.number().int(), percent: z.number().int().nullable() }).describe('Active items in progress or complete'),
    by_area: z.array(z.object({ slug: z.string(), name: z.string(), active: z.number().int(), moving: z.number().int(), retired: z.number().int() })),
  })
  .meta({ id: 'ReviewFigures' });

export const reviewResponse = z
  .object({
    year: z.number().int(),
    title: z.string(),
    summary: z.string(),
    years_on: z.number().int(),
    published_at: z.string(),
    figures,
    previous_review: z.object({ year: z.number().int(), title: z.string(), figures }).nullable(),
    items: z.array(
      z.object({
        code: z.string(),
        type: z.enum(ITEM_KINDS).nullable(),
        title: z.string(),
        area: z.string(),
        lead_organisations: z.array(z.string()),
        partner_organisations: z.array(z.string()),
        government_role: z.enum(GOVERNMENT_ROLES).nullable(),
        target: z.string().nullable(),
        status: status.describe('At publication; null when not reported'),
        status_at_previous_review: status.optional().describe('Absent when there was no previous review or the item was not in it'),
        outcome: z.enum(OUTCOMES).nullable(),
        rationale: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'Review' });

export const reviewListResponse = z
  .object({ data: z.array(z.object({ year: z.number().int(), title: z.string(), published_at: z.string(), url: z.string() })) })
  .meta({ id: 'Reviews' });
