// What the bulletins feature's forms, queries and CSV imports accept, and the messages people see.
import { z } from 'zod';
import { emailField } from '../accounts/forms.ts';
import { multiLine, repeatable, singleLine, slugSchema } from '../../platform/http/validation.ts';
import { CHAMPION_REGIONS, CHAMPION_SETTINGS } from '../community/schema.ts';
import { CODE_PATTERN } from '../strategy/forms.ts';
import { LAWFUL_BASES, LIST_KINDS, SUBSCRIBER_STATUSES } from './schema.ts';

const listIdsField = repeatable(z.string().regex(/^\d{1,9}$/, 'Select a list from the options'), 100).transform((ids) => [...new Set(ids.map(Number))].sort((a, b) => a - b));

export const subscribeForm = z.object({
  email: emailField,
  lists: listIdsField.refine((ids) => ids.length > 0, 'Select at least one bulletin to get'),
});

export const preferencesForm = z.object({ lists: listIdsField });

/** Links carry `<subscriber id>.<signature>`: anything else is not one of ours. */
export const signedLinkParams = z.strictObject({ token: z.string().regex(/^\d{1,9}\.[A-Za-z0-9_-]{43}$/) });
export const confirmLinkParams = z.strictObject({ token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/) });

const optionalEnum = <T extends readonly [string, ...string[]]>(values: T) => z.union([z.literal(''), z.enum(values)]).optional().transform((v) => v || undefined);

export const championGroupForm = z.object({
  region: optionalEnum(CHAMPION_REGIONS),
  setting: optionalEnum(CHAMPION_SETTINGS),
  item: z
    .union([z.literal(''), z.string().trim().toUpperCase().regex(CODE_PATTERN, 'Select an item from the list')])
    .optional()
    .transform((v) => v || undefined),
});

export const campaignForm = z.object({
  subject: singleLine(150).min(1, 'Enter a subject line'),
  summary: singleLine(300).min(1, 'Enter a one-sentence summary for the archive and the feed'),
  body: multiLine(50_000).min(1, 'Write the bulletin'),
  lists: listIdsField.refine((ids) => ids.length > 0, 'Select at least one list to send to'),
  public: z.enum(['yes', 'no'], { error: 'Select yes if the bulletin should appear in the public archive' }).transform((v) => v === 'yes'),
  version: z.coerce.number().int().min(1).optional(),
});
export type CampaignInput = z.output<typeof campaignForm>;

export const CAMPAIGN_LABELS: Record<string, string> = { subject: 'Subject', summary: 'Summary', body: 'Bulletin', lists: 'Lists', public: 'Public archive' };

export const sendForm = z.object({
  when: z.enum(['now', 'later'], { error: 'Select when to send the bulletin' }),
  'at-day': z.string().trim().max(2).optional(),
  'at-month': z.string().trim().max(2).optional(),
  'at-year': z.string().trim().max(4).optional(),
  'at-time': z.string().trim().max(5).optional(),
  version: z.coerce.number().int().min(1),
});

export const versionForm = z.object({ version: z.coerce.number().int().min(1) });

export const listForm = z.object({
  name: singleLine(100).min(1, 'Enter the list’s name'),
  slug: slugSchema,
  description: singleLine(300).min(1, 'Describe what people on this list get'),
  kind: z.enum(LIST_KINDS, { error: 'Select what kind of list it is' }),
  /** Conditional reveals under the kind's radios: one select for areas, one for themes. */
  areaTopic: z.string().trim().max(100).optional().transform((v) => v || undefined),
  themeTopic: z.string().trim().max(100).optional().transform((v) => v || undefined),
});

export const subscriberFilters = z.object({
  q: singleLine(200).optional().transform((v) => v || undefined),
  list: z.union([z.literal(''), z.coerce.number().int().min(1)]).optional().transform((v) => v || undefined),
  status: optionalEnum(SUBSCRIBER_STATUSES),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});

export const importForm = z.object({
  lists: listIdsField.refine((ids) => ids.length > 0, 'Select the lists to add these people to'),
  lawfulBasis: z.enum(LAWFUL_BASES, { error: 'Select the lawful basis for emailing these people' }),
  note: multiLine(500).min(1, 'Say where these addresses came from and how consent was recorded'),
});

/** One email address per row, in a column headed `email`; `consent_date` (YYYY-MM-DD) is optional. */
export const importRow = z.object({
  email: emailField,
  consent_date: z
    .string()
    .trim()
    .regex(/^(\d{4}-\d{2}-\d{2})?$/, 'consent_date must be a date like 2025-03-01')
    .optional(),
});

export const pageQuery = z.object({ page: z.coerce.number().int().min(1).max(100_000).default(1) });
