// The drafting pipeline's forms: a draft's version, a review, a comment, a decision, the
// board's filters and the version picker, with the words people see when something cannot be used.
import { z } from 'zod';
import { LEVER_KINDS, type Lever, type LeverKind } from '../../model/types.ts';
import { multiLine, singleLine, slugSchema, type FieldProblem } from '../../platform/http/validation.ts';
import { CODE_PATTERN } from '../strategy/forms.ts';
import { LEVER_LABELS } from '../workforce/labels.ts';
import { checkSize, engineSize, LEVER_FIELD, parseNumber } from '../workforce/lever-form.ts';
import { DECISION_OUTCOMES, DRAFT_STATES, EVIDENCE_STRENGTHS, REVIEW_RECOMMENDATIONS } from './schema.ts';

export const LIMITS = { title: 300, rationale: 20_000, target: 200, analysis: 20_000, cost: 1_000, notes: 10_000, comment: 4_000, reasons: 4_000 } as const;

const id = z.coerce.number().int().min(1).max(2_147_483_647);
/** A list field from a form: absent, one value, or several. */
const list = <T extends z.ZodType>(inner: T, max = 30) => z.preprocess((v) => (v === undefined || v === '' ? [] : ([] as unknown[]).concat(v).filter((x) => x !== '')), z.array(inner).max(max));

export const draftIdParams = z.strictObject({ id });

/** One version of a draft as the form sends it: only the title is needed to save. */
export const versionForm = z.object({
  title: singleLine(LIMITS.title).min(1, 'Enter a title'),
  rationale: multiLine(LIMITS.rationale).default(''),
  leads: list(slugSchema, 20),
  area: z.union([z.literal(''), slugSchema]).default(''),
  themes: list(slugSchema, 20),
  targetText: singleLine(LIMITS.target).default(''),
  version: z.union([z.literal(''), z.coerce.number().int().min(1)]).optional(),
});
export const VERSION_LABELS = { title: 'Title', rationale: 'Rationale', leads: 'Proposed lead organisations', area: 'Area', themes: 'Themes', targetText: 'Proposed target' };

export const newDraftForm = versionForm.extend({ group: slugSchema.optional().default('') });

export const versionOnlyForm = z.object({ version: z.coerce.number().int().min(1) });

export const commentForm = z.object({ body: multiLine(LIMITS.comment).min(1, 'Enter your comment') });

/** The review's fields other than the levers (read apart: see `leversFromForm`). */
export const reviewForm = z.object({
  version: z.coerce.number().int().min(1),
  strength: z.enum(EVIDENCE_STRENGTHS, { error: 'Select how strong the evidence is' }),
  analysis: multiLine(LIMITS.analysis).min(1, 'Enter the analysis'),
  costText: multiLine(LIMITS.cost).default(''),
  costPerYear: z
    .string()
    .trim()
    .default('')
    .transform((v, ctx) => {
      const text = v.replace(/^£/, '').replaceAll(',', '').trim();
      if (text === '') return null;
      if (!/^\d+$/.test(text) || Number(text) > 1e12) {
        ctx.addIssue({ code: 'custom', message: 'Estimated cost a year must be a whole number of pounds, like 40000000' });
        return z.NEVER;
      }
      return Number(text);
    }),
  testingNotes: multiLine(LIMITS.notes).default(''),
  recommendation: z.enum(REVIEW_RECOMMENDATIONS, { error: 'Select what the evidence workstream recommends' }),
  action: z.enum(['save', 'test']).default('save'),
});
export const REVIEW_LABELS = { analysis: 'Analysis', costText: 'Estimated cost', testingNotes: 'Testing notes' };

export const decisionForm = z.object({
  version: z.coerce.number().int().min(1),
  meeting: z.coerce.number({ error: 'Select the meeting' }).int().min(1, 'Select the meeting').max(2_147_483_647),
  outcome: z.enum(DECISION_OUTCOMES, { error: 'Select the decision' }),
  reasons: multiLine(LIMITS.reasons).min(1, 'Enter the reasons for the decision'),
  code: z
    .string()
    .trim()
    .toUpperCase()
    .max(20, 'Code must be 20 characters or fewer')
    .refine((v) => v === '' || CODE_PATTERN.test(v), 'Code must be letters, digits and hyphens, like TR-08')
    .default(''),
});
export const DECISION_LABELS = { reasons: 'Reasons' };

export const boardQuery = z.strictObject({
  group: z.union([z.literal(''), slugSchema]).optional().default(''),
  state: z.enum(['', ...DRAFT_STATES, 'sent_back'], { error: `must be one of ${[...DRAFT_STATES, 'sent_back'].join(', ')}` }).optional().default(''),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});

export const changesQuery = z.strictObject({
  from: z.coerce.number().int().min(1).max(100_000).optional(),
  to: z.coerce.number().int().min(1).max(100_000).optional(),
});

export const newDraftQuery = z.strictObject({ group: z.union([z.literal(''), slugSchema]).optional().default('') });

/* ----- the modelled workforce effect: one row per lever kind, as people type it ----- */

export interface LeverRowValues {
  size: string;
  start: string;
  ramp: string;
}

/** The form's fields for a list of levers: the first lever of each kind fills its row. */
export function leverValues(levers: readonly Lever[], defaultStart: number): Record<string, string> {
  const values: Record<string, string> = {};
  for (const kind of LEVER_KINDS) {
    const lever = levers.find((l) => l.kind === kind);
    const f = LEVER_FIELD[kind];
    values[`${f}-size`] = lever ? (LEVER_LABELS[kind].unit === 'pounds' ? lever.size.toFixed(2) : String(Number((lever.size * 100).toFixed(6)))) : '';
    values[`${f}-start`] = String(lever?.startYear ?? defaultStart);
    values[`${f}-ramp`] = String(lever?.rampYears ?? 1);
  }
  return values;
}

/** The levers' fields as typed, each one string. */
export function pickLeverValues(body: Record<string, unknown>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const kind of LEVER_KINDS) {
    for (const part of ['size', 'start', 'ramp']) {
      const name = `${LEVER_FIELD[kind]}-${part}`;
      const raw = body[name];
      values[name] = typeof raw === 'string' ? raw : '';
    }
  }
  return values;
}

/**
 * Reads the lever rows into the engine's levers (an empty or zero size: none of that kind),
 * naming each bad field. The service checks the result again with the workforce lever schema.
 */
export function leversFromForm(values: Record<string, string>, years: { first: number; last: number }): { levers: Lever[]; problems: FieldProblem[] } {
  const levers: Lever[] = [];
  const problems: FieldProblem[] = [];
  for (const kind of LEVER_KINDS as readonly LeverKind[]) {
    const f = LEVER_FIELD[kind];
    const { name, unit } = LEVER_LABELS[kind];
    const size = parseNumber(values[`${f}-size`]);
    if (size === undefined || size === 0) continue;
    if (size === 'invalid') {
      problems.push({ field: `${f}-size`, message: `${name}: the size must be a number, like ${unit === 'pounds' ? '0.60' : '5'}` });
      continue;
    }
    const sizeProblem = checkSize(kind, size);
    if (sizeProblem) problems.push({ field: `${f}-size`, message: `${name}: the size ${sizeProblem}` });
    const start = parseNumber(values[`${f}-start`]);
    if (start === undefined || start === 'invalid' || !Number.isInteger(start) || start < years.first || start > years.last) {
      problems.push({ field: `${f}-start`, message: `${name}: the first year must be a year from ${years.first} to ${years.last}` });
    }
    const ramp = parseNumber(values[`${f}-ramp`]);
    if (ramp === undefined || ramp === 'invalid' || !Number.isInteger(ramp) || ramp < 0 || ramp > 50) {
      problems.push({ field: `${f}-ramp`, message: `${name}: the years to full effect must be a whole number from 0 to 50` });
    }
    if (sizeProblem || typeof start !== 'number' || typeof ramp !== 'number') continue;
    levers.push({ kind, size: engineSize(kind, size), startYear: start, rampYears: ramp });
  }
  return { levers, problems };
}
