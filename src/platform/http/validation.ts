// Shared zod building blocks for the edges (query strings, forms, spreadsheet cells), and the
// one shape a validation problem takes everywhere: which field, and what is wrong with it.
import { z } from 'zod';

export interface FieldProblem {
  /** The parameter, form field or spreadsheet column. */
  field: string;
  message: string;
}

export class InputError extends Error {
  constructor(readonly problems: FieldProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
  }
}

/** C0 and C1 controls other than tab, newline and carriage return have no place in text. */
export function hasControlCharacters(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

const LINE_BREAKS = /[\r\n\u2028\u2029]/;

/** One line of text: trimmed, no control characters or line breaks, at most `max` characters. */
export function singleLine(max: number) {
  return z
    .string()
    .trim()
    .max(max, `must be ${max} characters or fewer`)
    .refine((v) => !hasControlCharacters(v) && !LINE_BREAKS.test(v), 'must be one line of plain text');
}

/** Several lines of text: trimmed, no control characters, at most `max` characters. */
export function multiLine(max: number) {
  return z
    .string()
    .trim()
    .max(max, `must be ${max} characters or fewer`)
    .refine((v) => !hasControlCharacters(v), 'must not contain control characters');
}

export const slugSchema = z
  .string()
  .max(100, 'must be 100 characters or fewer')
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lower-case letters, digits and hyphens');

/** A calendar date written YYYY-MM-DD that really exists (no 31 April). */
export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD')
  .refine((v) => {
    const d = new Date(`${v}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
  }, 'must be a real date');

/**
 * A query parameter that may be given once or repeated (`?area=a&area=b`), read as a list.
 * Empty values (an unticked "all" option) are dropped.
 */
export function repeatable<T extends z.ZodType<string, string>>(inner: T, max = 50) {
  return z
    .union([z.string(), z.array(z.string()).max(max, `can be given at most ${max} times`)])
    .optional()
    .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]).filter((s) => s !== ''))
    .pipe(z.array(inner));
}

/** zod's issues as field problems; `prefix` maps zod's path to the name a person sees. */
export function problemsFrom(error: z.ZodError, name: (path: PropertyKey[]) => string = (p) => p.map(String).join('.')): FieldProblem[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return { field: issue.keys.join(', '), message: `is not a known parameter` };
    }
    const field = name(issue.path.filter((p) => typeof p !== 'number')) || '(input)';
    return { field, message: friendlyMessage(issue) };
  });
}

/** zod's own messages start "Invalid …"; a schema's own message (e.g. "Select a role") is kept. */
const ZOD_DEFAULT = /^Invalid /;

function friendlyMessage(issue: z.core.$ZodIssue): string {
  if ((issue.code === 'invalid_value' || issue.code === 'invalid_type') && !ZOD_DEFAULT.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_value':
      return `must be one of: ${issue.values.map(String).join(', ')}`;
    case 'invalid_type':
      return issue.expected === 'string' || issue.expected === 'array' ? 'is not in a form that can be read' : `must be a ${issue.expected}`;
    case 'too_small':
      return issue.origin === 'number' || issue.origin === 'int' ? `must be ${issue.minimum} or more` : issue.message;
    case 'too_big':
      return issue.origin === 'number' || issue.origin === 'int' ? `must be ${issue.maximum} or less` : issue.message;
    default:
      return issue.message;
  }
}

/** Parses with `schema`, or throws an InputError naming each bad field. */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success) throw new InputError(problemsFrom(result.error));
  return result.data;
}

/**
 * The other way: a YYYY-MM-DD date (or none) as the boxes of the GOV.UK date input named
 * `prefix` (`prefix-day`, `prefix-month`, `prefix-year`), without leading zeros.
 */
export function dateInputValues(prefix: string, date: string | null | undefined): Record<string, string> {
  const [year = '', month = '', day = ''] = date ? date.slice(0, 10).split('-').map((n) => String(Number(n))) : [];
  return { [`${prefix}-day`]: day, [`${prefix}-month`]: month, [`${prefix}-year`]: year };
}

/**
 * A GOV.UK date input's three boxes (day, month, year) as one YYYY-MM-DD date: all empty is
 * null; otherwise every box is needed and the date must exist. Messages name the field.
 */
export function dateFromParts(label: string, parts: { day?: string | undefined; month?: string | undefined; year?: string | undefined }): { date: string | null } | { message: string } {
  const day = (parts.day ?? '').trim();
  const month = (parts.month ?? '').trim();
  const year = (parts.year ?? '').trim();
  if (!day && !month && !year) return { date: null };
  const missing = [['day', day], ['month', month], ['year', year]].filter(([, v]) => !v).map(([name]) => name!);
  if (missing.length) return { message: `${label} must include a ${missing.join(' and a ')}` };
  if (![day, month, year].every((v) => /^\d+$/.test(v))) return { message: `${label} must be a real date` };
  if (year.length !== 4) return { message: 'Year must include 4 numbers' };
  const date = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  return isoDate.safeParse(date).success ? { date } : { message: `${label} must be a real date` };
}
