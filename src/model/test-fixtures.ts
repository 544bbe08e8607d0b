// Inputs for the model's tests only: small, made-up but plausible numbers (never shipped data;
// the real inputs come from the datasets import). `src` names them as test fixtures.
import { DEFAULT_PARAMETERS } from './project.ts';
import { REGIONS, ROLE_GROUPS } from './types.ts';
import type { GeographyInputs, ModelInputs, RoleGroup, RoleInputs, Sourced, YearSeries } from './types.ts';
import type { UncertainInput } from './uncertainty.ts';

export const src = <T>(value: T): Sourced<T> => ({ value, source: 'test fixture', vintage: 'test' });

export function roleInputs(values: Partial<Record<keyof RoleInputs, number>> = {}): RoleInputs {
  const v = { filledPosts: 1000, vacancies: 100, turnoverRate: 0.2, sectorExitShare: 0.5, retirementRate: 0.02, labourPool: 80, internationalRecruits: 30, ...values };
  return {
    filledPosts: src(v.filledPosts),
    vacancies: src(v.vacancies),
    turnoverRate: src(v.turnoverRate),
    sectorExitShare: src(v.sectorExitShare),
    retirementRate: src(v.retirementRate),
    labourPool: src(v.labourPool),
    internationalRecruits: src(v.internationalRecruits),
  };
}

/** A series growing by `growth` a year from `start` in `from`, over `years` years. */
export function series(from: number, years: number, start: number, growth: number): YearSeries {
  return Object.fromEntries(Array.from({ length: years + 1 }, (_, i) => [String(from + i), start * (1 + growth) ** i]));
}

/** Role mix roughly as DOMAIN.md §3 describes (direct care ~76%, regulated ~5%...). */
const MIX: Record<RoleGroup, { share: number; turnover: number }> = {
  care_worker: { share: 0.62, turnover: 0.26 },
  senior_care_worker: { share: 0.08, turnover: 0.2 },
  registered_manager: { share: 0.015, turnover: 0.2 },
  registered_nurse: { share: 0.02, turnover: 0.305 },
  social_worker: { share: 0.014, turnover: 0.16 },
  occupational_therapist: { share: 0.002, turnover: 0.14 },
  other_regulated: { share: 0.01, turnover: 0.15 },
  other: { share: 0.239, turnover: 0.18 },
};

/** Nine regions × eight roles, base 2024, 16 years (to 2040), a few regional differences. */
export function regionalInputs(): ModelInputs {
  const geographies: Record<string, GeographyInputs> = {};
  REGIONS.forEach((region, i) => {
    const size = 120_000 + 15_000 * i;
    const roles: Partial<Record<RoleGroup, RoleInputs>> = {};
    for (const role of ROLE_GROUPS) {
      const filled = size * MIX[role].share;
      roles[role] = roleInputs({
        filledPosts: filled,
        vacancies: filled * (0.06 + 0.005 * i),
        turnoverRate: MIX[role].turnover,
        sectorExitShare: 0.35,
        retirementRate: 0.024,
        labourPool: filled * (0.09 + 0.004 * i),
        internationalRecruits: filled * 0.03,
      });
    }
    geographies[region.code] = {
      roles,
      population: {
        '65+': src(series(2024, 16, 1_000_000 + 50_000 * i, 0.015 + 0.001 * i)),
        '18-64': src(series(2024, 16, 5_000_000, 0.002)),
        '85+': src(series(2024, 16, 130_000, 0.03)),
      },
    };
  });
  return {
    baseYear: 2024,
    horizon: 16,
    geographies,
    progression: [
      { from: 'care_worker', to: 'senior_care_worker', rate: src(0.03) },
      { from: 'senior_care_worker', to: 'registered_manager', rate: src(0.02) },
    ],
    parameters: DEFAULT_PARAMETERS,
  };
}

/** A triangular multiplier (most likely `mode`, 1 unless given). */
export const tri = (min: number, max: number, mode = 1) => ({ kind: 'triangular' as const, min, mode, max });

/** An uncertain input sourced as a test fixture. */
export const uncertainInput = (name: string, target: UncertainInput['target'], distribution: UncertainInput['distribution']): UncertainInput => ({
  name,
  target,
  distribution,
  source: 'test',
  vintage: 'test',
});
