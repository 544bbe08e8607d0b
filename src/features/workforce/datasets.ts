// Reading the model's datasets: a population projection and a workforce base, from a spreadsheet
// (CSV or XLSX) into checked rows, all or nothing. A file with a bad cell or a gap in its coverage
// is refused with every problem listed (the missing cells named), never loaded in part. Pure: the
// service reads the file and writes the rows.
import { ENGLAND, GEOGRAPHY_CODES, REGIONS, ROLE_GROUPS, type RoleGroup } from '../../model/types.ts';
import type { Table } from '../../platform/files/spreadsheet.ts';

export interface DatasetProblem {
  row: number | null;
  column: string | null;
  message: string;
}

/** Age bands the model reads; 65-84 is made from 65-74 and 75-84 when a file is loaded. */
export const POPULATION_BANDS = ['18-64', '65-74', '75-84', '85+', '65+'] as const;
export const DERIVED_BANDS = { '65-84': ['65-74', '75-84'] } as const;
export const POPULATION_COLUMNS = ['area_code', 'year', 'age_band', 'population'] as const;

export const RATE_MEASURES = ['turnover_rate', 'sector_exit_share', 'retirement_rate'] as const;
export const COUNT_MEASURES = ['filled_posts', 'vacancies', 'labour_pool', 'international_recruits'] as const;
export const WORKFORCE_MEASURES = [...COUNT_MEASURES, ...RATE_MEASURES] as const;
export type WorkforceMeasure = (typeof WORKFORCE_MEASURES)[number];
export const WORKFORCE_COLUMNS = ['year', 'area_code', 'role', 'measure', 'value', 'source', 'vintage'] as const;
const PROGRESSION = /^progression_to_([a-z_]+)$/;

export interface PopulationRow {
  areaCode: string;
  ageBand: string;
  year: number;
  population: number;
}

export interface WorkforceRow {
  areaCode: string;
  role: RoleGroup;
  measure: string;
  value: number;
  source: string;
  vintage: string;
}

export type Parsed<T> =
  | { ok: true; rows: T[]; firstYear: number; lastYear: number; skipped: number }
  | { ok: false; problems: DatasetProblem[] };

const AREA_NAMES = new Map<string, string>([[ENGLAND.code, ENGLAND.name], ...REGIONS.map((r) => [r.code, r.name] as [string, string])]);
export const areaName = (code: string) => AREA_NAMES.get(code) ?? code;

/** At most this many gaps are listed one by one; the rest are counted. */
const MAX_LISTED = 40;

function missingColumns(table: Table, columns: readonly string[]): DatasetProblem[] {
  const missing = columns.filter((c) => !table.columns.includes(c));
  return missing.length
    ? [{ row: 1, column: null, message: `The first row must name the columns ${columns.join(', ')}; missing: ${missing.join(', ')}` }]
    : [];
}

function gapsProblem(gaps: string[], what: string): DatasetProblem[] {
  if (!gaps.length) return [];
  const listed = gaps.slice(0, MAX_LISTED).join('; ');
  const more = gaps.length > MAX_LISTED ? `; and ${gaps.length - MAX_LISTED} more` : '';
  return [{ row: null, column: null, message: `The ${what} has gaps: ${gaps.length} missing ${gaps.length === 1 ? 'cell' : 'cells'}: ${listed}${more}` }];
}

const wholeYear = (text: string) => (/^\d{4}$/.test(text.trim()) ? Number(text) : NaN);
const number = (text: string) => (text.trim() === '' ? NaN : Number(text.replace(/,/g, '')));

/**
 * A population projection: England and the nine regions, the bands in POPULATION_BANDS, every
 * year from the file's first to its last. Other bands are skipped; 65-84 is added.
 */
export function parsePopulation(table: Table): Parsed<PopulationRow> {
  const problems = missingColumns(table, POPULATION_COLUMNS);
  if (problems.length) return { ok: false, problems };
  if (!table.rows.length) return { ok: false, problems: [{ row: null, column: null, message: 'The file has no rows below its header' }] };
  const values = new Map<string, number>();
  let skipped = 0;
  for (const { rowNumber: row, values: v } of table.rows) {
    const area = (v.area_code ?? '').trim();
    const band = (v.age_band ?? '').trim();
    const year = wholeYear(v.year ?? '');
    const population = number(v.population ?? '');
    if (!GEOGRAPHY_CODES.includes(area)) {
      problems.push({ row, column: 'area_code', message: `“${area}” is not England (${ENGLAND.code}) or an English region (E12000001 to E12000009)` });
    }
    if (!(year >= 1990 && year <= 2100)) problems.push({ row, column: 'year', message: 'Enter the year as 4 digits, between 1990 and 2100' });
    if (!Number.isFinite(population) || population < 0) problems.push({ row, column: 'population', message: 'Enter the population as a number, 0 or more' });
    if (!(POPULATION_BANDS as readonly string[]).includes(band)) {
      skipped++;
      continue;
    }
    const key = `${area}|${band}|${year}`;
    if (values.has(key)) problems.push({ row, column: null, message: `${area} ${band} ${year} is given twice` });
    values.set(key, population);
  }
  if (problems.length) return { ok: false, problems };
  const years = [...values.keys()].map((k) => Number(k.split('|')[2]));
  if (!years.length) return { ok: false, problems: [{ row: null, column: 'age_band', message: `The file has none of the age bands the model needs: ${POPULATION_BANDS.join(', ')}` }] };
  const firstYear = Math.min(...years);
  const lastYear = Math.max(...years);
  const gaps: string[] = [];
  for (const area of GEOGRAPHY_CODES) {
    for (const band of POPULATION_BANDS) {
      for (let year = firstYear; year <= lastYear; year++) {
        if (!values.has(`${area}|${band}|${year}`)) gaps.push(`${areaName(area)} (${area}) ${band} ${year}`);
      }
    }
  }
  if (gaps.length) return { ok: false, problems: gapsProblem(gaps, 'population projection') };
  const rows: PopulationRow[] = [...values].map(([key, population]) => {
    const [areaCode, ageBand, year] = key.split('|') as [string, string, string];
    return { areaCode, ageBand, year: Number(year), population };
  });
  for (const [band, parts] of Object.entries(DERIVED_BANDS)) {
    for (const area of GEOGRAPHY_CODES) {
      for (let year = firstYear; year <= lastYear; year++) {
        rows.push({ areaCode: area, ageBand: band, year, population: parts.reduce((s, p) => s + values.get(`${area}|${p}|${year}`)!, 0) });
      }
    }
  }
  return { ok: true, rows, firstYear, lastYear, skipped };
}

/**
 * A workforce base: one year, every region × role group × measure, each value with its source
 * and vintage; moves between roles as England-wide `progression_to_<role>` rows.
 */
export function parseWorkforce(table: Table): Parsed<WorkforceRow> {
  const problems = missingColumns(table, WORKFORCE_COLUMNS);
  if (problems.length) return { ok: false, problems };
  if (!table.rows.length) return { ok: false, problems: [{ row: null, column: null, message: 'The file has no rows below its header' }] };
  const rows = new Map<string, WorkforceRow>();
  const years = new Set<number>();
  for (const { rowNumber: row, values: v } of table.rows) {
    const area = (v.area_code ?? '').trim();
    const role = (v.role ?? '').trim() as RoleGroup;
    const measure = (v.measure ?? '').trim();
    const value = number(v.value ?? '');
    const year = wholeYear(v.year ?? '');
    const source = (v.source ?? '').trim();
    const vintage = (v.vintage ?? '').trim();
    const progressionTo = PROGRESSION.exec(measure)?.[1];
    if (!(year >= 1990 && year <= 2100)) problems.push({ row, column: 'year', message: 'Enter the base year as 4 digits, between 1990 and 2100' });
    else years.add(year);
    if (!ROLE_GROUPS.includes(role)) problems.push({ row, column: 'role', message: `“${role}” is not a role group (${ROLE_GROUPS.join(', ')})` });
    if (progressionTo !== undefined) {
      if (area !== ENGLAND.code) problems.push({ row, column: 'area_code', message: `Moves between roles apply to all of England: use ${ENGLAND.code}` });
      if (!ROLE_GROUPS.includes(progressionTo as RoleGroup) || progressionTo === role) {
        problems.push({ row, column: 'measure', message: `“${measure}” must name another role group after progression_to_` });
      }
    } else {
      if (!REGIONS.some((r) => r.code === area)) problems.push({ row, column: 'area_code', message: `“${area}” is not an English region (E12000001 to E12000009)` });
      if (!(WORKFORCE_MEASURES as readonly string[]).includes(measure)) {
        problems.push({ row, column: 'measure', message: `“${measure}” is not a measure (${WORKFORCE_MEASURES.join(', ')}, or progression_to_<role>)` });
      }
    }
    const isRate = progressionTo !== undefined || (RATE_MEASURES as readonly string[]).includes(measure);
    if (!Number.isFinite(value)) problems.push({ row, column: 'value', message: 'Enter the value as a number' });
    else if (isRate && (value < 0 || value > 1)) problems.push({ row, column: 'value', message: `${measure} is a share of a year: enter it between 0 and 1 (0.24 for 24%)` });
    else if (value < 0) problems.push({ row, column: 'value', message: `${measure} must not be negative` });
    if (!source) problems.push({ row, column: 'source', message: 'Say where the value comes from' });
    if (!vintage) problems.push({ row, column: 'vintage', message: 'Give the edition of the source (for example 2023/24)' });
    const key = `${area}|${role}|${measure}`;
    if (rows.has(key)) problems.push({ row, column: null, message: `${area} ${role} ${measure} is given twice` });
    rows.set(key, { areaCode: area, role, measure, value, source, vintage });
  }
  if (years.size > 1) problems.push({ row: null, column: 'year', message: `Every row must be for one base year; the file has ${[...years].sort().join(', ')}` });
  if (problems.length) return { ok: false, problems };
  const gaps: string[] = [];
  for (const region of REGIONS) {
    for (const role of ROLE_GROUPS) {
      for (const measure of WORKFORCE_MEASURES) {
        if (!rows.has(`${region.code}|${role}|${measure}`)) gaps.push(`${region.name} (${region.code}) ${role} ${measure}`);
      }
    }
  }
  if (gaps.length) return { ok: false, problems: gapsProblem(gaps, 'workforce base') };
  const year = [...years][0]!;
  return { ok: true, rows: [...rows.values()], firstYear: year, lastYear: year, skipped: 0 };
}
