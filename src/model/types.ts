// The workforce model's vocabulary: geographies, role groups, sourced inputs, levers and
// scenarios. Plain data only, so a run's inputs can be stored, hashed and replayed exactly.
// The rules that use these types are in project.ts (flows), delivery.ts (items → levers) and
// uncertainty.ts (Monte Carlo); docs/decisions/0017 says why the engine is shaped this way.

/** Bumped whenever the arithmetic changes, so a stored run hash says which engine made it. */
export const ENGINE_VERSION = '1.0.0';

export const ENGLAND = { code: 'E92000001', name: 'England' } as const;

/** The nine English regions (ONS 2021 codes and names, as in the population projections). */
export const REGIONS = [
  { code: 'E12000001', name: 'North East' },
  { code: 'E12000002', name: 'North West' },
  { code: 'E12000003', name: 'Yorkshire and The Humber' },
  { code: 'E12000004', name: 'East Midlands' },
  { code: 'E12000005', name: 'West Midlands' },
  { code: 'E12000006', name: 'East of England' },
  { code: 'E12000007', name: 'London' },
  { code: 'E12000008', name: 'South East' },
  { code: 'E12000009', name: 'South West' },
] as const;

export type RegionCode = (typeof REGIONS)[number]['code'];
export type GeographyCode = RegionCode | typeof ENGLAND.code;
export const GEOGRAPHY_CODES: readonly string[] = [ENGLAND.code, ...REGIONS.map((r) => r.code)];

export const ROLE_GROUPS = [
  'care_worker',
  'senior_care_worker',
  'registered_manager',
  'registered_nurse',
  'social_worker',
  'occupational_therapist',
  'other_regulated',
  'other',
] as const;
export type RoleGroup = (typeof ROLE_GROUPS)[number];

/** Every input value says where it came from and which edition ("vintage") of that source. */
export interface Sourced<T = number> {
  value: T;
  source: string;
  vintage: string;
}

/** Values by year; keys are years as strings ("2024") so the object survives JSON unchanged. */
export type YearSeries = Record<string, number>;

/** One role group in one geography at the base year. Rates are fractions a year (0.24 = 24%). */
export interface RoleInputs {
  filledPosts: Sourced;
  vacancies: Sourced;
  /** Leavers from their post for any reason except retirement, / filled posts. */
  turnoverRate: Sourced;
  /** Share of those leavers who leave the sector (the rest move to another post in it). */
  sectorExitShare: Sourced;
  /** Retirements a year / filled posts (see retirementRateFromAgeProfile). */
  retirementRate: Sourced;
  /** Most people the sector can recruit from the domestic labour pool in a year. */
  labourPool: Sourced;
  /** International recruits a year before any policy lever (e.g. the 2025 visa closure). */
  internationalRecruits: Sourced;
}

/** The RoleInputs fields that are rates (fractions a year, within [0, 1]). */
export const RATE_FIELDS = ['turnoverRate', 'sectorExitShare', 'retirementRate'] as const;

export interface GeographyInputs {
  roles: Partial<Record<RoleGroup, RoleInputs>>;
  /**
   * Population (or any driver index) by age band and year, e.g. "65+", "18-64", "65-84", "85+".
   * The scenario's driver weights pick and weight the bands.
   */
  population: Record<string, Sourced<YearSeries>>;
}

/** One yearly move between roles: a share of `from`'s filled posts moving to `to`. */
export interface Progression {
  from: RoleGroup;
  to: RoleGroup;
  rate: Sourced;
}

/** Calibration constants, each with its source (defaults in DEFAULT_PARAMETERS). */
export interface ModelParameters {
  /** Care-worker pay above the wage floor today, £/hour. */
  baselinePayPremium: Sourced;
  /** Care-worker turnover with pay at or below the wage floor. */
  turnoverAtFloor: Sourced;
  /** Care-worker turnover with pay at least `premiumForLowTurnover` above the floor. */
  turnoverAbovePremium: Sourced;
  /** The premium (£/hour) at which turnoverAbovePremium applies. */
  premiumForLowTurnover: Sourced;
  /** Relative attraction response per unit of relative retention response. */
  payAttractionRatio: Sourced;
}

export interface ModelInputs {
  baseYear: number;
  /** Years projected after the base year (the issue asks for 15 or more). */
  horizon: number;
  /** Keyed by ONS code: the nine regions (England is their sum), or England alone. */
  geographies: Record<string, GeographyInputs>;
  progression: Progression[];
  parameters: ModelParameters;
}

/**
 * What a lever moves, and what its `size` means:
 * - pay_premium: £/hour added to care-worker pay above the wage floor (turnover and attraction);
 * - attraction: relative rise in domestic recruits the pool can give (0.1 = +10%);
 * - international: relative change in international recruits (-0.75 = a quarter remain);
 * - training: relative cut in turnover from training and qualifications (0.05 = 5% fewer leavers);
 * - productivity: relative cut in posts needed from technology and new ways of working;
 * - prevention: relative cut in posts needed from prevention.
 */
export const LEVER_KINDS = ['pay_premium', 'attraction', 'international', 'training', 'productivity', 'prevention'] as const;
export type LeverKind = (typeof LEVER_KINDS)[number];

export interface Lever {
  kind: LeverKind;
  size: number;
  /** First year with any effect. */
  startYear: number;
  /** Years to reach full effect: a share 1/rampYears more each year (0 or 1: full at once). */
  rampYears: number;
  /** Role groups it acts on; absent means the kind's default (see project.ts). */
  roles?: RoleGroup[];
  /** Geographies it acts on; absent, or England's code, means all. */
  geographies?: string[];
  /** Where the size came from. */
  source?: string;
}

export const ITEM_STATUSES = ['not_started', 'in_progress', 'complete', 'retired'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

/** A strategy item and the levers it declares it moves. */
export interface ItemLevers {
  code: string;
  status: ItemStatus | null;
  levers: Lever[];
}

export interface Scenario {
  name: string;
  /** Weights by population band for the demand driver; default { "65+": 1 }. */
  driverWeights?: Record<string, number>;
  /** Levers set directly (policy assumptions, delivery-adjusted item levers). */
  levers: Lever[];
  /** Whether to add BASELINE_POLICY_LEVERS (the 2025 visa closure); default true. */
  baselinePolicy?: boolean;
}

/** The outputs Monte Carlo summarises (England, all roles, per year), in the order it stores them. */
export const HEADLINE_MEASURES = ['demand', 'filled', 'gap', 'vacancyRate', 'starters', 'leavers'] as const;
export type HeadlineMeasure = (typeof HEADLINE_MEASURES)[number];
