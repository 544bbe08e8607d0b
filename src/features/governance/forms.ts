// Governance's forms, query strings and API shapes as zod schemas: bodies, memberships,
// meetings (a GOV.UK date input and two times), minutes and decisions; the public lists' filters.
import { z } from 'zod';
import { dateFromParts, multiLine, singleLine, slugSchema } from '../../platform/http/validation.ts';
import { codeSchema } from '../strategy/forms.ts';
import { londonMoment } from '../../platform/time.ts';
import { BODY_KINDS, MEMBER_POSITIONS } from './schema.ts';

export const NAME_MAX = 200;
export const PURPOSE_MAX = 4_000;
export const AGENDA_MAX = 10_000;
export const MINUTES_MAX = 50_000;
export const SUMMARY_MAX = 2_000;
export const PAPERS_MAX = 10_000;

const version = z.coerce.number().int().min(1).max(2_147_483_647);
const box = z.string().max(20).optional();

/** An optional choice from a list of ids ('' for none). */
const optionalId = z
  .string()
  .trim()
  .default('')
  .transform((v, ctx) => {
    if (v === '') return null;
    if (!/^\d{1,9}$/.test(v)) {
      ctx.addIssue({ code: 'custom', message: 'Select an option from the list' });
      return z.NEVER;
    }
    return Number(v);
  });

/** The three boxes of GOV.UK date inputs named `prefix-day|month|year`, for each prefix. */
function dateBoxes(...prefixes: string[]) {
  return Object.fromEntries(prefixes.flatMap((p) => [`${p}-day`, `${p}-month`, `${p}-year`].map((name) => [name, box]))) as Record<string, typeof box>;
}

/** A date input read as YYYY-MM-DD or null; a problem is reported on the prefix (the summary links to its day box). */
function readDate(values: Record<string, unknown>, prefix: string, label: string, ctx?: z.RefinementCtx, required = false): string | null {
  const s = (name: string) => (typeof values[name] === 'string' ? (values[name]) : '');
  const result = dateFromParts(label, { day: s(`${prefix}-day`), month: s(`${prefix}-month`), year: s(`${prefix}-year`) });
  if ('message' in result) {
    ctx?.addIssue({ code: 'custom', message: result.message, path: [prefix] });
    return null;
  }
  if (required && result.date === null) ctx?.addIssue({ code: 'custom', message: `Enter the ${label.toLowerCase()}`, path: [prefix] });
  return result.date;
}

/**
 * Checks date inputs (and an end not before a start) even when other fields already failed, so
 * the error summary lists every problem at once. The transform after it reads the dates again.
 */
function checkDates(dates: Array<{ prefix: string; label: string; required?: boolean }>, order?: [string, string]) {
  return [
    (value: unknown, ctx: z.RefinementCtx) => {
      const values = (value ?? {}) as Record<string, unknown>;
      const read = Object.fromEntries(dates.map((d) => [d.prefix, readDate(values, d.prefix, d.label, ctx, d.required)]));
      if (order) {
        const [from, to] = order;
        if (read[from] && read[to] && read[to] < read[from]) ctx.addIssue({ code: 'custom', message: 'End date must be the same as or after the start date', path: [to] });
      }
    },
    { when: () => true },
  ] as const;
}

/** Where the error summary links for a date input: its day box. */
export const DATE_ANCHORS = { startsOn: 'startsOn-day', endsOn: 'endsOn-day', date: 'date-day' };

/** Reads "10am", "2:30pm", "14:30" or "9.15" as minutes after midnight. */
export function parseTime(raw: string): number | undefined {
  const m = /^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$/.exec(raw.trim().toLowerCase());
  if (!m || (!m[2] && !m[3])) return undefined;
  let hour = Number(m[1]);
  const minute = m[2] ? Number(m[2]) : 0;
  if (minute > 59) return undefined;
  if (m[3]) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (m[3] === 'pm' ? 12 : 0);
  } else if (hour > 23) return undefined;
  return hour * 60 + minute;
}

/* ---------- bodies ---------- */

export const bodyForm = z
  .object({
    name: singleLine(NAME_MAX).min(1, 'Enter the name of the body'),
    slug: z.string().trim().min(1, 'Enter a web address name').pipe(slugSchema),
    kind: z.enum(BODY_KINDS, { error: 'Select the kind of body' }),
    parentId: optionalId,
    areaOfFocus: singleLine(NAME_MAX).default(''),
    purpose: multiLine(PURPOSE_MAX).default(''),
    version: z.union([z.literal(''), version]).optional(),
    ...dateBoxes('startsOn', 'endsOn'),
  })
  .superRefine(...checkDates([{ prefix: 'startsOn', label: 'Start date' }, { prefix: 'endsOn', label: 'End date' }], ['startsOn', 'endsOn']))
  .transform((v) => {
    const startsOn = readDate(v, 'startsOn', 'Start date');
    const endsOn = readDate(v, 'endsOn', 'End date');
    return {
      input: { name: v.name, slug: v.slug, kind: v.kind, parentId: v.parentId, areaOfFocus: v.areaOfFocus || null, purpose: v.purpose, startsOn, endsOn },
      version: v.version === '' || v.version === undefined ? undefined : v.version,
    };
  });

export const BODY_LABELS = { name: 'Name', slug: 'Web address name', areaOfFocus: 'Area of focus', purpose: 'Purpose' };

/* ---------- memberships ---------- */

const membershipFields = {
  organisationId: optionalId,
  position: z.enum(MEMBER_POSITIONS, { error: 'Select their position' }),
  roleTitle: singleLine(NAME_MAX).default(''),
  ...dateBoxes('startsOn', 'endsOn'),
};

const membershipDateChecks = checkDates([{ prefix: 'startsOn', label: 'Start date' }, { prefix: 'endsOn', label: 'End date' }], ['startsOn', 'endsOn']);
const membershipDates = (v: Record<string, unknown>) => ({ startsOn: readDate(v, 'startsOn', 'Start date'), endsOn: readDate(v, 'endsOn', 'End date') });

export const newMemberForm = z
  .object({ name: singleLine(NAME_MAX).min(1, 'Enter the person’s name'), userId: optionalId, ...membershipFields })
  .superRefine(...membershipDateChecks)
  .transform((v) => ({
    person: { name: v.name, userId: v.userId },
    organisationId: v.organisationId,
    position: v.position,
    roleTitle: v.roleTitle,
    ...membershipDates(v),
  }));

export const membershipForm = z
  .object(membershipFields)
  .superRefine(...membershipDateChecks)
  .transform((v) => ({
    organisationId: v.organisationId,
    position: v.position,
    roleTitle: v.roleTitle,
    ...membershipDates(v),
  }));

export const endMembershipForm = z
  .object(dateBoxes('endsOn'))
  .superRefine(...checkDates([{ prefix: 'endsOn', label: 'End date', required: true }]))
  .transform((v) => readDate(v, 'endsOn', 'End date') ?? '');

export const MEMBER_LABELS = { name: 'Name', roleTitle: 'Role title' };

/* ---------- meetings ---------- */

/** "Title | https://…" on each line. */
function paperLines(field: string, isPublic: boolean) {
  return multiLine(PAPERS_MAX)
    .default('')
    .transform((v, ctx) => {
      const papers: Array<{ title: string; url: string; isPublic: boolean }> = [];
      for (const [i, raw] of v.split(/\r?\n/).entries()) {
        const line = raw.trim();
        if (!line) continue;
        const at = line.lastIndexOf('|');
        const title = at < 0 ? '' : line.slice(0, at).trim();
        const url = at < 0 ? line : line.slice(at + 1).trim();
        const parsed = z.url({ protocol: /^https?$/ }).max(2_000).safeParse(url);
        if (!title || title.length > NAME_MAX || !parsed.success) {
          ctx.addIssue({ code: 'custom', message: `Line ${i + 1} of the papers must be a title, a vertical bar and a web address starting https://, like “Agenda pack | https://example.org/pack.pdf”`, path: [field] });
          continue;
        }
        papers.push({ title, url, isPublic });
      }
      return papers;
    });
}

const optionalUrl = z
  .string()
  .trim()
  .max(2_000, 'Online link must be 2000 characters or fewer')
  .default('')
  .refine((v) => v === '' || z.url({ protocol: /^https?$/ }).safeParse(v).success, 'Online link must be a web address starting https://')
  .transform((v) => v || null);

export const meetingForm = z
  .object({
    title: singleLine(NAME_MAX).min(1, 'Enter the meeting’s title'),
    startTime: z.string().max(20).default(''),
    endTime: z.string().max(20).default(''),
    place: singleLine(NAME_MAX).default(''),
    onlineUrl: optionalUrl,
    agenda: multiLine(AGENDA_MAX).default(''),
    publicPapers: paperLines('publicPapers', true),
    memberPapers: paperLines('memberPapers', false),
    version: z.union([z.literal(''), version]).optional(),
    ...dateBoxes('date'),
  })
  .superRefine(
    (value, ctx) => {
      const v = (value ?? {}) as Record<string, unknown>;
      const s = (name: string) => (typeof v[name] === 'string' ? (v[name]).trim() : '');
      readDate(v, 'date', 'Date', ctx, true);
      const start = parseTime(s('startTime'));
      const end = parseTime(s('endTime'));
      if (start === undefined) ctx.addIssue({ code: 'custom', message: s('startTime') ? 'Start time must be a time, like 10am or 14:30' : 'Enter the start time', path: ['startTime'] });
      if (end === undefined) ctx.addIssue({ code: 'custom', message: s('endTime') ? 'End time must be a time, like 12pm or 16:00' : 'Enter the end time', path: ['endTime'] });
      else if (start !== undefined && end <= start) ctx.addIssue({ code: 'custom', message: 'End time must be after the start time', path: ['endTime'] });
      if (!s('place') && !s('onlineUrl')) ctx.addIssue({ code: 'custom', message: 'Enter a place or an online link', path: ['place'] });
    },
    { when: () => true },
  )
  .transform((v) => {
    const day = readDate(v, 'date', 'Date')!;
    const startsAt = londonMoment(day, parseTime(v.startTime)!);
    const endsAt = londonMoment(day, parseTime(v.endTime)!);
    return {
      input: { title: v.title, startsAt, endsAt, place: v.place || null, onlineUrl: v.onlineUrl, agenda: v.agenda, papers: [...v.publicPapers, ...v.memberPapers] },
      version: v.version === '' || v.version === undefined ? undefined : v.version,
    };
  });

export const MEETING_LABELS = { title: 'Title', place: 'Place', agenda: 'Agenda', publicPapers: 'Public papers', memberPapers: 'Papers for members only' };

export const minutesForm = z.object({
  minutes: multiLine(MINUTES_MAX).default(''),
  minutesPublic: z.enum(['public', 'private'], { error: 'Select who may read the minutes' }),
  version,
});

export const MINUTES_LABELS = { minutes: 'Minutes' };

export const decisionForm = z.object({
  summary: multiLine(SUMMARY_MAX).min(1, 'Enter what the meeting decided'),
  itemCode: z
    .string()
    .trim()
    .default('')
    .pipe(z.union([z.literal(''), codeSchema]))
    .transform((v) => v || null),
});

export const DECISION_LABELS = { summary: 'Decision', itemCode: 'Item code' };

export const versionForm = z.object({ version });

/* ---------- public lists and the API ---------- */

const page = z.coerce.number().int().min(1).max(100_000).default(1).meta({ description: 'Page number, from 1' });

export const bodyPageQuery = z.strictObject({ page });

export const meetingsQuery = z.strictObject({
  body: z.union([z.literal(''), slugSchema]).optional().meta({ description: 'Only this body’s meetings (its slug)' }),
  when: z.enum(['upcoming', 'past']).default('upcoming').meta({ description: 'Upcoming meetings soonest first, or past ones latest first' }),
  page,
});

export const apiBodiesQuery = z.strictObject({
  format: z.enum(['json', 'csv']).default('json').meta({ description: 'Response format' }),
});

export const apiMeetingsQuery = z.strictObject({
  body: slugSchema.optional().meta({ description: 'Only this body’s meetings (its slug)' }),
  when: z.enum(['upcoming', 'past']).default('upcoming').meta({ description: 'Upcoming meetings soonest first, or past ones latest first' }),
  page,
  per_page: z.coerce.number().int().min(1).max(100).default(20).meta({ description: 'Meetings per page' }),
});

const bodyJson = z.object({
  slug: z.string(),
  name: z.string(),
  kind: z.enum(BODY_KINDS),
  parent: z.string().nullable().describe('The slug of the body it reports to'),
  area_of_focus: z.string().nullable(),
  purpose: z.string(),
  starts_on: z.string().nullable(),
  ends_on: z.string().nullable().describe('Null while the body is active'),
  people: z.number().int().describe('Current members'),
  organisations: z.number().int().describe('Distinct organisations current members sit for'),
  url: z.string(),
  calendar_url: z.string(),
});

export const bodyListResponse = z.object({ data: z.array(bodyJson) }).meta({ id: 'GovernanceBodies' });

export const meetingJson = z
  .object({
    id: z.number().int(),
    body: z.string().describe('The slug of the body'),
    title: z.string(),
    starts_at: z.string(),
    ends_at: z.string(),
    place: z.string().nullable(),
    online_url: z.string().nullable(),
    agenda: z.string(),
    cancelled: z.boolean(),
    papers: z.array(z.object({ title: z.string(), url: z.string() })).describe('Public papers only'),
    minutes: z.string().nullable().describe('Public minutes only; null when there are none or they are private'),
    decisions: z.array(z.object({ summary: z.string(), item: z.string().nullable().describe('The code of the item it concerns') })),
    url: z.string(),
  })
  .meta({ id: 'Meeting' });

export const meetingListResponse = z
  .object({
    data: z.array(meetingJson),
    meta: z.object({ total: z.number().int(), page: z.number().int(), per_page: z.number().int(), pages: z.number().int() }),
  })
  .meta({ id: 'Meetings' });

export const BODY_COLUMNS = ['slug', 'name', 'kind', 'parent', 'area_of_focus', 'purpose', 'starts_on', 'ends_on', 'people', 'organisations', 'url'] as const;
