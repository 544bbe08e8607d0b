// The strategy's inputs and outputs as zod schemas: list filters (pages and API), the
// spreadsheet rows import reads and export writes, and the API's response shapes. The OpenAPI
// document is generated from these.
import { z } from 'zod';
import {
  dateFromParts,
  dateInputValues,
  isoDate,
  multiLine,
  repeatable,
  singleLine,
  slugSchema,
} from '../../platform/http/validation.ts';
import { ORGANISATION_KIND_LABELS } from './labels.ts';
import { GOVERNMENT_ROLES, ITEM_KINDS, ITEM_STATUSES, ORGANISATION_KINDS, type GovernmentRole, type ItemKind } from './schema.ts';
import type { ItemDetail } from './service.ts';

export const STATUS_FILTERS = [...ITEM_STATUSES, 'not_reported'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

export const CODE_PATTERN = /^[A-Z0-9]+(?:-[A-Z0-9]+)*$/;
export const codeSchema = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(20, 'must be 20 characters or fewer')
  .transform((v) => v.toUpperCase())
  .pipe(z.string().regex(CODE_PATTERN, 'must be letters, digits and hyphens, like AR-01'));

const filterFields = {
  area: repeatable(slugSchema).meta({ description: 'Area slug (repeat for several: any of them)' }),
  theme: repeatable(slugSchema).meta({ description: 'Theme slug (repeat for several: any of them)' }),
  lead: repeatable(slugSchema).meta({ description: 'Lead organisation slug (repeat for several)' }),
  status: repeatable(z.enum(STATUS_FILTERS)).meta({ description: 'Delivery status; not_reported for none yet' }),
  type: repeatable(z.enum(ITEM_KINDS)).meta({ description: 'Recommendation or commitment' }),
  shift: repeatable(slugSchema).meta({ description: 'Government shift slug (repeat for several)' }),
  q: singleLine(200).optional().meta({ description: 'Free text: every word must appear' }),
  page: z.coerce.number().int().min(1).max(100_000).default(1).meta({ description: 'Page number, from 1' }),
};

/** `/recommendations` query string. */
export const itemFiltersQuery = z.strictObject(filterFields);
export type ItemFiltersQuery = z.output<typeof itemFiltersQuery>;
export type ItemFilters = Omit<ItemFiltersQuery, 'page'>;

/** `/api/v1/items` query string: the same filters, plus page size and format. */
export const apiItemsQuery = z.strictObject({
  ...filterFields,
  per_page: z.coerce.number().int().min(1).max(100).default(20).meta({ description: 'Items per page (JSON)' }),
  format: z.enum(['json', 'csv']).default('json').meta({ description: 'csv returns every matching item' }),
});

export const apiListQuery = z.strictObject({
  format: z.enum(['json', 'csv']).default('json').meta({ description: 'Response format' }),
});

export const itemCodeParams = z.object({ code: z.string().max(40) });

/* ---------- spreadsheet rows (import reads them, export writes them) ---------- */

/**
 * How long an item's texts may be, by import and by the strategy team's form alike: an
 * imported item can always be edited, and an edited one exported and imported again.
 */
export const ITEM_LIMITS = { title: 300, summary: 2000, target: 200, body: 20_000 } as const;

export const ITEM_COLUMNS = [
  'code',
  'type',
  'title',
  'summary',
  'area',
  'lead_organisations',
  'partner_organisations',
  'target',
  'target_date',
  'government_role',
  'status',
  'progress_note',
  'progress_as_of',
  'themes',
  'priorities',
  'shifts',
  'body',
] as const;
export type ItemColumn = (typeof ITEM_COLUMNS)[number];
export const REQUIRED_ITEM_COLUMNS: readonly ItemColumn[] = ['code', 'title', 'area', 'lead_organisations'];

const cellKey = (v: string) => v.trim().toLowerCase().replace(/[\s-]+/g, '_');

/**
 * A spreadsheet enum cell: the coded value or its label as pages show it, in any case
 * ("In progress", "in_progress", "NHS and health systems"). Empty is null unless required.
 */
function enumCell<const T extends readonly [string, ...string[]]>(values: T, labels: Partial<Record<T[number], string>> = {}) {
  const byKey = new Map<string, T[number]>();
  for (const v of values) byKey.set(cellKey(v), v);
  for (const [v, label] of Object.entries(labels) as [T[number], string][]) byKey.set(cellKey(label), v);
  return z
    .string()
    .transform(cellKey)
    .refine((v) => v === '' || byKey.has(v), `must be one of: ${values.join(', ')}, or empty`)
    .transform((v) => (v === '' ? null : byKey.get(v)!));
}

function requiredEnumCell<const T extends readonly [string, ...string[]]>(values: T, labels: Partial<Record<T[number], string>> = {}) {
  return z
    .string()
    .refine((v) => v.trim() !== '', `is required: one of ${values.join(', ')}`)
    .pipe(enumCell(values, labels))
    .transform((v) => v as T[number]);
}

const optionalText = (max: number) => singleLine(max).transform((v) => (v === '' ? null : v));
const optionalDate = z
  .string()
  .trim()
  .pipe(z.union([z.literal(''), isoDate]))
  .transform((v) => (v === '' ? null : v));

/** A list cell: names separated by semicolons. */
const listCell = z
  .string()
  .max(2000, 'must be 2000 characters or fewer')
  .transform((v) =>
    v
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(singleLine(200)).max(50, 'can list at most 50 names'));

export const itemRowSchema = z.object({
  code: codeSchema,
  type: enumCell(ITEM_KINDS).optional(),
  title: singleLine(ITEM_LIMITS.title).min(1, 'is required'),
  summary: multiLine(ITEM_LIMITS.summary).optional(),
  area: singleLine(200).min(1, 'is required'),
  lead_organisations: listCell.refine((l) => l.length > 0, 'must name at least one lead organisation'),
  partner_organisations: listCell.optional(),
  target: optionalText(ITEM_LIMITS.target).optional(),
  target_date: optionalDate.optional(),
  government_role: enumCell(GOVERNMENT_ROLES).optional(),
  status: enumCell(ITEM_STATUSES).optional(),
  progress_note: multiLine(2000)
    .transform((v) => (v === '' ? null : v))
    .optional(),
  progress_as_of: optionalDate.optional(),
  themes: listCell.optional(),
  priorities: listCell.optional(),
  shifts: listCell.optional(),
  body: multiLine(ITEM_LIMITS.body).optional(),
});
export type ItemRow = z.output<typeof itemRowSchema>;

export const ORGANISATION_COLUMNS = ['name', 'short_name', 'kind', 'is_government', 'website'] as const;
export const REQUIRED_ORGANISATION_COLUMNS = ['name', 'kind'] as const;

/** yes/no (or true/false); an empty cell means no. */
const yesNo = z
  .string()
  .transform((v) => v.trim().toLowerCase())
  .refine((v) => ['yes', 'no', 'true', 'false', ''].includes(v), 'must be yes or no')
  .transform((v) => v === 'yes' || v === 'true');

export const organisationRowSchema = z.object({
  name: singleLine(200).min(2, 'is required'),
  short_name: optionalText(40).optional(),
  kind: requiredEnumCell(ORGANISATION_KINDS, ORGANISATION_KIND_LABELS),
  is_government: yesNo.optional(),
  website: z
    .string()
    .trim()
    .pipe(z.union([z.literal(''), z.url({ protocol: /^https?$/, error: 'must be a web address starting http:// or https://' }).max(300)]))
    .transform((v) => (v === '' ? null : v))
    .optional(),
});
export type OrganisationRow = z.output<typeof organisationRowSchema>;

/* ---------- the strategy team's item form ---------- */

/** The form's fields as a person reads them: error messages start with these. */
export const ITEM_FORM_LABELS: Record<string, string> = {
  code: 'Code',
  title: 'Title',
  summary: 'Summary',
  body: 'Full text',
  target: 'Target',
  leads: 'Lead organisations',
  partners: 'Partner organisations',
  themes: 'Themes',
  priorities: 'Short-term priorities',
  shifts: 'Government shifts',
};

/** The choice a form offers where the source may not say: stored as null. */
export const NOT_STATED = 'not_stated';

const notStated = <T extends string>(value: T | typeof NOT_STATED): T | null => (value === NOT_STATED ? null : value);

export const itemCodeField = z
  .string()
  .trim()
  .min(1, 'Enter a code')
  .max(20, 'Code must be 20 characters or fewer')
  .transform((v) => v.toUpperCase())
  .pipe(z.string().regex(CODE_PATTERN, 'Code must be letters, digits and hyphens, like AR-08'));

export function leadAndPartnerMessage(names: string[]): string {
  return `${names.join(', ')} ${names.length === 1 ? 'is a lead organisation' : 'are lead organisations'}, so cannot also be a partner`;
}

/** The organisations named both as a lead and as a partner (read defensively: other fields may be bad). */
function leadAndPartner(v: unknown): string[] {
  const { leads, partners } = (v ?? {}) as { leads?: unknown; partners?: unknown };
  if (!Array.isArray(leads) || !Array.isArray(partners)) return [];
  return partners.filter((slug): slug is string => typeof slug === 'string' && leads.includes(slug));
}

/** A GOV.UK date input's boxes (`name-day`, `name-month`, `name-year`) gathered under `name`. */
function gatherDate(name: string) {
  return (body: unknown) => {
    const b = (body ?? {}) as Record<string, unknown>;
    return { ...b, [name]: { day: b[`${name}-day`], month: b[`${name}-month`], year: b[`${name}-year`] } };
  };
}

const datePart = z.string().max(10).optional();

/** A text area's text: browsers send its line breaks as CRLF; stored as LF, as imports store them. */
const paragraphs = (max: number) =>
  z
    .string()
    .default('')
    .transform((v) => v.replace(/\r\n?/g, '\n'))
    .pipe(multiLine(max));

/**
 * The item form's fields (the code is not one: it is fixed once made). Area, organisations and
 * terms arrive as slugs; the service finds them. `organisationNames` (slug to name) lets a
 * clash between leads and partners be named. Every field is checked, so each problem shows at
 * once.
 */
export function itemForm(organisationNames: ReadonlyMap<string, string>) {
  const fields = z
    .object({
      type: z.enum([...ITEM_KINDS, NOT_STATED], { error: 'Select the type of item' }).transform(notStated<ItemKind>),
      title: singleLine(ITEM_LIMITS.title).min(1, 'Enter a title'),
      summary: paragraphs(ITEM_LIMITS.summary),
      body: paragraphs(ITEM_LIMITS.body),
      area: z.string({ error: 'Select an area' }).max(100).min(1, 'Select an area'),
      leads: repeatable(slugSchema, 500).refine((v) => v.length > 0, 'Select at least one lead organisation'),
      partners: repeatable(slugSchema, 500),
      themes: repeatable(slugSchema, 100),
      priorities: repeatable(slugSchema, 100),
      shifts: repeatable(slugSchema, 100),
      target: singleLine(ITEM_LIMITS.target)
        .default('')
        .transform((v) => (v === '' ? null : v)),
      targetDate: z.object({ day: datePart, month: datePart, year: datePart }).transform((parts, ctx) => {
        const result = dateFromParts('Target date', parts);
        if ('date' in result) return result.date;
        ctx.addIssue({ code: 'custom', message: result.message });
        return z.NEVER;
      }),
      governmentRole: z.enum([...GOVERNMENT_ROLES, NOT_STATED], { error: 'Select the government’s role' }).transform(notStated<GovernmentRole>),
    })
    .refine((v) => leadAndPartner(v).length === 0, {
      path: ['partners'],
      // Checked even when other fields have problems, so every problem shows at once.
      when: () => true,
      error: (issue) => {
        return leadAndPartnerMessage(leadAndPartner(issue.input).map((slug) => organisationNames.get(slug) ?? slug));
      },
    })
    .transform(({ type, target, ...v }) => ({ ...v, kind: type, targetText: target }));
  return z.preprocess(gatherDate('targetDate'), fields);
}

export function newItemForm(organisationNames: ReadonlyMap<string, string>) {
  return z.object({ code: itemCodeField }).and(itemForm(organisationNames));
}

/** The version of the item the form was filled in against: a stale one is refused. */
export const itemVersionForm = z.object({ version: z.coerce.number().int().min(1).max(2_147_483_647) });

export const adminItemsQuery = z.strictObject({
  q: singleLine(200).optional(),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});

/* ---------- API responses ---------- */

const organisationRef = z.object({
  slug: z.string(),
  name: z.string(),
  short_name: z.string().nullable(),
});

const termRef = z.object({ slug: z.string(), name: z.string() });

export const itemSummaryResponse = z
  .object({
    code: z.string(),
    type: z.enum(ITEM_KINDS).nullable(),
    title: z.string(),
    summary: z.string(),
    area: termRef,
    status: z.enum(ITEM_STATUSES).nullable(),
    target: z.string().nullable(),
    target_date: z.string().nullable(),
    government_role: z.enum(GOVERNMENT_ROLES).nullable(),
    leads: z.array(organisationRef),
    url: z.string(),
  })
  .meta({ id: 'ItemSummary' });

export const itemResponse = itemSummaryResponse
  .extend({
    body: z.string(),
    partners: z.array(organisationRef),
    themes: z.array(termRef),
    priorities: z.array(termRef),
    shifts: z.array(termRef),
    progress_note: z.string().nullable(),
    progress_as_of: z.string().nullable(),
    version: z.number().int(),
    updated_at: z.string(),
  })
  .meta({ id: 'Item' });

export const itemListResponse = z
  .object({
    data: z.array(itemSummaryResponse),
    meta: z.object({
      total: z.number().int(),
      page: z.number().int(),
      per_page: z.number().int(),
      pages: z.number().int(),
    }),
    links: z.object({ self: z.string(), next: z.string().nullable(), prev: z.string().nullable() }),
  })
  .meta({ id: 'ItemList' });

export const organisationResponse = z
  .object({
    slug: z.string(),
    name: z.string(),
    short_name: z.string().nullable(),
    kind: z.enum(ORGANISATION_KINDS),
    is_government: z.boolean(),
    website: z.string().nullable(),
    items_led: z.number().int(),
    items_supported: z.number().int(),
  })
  .meta({ id: 'Organisation' });

export const organisationListResponse = z
  .object({ data: z.array(organisationResponse) })
  .meta({ id: 'OrganisationList' });

/** An item as its edit form shows it (what the form would send back unchanged). */
export function itemFormValues(item: ItemDetail): Record<string, string | string[]> {
  return {
    code: item.code,
    type: item.kind ?? NOT_STATED,
    title: item.title,
    summary: item.summary,
    body: item.body,
    area: item.area.slug,
    leads: item.leads.map((o) => o.slug),
    partners: item.partners.map((o) => o.slug),
    themes: item.themes.map((t) => t.slug),
    priorities: item.priorities.map((t) => t.slug),
    shifts: item.shifts.map((t) => t.slug),
    target: item.targetText ?? '',
    ...dateInputValues('targetDate', item.targetDate),
    governmentRole: item.governmentRole ?? NOT_STATED,
  };
}
