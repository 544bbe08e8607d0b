// The scenario form the public page and the admin pages share: the demand driver, the visa
// closure, one lever of each kind (size, start year, years to ramp), the in-progress weight and
// the last year. People type percentages and pounds; the engine takes fractions. Every problem
// names the field it is about, in words, so the GOV.UK error summary can link to it.
import { LEVER_KINDS, type LeverKind } from '../../model/types.ts';
import type { FieldProblem } from '../../platform/http/validation.ts';
import { LEVER_LABELS } from './labels.ts';
import type { ScenarioParams } from './schema.ts';

/** The form field prefix of each lever kind (short words keep shared links readable). */
export const LEVER_FIELD: Record<LeverKind, string> = {
  pay_premium: 'pay',
  attraction: 'attraction',
  international: 'international',
  training: 'training',
  productivity: 'productivity',
  prevention: 'prevention',
};

export const SHARE_FIELDS = [
  { band: '18-64', field: 'share-18-64', label: 'Aged 18 to 64' },
  { band: '65-84', field: 'share-65-84', label: 'Aged 65 to 84' },
  { band: '85+', field: 'share-85', label: 'Aged 85 and over' },
] as const;

/** Every field of the form, in page order (the error summary lists problems in this order). */
export const LEVER_FORM_FIELDS: readonly string[] = [
  'driver',
  ...SHARE_FIELDS.map((s) => s.field),
  'visa',
  ...LEVER_KINDS.flatMap((k) => [`${LEVER_FIELD[k]}-size`, `${LEVER_FIELD[k]}-start`, `${LEVER_FIELD[k]}-ramp`]),
  'inProgress',
  'to',
];

export type FormValues = Record<string, string>;

export interface YearLimits {
  /** The workforce base year: levers may start from the year after. */
  baseYear: number;
  /** First and last year a run may end in. */
  first: number;
  last: number;
}

/** Limits on each kind's size as people type it (percent, or pounds an hour). */
const SIZE_LIMITS: Record<LeverKind, { min: number; max: number; below?: number; minText: string; maxText: string }> = {
  pay_premium: { min: -5, max: 10, minText: 'must be −£5.00 or more', maxText: 'must be £10.00 or less' },
  attraction: { min: -100, max: 1000, minText: 'must be −100% or more (no fewer than none)', maxText: 'must be 1,000% or less' },
  international: { min: -100, max: 1000, minText: 'must be −100% or more (no fewer than none)', maxText: 'must be 1,000% or less' },
  training: { min: -100, max: 100, below: 100, minText: 'must be −100% or more', maxText: 'must be less than 100% (100% would mean nobody ever leaves)' },
  productivity: { min: -100, max: 100, below: 100, minText: 'must be −100% or more', maxText: 'must be less than 100% (100% would remove every post)' },
  prevention: { min: -100, max: 100, below: 100, minText: 'must be −100% or more', maxText: 'must be less than 100% (100% would remove every post)' },
};

/** What is wrong with a lever's size as typed (percent, or pounds for pay), or undefined. */
export function checkSize(kind: LeverKind, size: number): string | undefined {
  const limit = SIZE_LIMITS[kind];
  if (size < limit.min) return limit.minText;
  if (limit.below !== undefined ? size >= limit.below : size > limit.max) return limit.maxText;
  return undefined;
}

/** A size as the engine takes it: pounds stay pounds, percentages become fractions. */
export const engineSize = (kind: LeverKind, typed: number) => (LEVER_LABELS[kind].unit === 'pounds' ? typed : typed / 100);

/** A size as people type it. */
export const typedSize = (kind: LeverKind, size: number) => (LEVER_LABELS[kind].unit === 'pounds' ? size.toFixed(2) : asPercent(size));

/** A number as people type it: "5", "-2.5", "−75%", "£0.60". */
export function parseNumber(raw: string | undefined): number | undefined | 'invalid' {
  const text = (raw ?? '').trim().replace(/^£/, '').replace(/%$/, '').replace(/^[−–]/, '-').replaceAll(',', '').trim();
  if (text === '') return undefined;
  if (!/^-?\d+(\.\d+)?$/.test(text) && !/^-?\.\d+$/.test(text)) return 'invalid';
  return Number(text);
}

/** A fraction as the percentage people type (0.05 → "5"). */
const asPercent = (share: number) => String(Number((share * 100).toFixed(6)));

/** The form's values for a scenario's parameters: the first lever of each kind fills its fields. */
export function formValuesFromParams(params: ScenarioParams, limits: YearLimits): FormValues {
  const values: FormValues = {
    driver: params.driver.kind,
    visa: params.baselinePolicy ? 'yes' : 'no',
    inProgress: asPercent(params.inProgressWeight),
    to: String(params.to),
  };
  for (const s of SHARE_FIELDS) values[s.field] = params.driver.kind === 'age_mix' ? asPercent(params.driver.shares[s.band]) : '';
  for (const kind of LEVER_KINDS) {
    const lever = params.levers.find((l) => l.kind === kind);
    const f = LEVER_FIELD[kind];
    values[`${f}-size`] = lever ? typedSize(kind, lever.size) : '';
    values[`${f}-start`] = String(lever?.startYear ?? Math.max(limits.baseYear + 1, 2026));
    values[`${f}-ramp`] = String(lever?.rampYears ?? 1);
  }
  return values;
}

/** Only the form's own fields, each as one string (a repeated field keeps its first value). */
export function pickFormValues(source: Record<string, unknown>): FormValues {
  const values: FormValues = {};
  for (const field of LEVER_FORM_FIELDS) {
    const raw = source[field];
    const value: unknown = Array.isArray(raw) ? (raw as unknown[])[0] : raw;
    if (typeof value === 'string') values[field] = value;
  }
  return values;
}

/**
 * Reads the form into scenario parameters. The form's lever of each kind replaces the first
 * lever of that kind in `base` (keeping the roles and source it had); an empty or zero size
 * removes it; the base's other levers are kept as they are.
 */
export function paramsFromForm(values: FormValues, limits: YearLimits, base: ScenarioParams): { params?: ScenarioParams; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  /** A whole number in a range; `prefix` names the lever ("Training and retention: "). */
  const whole = (field: string, prefix: string, label: string, min: number, max: number, rangeText: string): number | undefined => {
    const n = parseNumber(values[field]);
    const subject = prefix ? `${prefix}${label}` : `${label[0]!.toUpperCase()}${label.slice(1)}`;
    if (n === undefined) return add(field, prefix ? `${prefix}enter ${label}` : `Enter ${label}`), undefined;
    if (n === 'invalid' || !Number.isInteger(n)) return add(field, `${subject} must be a whole number`), undefined;
    if (n < min || n > max) return add(field, `${subject} must be ${rangeText}`), undefined;
    return n;
  };

  let driver: ScenarioParams['driver'] | undefined;
  if (values.driver === 'age65') driver = { kind: 'age65' };
  else if (values.driver === 'age_mix') {
    const shares: Partial<Record<'18-64' | '65-84' | '85+', number>> = {};
    for (const s of SHARE_FIELDS) {
      const n = parseNumber(values[s.field]);
      if (n === undefined) add(s.field, `Enter the share of posts for people ${s.label.toLowerCase()}`);
      else if (n === 'invalid') add(s.field, `${s.label}: the share must be a number, like 35`);
      else if (n < 0) add(s.field, `${s.label}: the share must be 0% or more`);
      else if (n > 100) add(s.field, `${s.label}: the share must be 100% or less`);
      else shares[s.band] = n / 100;
    }
    const given = Object.values(shares);
    if (given.length === 3) {
      const total = given.reduce((a, b) => a + b, 0);
      if (Math.abs(total - 1) > 0.0005) add(SHARE_FIELDS[0].field, `The three shares must add up to 100% (they add up to ${Number((total * 100).toFixed(2))}%)`);
      else driver = { kind: 'age_mix', shares: shares as Record<'18-64' | '65-84' | '85+', number> };
    }
  } else add('driver', 'Select what the posts needed grow with');

  const visa = values.visa === 'yes' ? true : values.visa === 'no' ? false : undefined;
  if (visa === undefined) add('visa', 'Select whether the July 2025 visa closure applies');

  const levers = [...base.levers];
  for (const kind of LEVER_KINDS) {
    const f = LEVER_FIELD[kind];
    const { name, unit } = LEVER_LABELS[kind];
    const size = parseNumber(values[`${f}-size`]);
    const index = levers.findIndex((l) => l.kind === kind);
    if (size === 'invalid') {
      add(`${f}-size`, `${name}: the size must be a number, like ${unit === 'pounds' ? '0.60' : '5'}`);
      continue;
    }
    if (size === undefined || size === 0) {
      if (index >= 0) levers.splice(index, 1);
      continue;
    }
    const sizeProblem = checkSize(kind, size);
    if (sizeProblem) add(`${f}-size`, `${name}: the size ${sizeProblem}`);
    const startYear = whole(`${f}-start`, `${name}: `, 'the start year', limits.baseYear + 1, limits.last, `between ${limits.baseYear + 1} and ${limits.last}`);
    const rampYears = whole(`${f}-ramp`, `${name}: `, 'the years to full effect', 0, 50, 'between 0 and 50');
    if (startYear === undefined || rampYears === undefined) continue;
    const lever = { ...(index >= 0 ? levers[index] : {}), kind, size: engineSize(kind, size), startYear, rampYears };
    if (index >= 0) levers[index] = lever;
    else levers.push(lever);
  }

  const weight = parseNumber(values.inProgress);
  if (weight === undefined) add('inProgress', 'Enter how much of an in-progress item’s levers counts');
  else if (weight === 'invalid') add('inProgress', 'How much of an in-progress item counts must be a number, like 50');
  else if (weight < 0 || weight > 100) add('inProgress', 'How much of an in-progress item counts must be between 0% and 100%');

  const to = whole('to', '', 'the last year', limits.first, limits.last, `between ${limits.first} and ${limits.last} (the years the population projection covers)`);

  if (problems.length) return { problems: problems.sort((a, b) => LEVER_FORM_FIELDS.indexOf(a.field) - LEVER_FORM_FIELDS.indexOf(b.field)) };
  return { params: { driver: driver!, baselinePolicy: visa!, levers, inProgressWeight: (weight as number) / 100, to: to! }, problems };
}

/**
 * The service's own problems (named like `scenario.levers[2].size` or `params.to`) as the form
 * field they concern, where one does; the rest keep their name and link to the form's top.
 */
export function formProblems(problems: readonly FieldProblem[], params: ScenarioParams): FieldProblem[] {
  return problems.map((p) => {
    if (/(^|\.)to$/.test(p.field)) return { field: 'to', message: p.message };
    const lever = /levers[.[](\d+)\]?\.(size|startYear|rampYears)/.exec(p.field);
    const kind = lever ? params.levers[Number(lever[1])]?.kind : undefined;
    if (kind && lever) {
      const suffix = { size: 'size', startYear: 'start', rampYears: 'ramp' }[lever[2] as 'size' | 'startYear' | 'rampYears'];
      return { field: `${LEVER_FIELD[kind]}-${suffix}`, message: `${LEVER_LABELS[kind].name}: ${p.message}` };
    }
    return p;
  });
}
