// The engagement forms: an activity (what, when, where, who, how many, which themes) and a
// piece of feedback heard at it. Each form checks every field at once so the error summary
// lists every problem.
import { z } from 'zod';
import { dateFromParts, hasControlCharacters, repeatable, slugSchema } from '../../platform/http/validation.ts';
import type { ActivityInput, FeedbackInput } from './service.ts';
import { ENGAGEMENT_KINDS, ENGAGEMENT_REGIONS } from './schema.ts';

const PART = z.string().max(10).optional();
const text = z.string().max(100_000).optional();
const LINE_BREAKS = /[\r\n\u2028\u2029]/;

/** Adds a problem unless `value` is filled in, short enough and (for one line) one line. */
function checkText(ctx: z.RefinementCtx, field: string, value: string, rule: { label: string; empty: string | null; max: number; oneLine: boolean }): void {
  if (!value) {
    if (rule.empty) ctx.addIssue({ code: 'custom', path: [field], message: rule.empty });
  } else if (value.length > rule.max) ctx.addIssue({ code: 'custom', path: [field], message: `${rule.label} must be ${rule.max.toLocaleString('en-GB')} characters or fewer` });
  else if (hasControlCharacters(value) || (rule.oneLine && LINE_BREAKS.test(value))) {
    ctx.addIssue({ code: 'custom', path: [field], message: rule.oneLine ? `${rule.label} must be one line of plain text` : `${rule.label} must not contain control characters` });
  }
}

export const activityForm = z
  .object({
    kind: z.string().max(100).optional(),
    title: text,
    'heldOn-day': PART,
    'heldOn-month': PART,
    'heldOn-year': PART,
    region: z.string().max(100).optional(),
    organiser: text,
    participants: z.string().max(100).optional(),
    summary: text,
    themes: repeatable(slugSchema, 20),
    version: z.string().max(20).optional(),
  })
  .transform((v, ctx): ActivityInput => {
    const kind = ENGAGEMENT_KINDS.find((k) => k === v.kind);
    if (!kind) ctx.addIssue({ code: 'custom', path: ['kind'], message: 'Select the kind of activity' });
    const title = (v.title ?? '').trim();
    checkText(ctx, 'title', title, { label: 'Title', empty: 'Enter a title, for example “Roundtable with care providers”', max: 200, oneLine: true });
    const held = dateFromParts('Date held', { day: v['heldOn-day'], month: v['heldOn-month'], year: v['heldOn-year'] });
    if ('message' in held) ctx.addIssue({ code: 'custom', path: ['heldOn'], message: held.message });
    else if (held.date === null) ctx.addIssue({ code: 'custom', path: ['heldOn'], message: 'Enter the date the activity was held' });
    else if (held.date < '2000-01-01' || held.date > '2100-12-31') ctx.addIssue({ code: 'custom', path: ['heldOn'], message: 'Date held must be between 2000 and 2100' });
    const region = ENGAGEMENT_REGIONS.find((r) => r === v.region);
    if (!region) ctx.addIssue({ code: 'custom', path: ['region'], message: 'Select the region, or national' });
    const organiser = (v.organiser ?? '').trim();
    checkText(ctx, 'organiser', organiser, { label: 'Organiser', empty: 'Enter who organised the activity', max: 200, oneLine: true });
    const count = (v.participants ?? '').trim().replace(/,/g, '');
    let participants = 0;
    if (!count) ctx.addIssue({ code: 'custom', path: ['participants'], message: 'Enter the number of participants' });
    else if (!/^\d+$/.test(count)) ctx.addIssue({ code: 'custom', path: ['participants'], message: 'Number of participants must be a whole number, like 24' });
    else if ((participants = Number(count)) > 10_000_000) ctx.addIssue({ code: 'custom', path: ['participants'], message: 'Number of participants must be 10,000,000 or fewer' });
    const summary = (v.summary ?? '').trim();
    checkText(ctx, 'summary', summary, { label: 'Summary', empty: null, max: 5_000, oneLine: false });
    return { kind: kind!, title, heldOn: 'date' in held ? held.date! : '', region: region!, organiser, participants, summary, themes: v.themes };
  });

export const feedbackForm = z
  .object({ text, feedbackThemes: repeatable(slugSchema, 20) })
  .transform((v, ctx): FeedbackInput => {
    const body = (v.text ?? '').trim();
    checkText(ctx, 'text', body, { label: 'What you heard', empty: 'Enter what you heard', max: 2_000, oneLine: false });
    if (v.feedbackThemes.length === 0) ctx.addIssue({ code: 'custom', path: ['feedbackThemes'], message: 'Select at least one theme the feedback is about' });
    return { text: body, themes: v.feedbackThemes };
  });

export const activityParams = z.strictObject({ id: z.coerce.number().int().min(1).max(2_147_483_647) });
export const feedbackParams = z.strictObject({ id: z.coerce.number().int().min(1).max(2_147_483_647), feedbackId: z.coerce.number().int().min(1).max(2_147_483_647) });
export const versionForm = z.object({ version: z.coerce.number({ error: 'The form is out of date: reload the page' }).int().min(1) });
export const listQuery = z.strictObject({ page: z.coerce.number().int().min(1).max(100_000).default(1) });
export const themesQuery = z.strictObject({ format: z.enum(['json', 'csv']).default('json') });
