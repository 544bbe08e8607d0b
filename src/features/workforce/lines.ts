// A run's per-year lines for one geography (England, every region, or one region), shared by
// the API (JSON `lines` and ?format=csv) and the CLI, so both give the same columns.
import type { ProjectionRow } from '../../model/project.ts';
import { ENGLAND, REGIONS } from '../../model/types.ts';
import type { Band } from '../../model/uncertainty.ts';
import { spreadsheetSafe, toCsv } from '../../platform/files/spreadsheet.ts';
import { areaName } from './datasets.ts';
import type { RunResult } from './service.ts';

export interface ProjectionLine {
  geography: string;
  year: number;
  demand: number;
  filledBaseline: number;
  gapBaseline: number;
  filledDelivered: number;
  gapDelivered: number;
  vacancyRateDelivered: number;
  startersDelivered: number;
  leaversDelivered: number;
  gapP10?: number;
  gapP50?: number;
  gapP90?: number;
}

/** `geography`: 'england', 'regions' or a region's code (as geographySchema gives it). */
export function projectionLines(result: RunResult, geography: string): ProjectionLine[] {
  const codes = geography === 'england' ? [ENGLAND.code] : geography === 'regions' ? REGIONS.map((r) => r.code) : [geography];
  const pick = (rows: readonly ProjectionRow[], code: string, year: number) => rows.find((r) => r.geography === code && r.role === 'all' && r.year === year)!;
  const band = (bands: Band[] | null, year: number) => bands?.find((b) => b.year === year && b.measure === 'gap');
  return codes.flatMap((code) =>
    result.years.map((year) => {
      const base = pick(result.baseline.rows, code, year);
      const delivered = pick(result.deliveryAdjusted.rows, code, year);
      const b = code === ENGLAND.code ? band(result.deliveryAdjusted.bands, year) : undefined;
      return {
        geography: code,
        year,
        demand: delivered.demand,
        filledBaseline: base.filled,
        gapBaseline: base.gap,
        filledDelivered: delivered.filled,
        gapDelivered: delivered.gap,
        vacancyRateDelivered: delivered.vacancyRate,
        startersDelivered: delivered.starters,
        leaversDelivered: delivered.leavers,
        ...(b ? { gapP10: b.p10, gapP50: b.p50, gapP90: b.p90 } : {}),
      };
    }),
  );
}

export const LINE_COLUMNS = ['geography', 'area', 'year', 'demand', 'filled_baseline', 'gap_baseline', 'filled_delivery', 'gap_delivery', 'vacancy_rate_delivery', 'starters_delivery', 'leavers_delivery', 'gap_p10', 'gap_p50', 'gap_p90'] as const;

/** The lines as CSV, one row per geography and year; cells safe to open in a spreadsheet. */
export function linesCsv(lines: readonly ProjectionLine[]): string {
  return toCsv(
    LINE_COLUMNS,
    lines.map((l) => ({
      geography: l.geography,
      area: spreadsheetSafe(areaName(l.geography)),
      year: String(l.year),
      demand: l.demand.toFixed(1),
      filled_baseline: l.filledBaseline.toFixed(1),
      gap_baseline: l.gapBaseline.toFixed(1),
      filled_delivery: l.filledDelivered.toFixed(1),
      gap_delivery: l.gapDelivered.toFixed(1),
      vacancy_rate_delivery: l.vacancyRateDelivered.toFixed(4),
      starters_delivery: l.startersDelivered.toFixed(1),
      leavers_delivery: l.leaversDelivered.toFixed(1),
      gap_p10: l.gapP10?.toFixed(1) ?? '',
      gap_p50: l.gapP50?.toFixed(1) ?? '',
      gap_p90: l.gapP90?.toFixed(1) ?? '',
    })),
  );
}
