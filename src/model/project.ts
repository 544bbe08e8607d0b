// The yearly stock-and-flow projection: posts needed (demand) against people in post (supply),
// by geography and role group, from the base year to base + horizon. Deterministic and pure:
// the same inputs and scenario always give the same numbers. Flows are documented where they
// are computed (see projectYear); levers are documented at leverTotal and the calibration below.
import { DEFAULT_DRIVER_WEIGHTS, ModelInputError, projectionYears, validate } from './validate.ts';
import { ENGLAND, GEOGRAPHY_CODES, ROLE_GROUPS } from './types.ts';
import type { Lever, LeverKind, ModelInputs, ModelParameters, RoleGroup, RoleInputs, Scenario } from './types.ts';

const DOMAIN = 'Workforce Strategy Hub DOMAIN.md §3, quoting Skills for Care';

/**
 * Pay calibration from Skills for Care's turnover-by-pay figures: care-worker turnover was
 * 37.8% where pay was at or below the National Living Wage and 31% where it was at least £1.50
 * above it. Median care-worker pay was £12.00 against an NLW of £11.44 in March 2025 (£0.56).
 * The attraction response comes from the strategy's costed Real Living Wage option: about
 * 180,000 extra recruits against about 296,000 retained over 15 years.
 */
export const DEFAULT_PARAMETERS: ModelParameters = {
  baselinePayPremium: { value: 0.56, source: `${DOMAIN}: median £12.00 vs NLW £11.44`, vintage: '2025-03' },
  turnoverAtFloor: { value: 0.378, source: `${DOMAIN}: turnover with pay at or below NLW`, vintage: '2023/24' },
  turnoverAbovePremium: { value: 0.31, source: `${DOMAIN}: turnover with pay ≥ £1.50 above NLW`, vintage: '2023/24' },
  premiumForLowTurnover: { value: 1.5, source: `${DOMAIN}: the £1.50 threshold`, vintage: '2023/24' },
  payAttractionRatio: {
    value: 180_000 / 296_000,
    source: 'Adult Social Care Workforce Strategy (2024), pay option 2: ~180,000 recruits vs ~296,000 retained',
    vintage: '2024-07',
  },
};

/**
 * Policy in force whatever the strategy does, added unless a scenario opts out: overseas
 * care-worker visas closed on 22 July 2025, so international recruits into care roles fall by
 * three quarters (an assumption: 2024/25 had already fallen to 50,000 from 105,000), half of
 * the fall in 2025 and all of it from 2026.
 */
export const BASELINE_POLICY_LEVERS: readonly Lever[] = [
  {
    kind: 'international',
    size: -0.75,
    startYear: 2025,
    rampYears: 2,
    roles: ['care_worker', 'senior_care_worker'],
    source: `${DOMAIN}: overseas care-worker visas closed 22 Jul 2025; size assumed`,
  },
];

/** Role groups a lever acts on when it names none: pay is calibrated on care workers only. */
const DEFAULT_LEVER_ROLES: Record<LeverKind, readonly RoleGroup[]> = {
  pay_premium: ['care_worker', 'senior_care_worker'],
  attraction: ROLE_GROUPS,
  international: ROLE_GROUPS,
  training: ROLE_GROUPS,
  productivity: ROLE_GROUPS,
  prevention: ROLE_GROUPS,
};

/** Share of a lever's size in effect in `year`: none before its start, then +1/rampYears a year. */
export function rampShare(lever: Pick<Lever, 'startYear' | 'rampYears'>, year: number): number {
  if (year < lever.startYear) return 0;
  return Math.min(1, (year - lever.startYear + 1) / Math.max(1, lever.rampYears));
}

/** Whether a lever acts on a cell: its roles (or its kind's default) and its geographies (absent or England: all). */
export function leverActsOn(lever: Lever, geography: string, role: RoleGroup): boolean {
  if (!(lever.roles ?? DEFAULT_LEVER_ROLES[lever.kind]).includes(role)) return false;
  return !lever.geographies || lever.geographies.includes(geography) || lever.geographies.includes(ENGLAND.code);
}

/** Sum of the ramped sizes of every lever of a kind acting on this cell in this year. */
export function leverTotal(levers: readonly Lever[], kind: LeverKind, geography: string, role: RoleGroup, year: number): number {
  let total = 0;
  for (const l of levers) {
    if (l.kind === kind && leverActsOn(l, geography, role)) total += l.size * rampShare(l, year);
  }
  return total;
}

/**
 * Care-worker turnover at a pay premium p (£/hour over the wage floor): straight-line
 * interpolation between the two published points, flat outside them (no evidence beyond):
 *   turnover(p) = atFloor − (atFloor − abovePremium) × clamp(p / premiumForLowTurnover, 0, 1)
 * e.g. 37.8% at p ≤ 0, 34.4% at £0.75, 31% at p ≥ £1.50. A lever adding Δ to today's premium
 * multiplies each cell's own turnover by turnover(today + Δ) / turnover(today), so the
 * published levels calibrate the response, not the cell's starting rate.
 */
export function payTurnover(premium: number, params: ModelParameters): number {
  const atFloor = params.turnoverAtFloor.value;
  const above = params.turnoverAbovePremium.value;
  const share = Math.min(1, Math.max(0, premium / params.premiumForLowTurnover.value));
  return atFloor - (atFloor - above) * share;
}

export function demandDriverIndex(inputs: ModelInputs, geography: string, year: number, weights = DEFAULT_DRIVER_WEIGHTS): number {
  const population = inputs.geographies[geography]!.population;
  let now = 0;
  let base = 0;
  for (const [band, w] of Object.entries(weights)) {
    now += w * population[band]!.value[String(year)]!;
    base += w * population[band]!.value[String(inputs.baseYear)]!;
  }
  return now / base;
}

/**
 * Spreads a share of workers aged 55 and over evenly over the years until they retire, as a
 * yearly retirement rate (e.g. 29% aged 55+ over 12 years ≈ 2.4% a year).
 */
export function retirementRateFromAgeProfile(share55Plus: number, yearsToRetire = 12): number {
  return share55Plus / yearsToRetire;
}

export interface ProjectionRow {
  year: number;
  geography: string;
  role: RoleGroup | 'all';
  /** Posts needed. */
  demand: number;
  /** People in post at the year's reference date. */
  filled: number;
  /** Posts needed but unfilled: max(0, demand − filled). */
  vacancies: number;
  vacancyRate: number;
  /** demand − filled (negative when supply exceeds need). */
  gap: number;
  /** Flows during the year ending at `year` (zero in the base year, which is observed). */
  starters: number;
  domesticStarters: number;
  internationalStarters: number;
  /** Posts open when recruiting began: recruits needed to meet demand. */
  recruitmentNeed: number;
  /** Leavers from the sector (not retirements, not moves to another post in the sector). */
  leavers: number;
  retirements: number;
  movesIn: number;
  movesOut: number;
}

export interface Projection {
  scenario: string;
  baseYear: number;
  years: number[];
  rows: ProjectionRow[];
}

type Flows = Omit<ProjectionRow, 'year' | 'geography' | 'role' | 'vacancies' | 'vacancyRate' | 'gap'>;

function row(year: number, geography: string, role: RoleGroup | 'all', f: Flows): ProjectionRow {
  const gap = f.demand - f.filled;
  const vacancies = Math.max(0, gap);
  return {
    year,
    geography,
    role,
    demand: f.demand,
    filled: f.filled,
    vacancies,
    vacancyRate: f.demand > 0 ? vacancies / f.demand : 0,
    gap,
    starters: f.starters,
    domesticStarters: f.domesticStarters,
    internationalStarters: f.internationalStarters,
    recruitmentNeed: f.recruitmentNeed,
    leavers: f.leavers,
    retirements: f.retirements,
    movesIn: f.movesIn,
    movesOut: f.movesOut,
  };
}

/** Every lever in force in a scenario: the baseline policy (unless opted out), then its own. */
export function scenarioLevers(scenario: Scenario): Lever[] {
  return [...(scenario.baselinePolicy === false ? [] : BASELINE_POLICY_LEVERS), ...scenario.levers];
}

/** Regions in the order of GEOGRAPHY_CODES (England first), whatever the order of the inputs. */
export function orderedGeographies(inputs: ModelInputs): string[] {
  return Object.keys(inputs.geographies).sort((a, b) => GEOGRAPHY_CODES.indexOf(a) - GEOGRAPHY_CODES.indexOf(b));
}

/**
 * The projection, the model's readable specification: src/model/kernel.ts computes the Monte
 * Carlo headline figures much faster and is tested against this function, to the last digit.
 * Any change to the arithmetic here must be made there too (and bump ENGINE_VERSION).
 */
export function project(inputs: ModelInputs, scenario: Scenario): Projection {
  const problems = validate(inputs, scenario);
  if (problems.length) throw new ModelInputError(problems);

  const levers = scenarioLevers(scenario);
  const weights = scenario.driverWeights ?? DEFAULT_DRIVER_WEIGHTS;
  const years = projectionYears(inputs);
  const params = inputs.parameters;
  const premium = params.baselinePayPremium.value;
  const rows: ProjectionRow[] = [];
  const geographies = orderedGeographies(inputs);

  for (const geo of geographies) {
    const roleInputs = inputs.geographies[geo]!.roles;
    const roles = ROLE_GROUPS.filter((r) => roleInputs[r]);
    const cells = roles.map((r) => roleInputs[r] as RoleInputs);
    const driver = years.map((year) => demandDriverIndex(inputs, geo, year, weights));

    // Demand = base posts (filled + vacant) × driver index × (1 − productivity) × (1 − prevention).
    const demand = roles.map((r, i) =>
      years.map(
        (year, y) =>
          (cells[i]!.filledPosts.value + cells[i]!.vacancies.value) *
          driver[y]! *
          Math.max(0, 1 - leverTotal(levers, 'productivity', geo, r, year)) *
          Math.max(0, 1 - leverTotal(levers, 'prevention', geo, r, year)),
      ),
    );
    // Moves between roles that both exist here, by their index in `roles`.
    const moves = inputs.progression
      .filter((m) => roleInputs[m.from] && roleInputs[m.to])
      .map((m) => ({ from: roles.indexOf(m.from), to: roles.indexOf(m.to), rate: m.rate.value, count: 0 }));

    const filled = cells.map((c) => c.filledPosts.value);
    const zero = { starters: 0, domesticStarters: 0, internationalStarters: 0, recruitmentNeed: 0, leavers: 0, retirements: 0, movesIn: 0, movesOut: 0 };
    roles.forEach((r, i) => rows.push(row(years[0]!, geo, r, { ...zero, demand: demand[i]![0]!, filled: filled[i]! })));

    for (let y = 1; y < years.length; y++) {
      const year = years[y]!;
      // 1. Exits during the year, on the stock at its start (F):
      //    sector leavers = F × turnover × sector-exit share, where turnover is the cell's own
      //    rate × the pay response (payTurnover ratio) × (1 − training lever);
      //    retirements = F × retirement rate.
      const leavers: number[] = [];
      const retirements: number[] = [];
      const remaining: number[] = [];
      const payAttraction: number[] = [];
      roles.forEach((r, i) => {
        const f = filled[i]!;
        const payRatio = payTurnover(premium + leverTotal(levers, 'pay_premium', geo, r, year), params) / payTurnover(premium, params);
        const training = leverTotal(levers, 'training', geo, r, year);
        const turnover = Math.min(1, Math.max(0, cells[i]!.turnoverRate.value * payRatio * (1 - training)));
        retirements[i] = f * cells[i]!.retirementRate.value;
        // Capped so a pay cut (turnover ratio above 1) never takes out more people than are in post.
        leavers[i] = Math.min(f * turnover * cells[i]!.sectorExitShare.value, f - retirements[i]);
        remaining[i] = Math.max(0, f - leavers[i] - retirements[i]);
        // Better pay also attracts: the relative retention gain × the attraction ratio.
        payAttraction[i] = Math.max(0, 1 + params.payAttractionRatio.value * (1 - payRatio));
      });

      // 2. Moves between roles: rate × F(from), scaled down so no role sends more people than
      //    it has left after exits, and none receives more than its open posts (demand − remaining).
      for (const m of moves) m.count = m.rate * filled[m.from]!;
      const scale = (end: 'from' | 'to', i: number, room: number) => {
        let total = 0;
        for (const m of moves) if (m[end] === i) total += m.count;
        if (total > room) for (const m of moves) if (m[end] === i) m.count *= room / total;
      };
      roles.forEach((_, i) => scale('from', i, remaining[i]!));
      roles.forEach((_, i) => scale('to', i, Math.max(0, demand[i]![y]! - remaining[i]!)));

      // 3. Recruitment into the posts still open (demand − stock after exits and moves):
      //    domestic recruits first, up to the labour pool × (1 + attraction) × pay attraction;
      //    then international recruits, up to their yearly number × (1 + international policy).
      //    So starters never exceed the open posts, and each source never exceeds its pool.
      // 4. Filled next = F − leavers − retirements + domestic + international + moves in − moves out.
      roles.forEach((r, i) => {
        let movesIn = 0;
        let movesOut = 0;
        for (const m of moves) {
          if (m.to === i) movesIn += m.count;
          if (m.from === i) movesOut += m.count;
        }
        const afterMoves = remaining[i]! + movesIn - movesOut;
        const need = demand[i]![y]!;
        const open = Math.max(0, need - afterMoves);
        const pool = cells[i]!.labourPool.value * Math.max(0, 1 + leverTotal(levers, 'attraction', geo, r, year)) * payAttraction[i]!;
        const domestic = Math.min(open, pool);
        const international = Math.min(
          open - domestic,
          cells[i]!.internationalRecruits.value * Math.max(0, 1 + leverTotal(levers, 'international', geo, r, year)),
        );
        filled[i] = afterMoves + domestic + international;
        rows.push(
          row(year, geo, r, {
            demand: need,
            filled: filled[i],
            starters: domestic + international,
            domesticStarters: domestic,
            internationalStarters: international,
            recruitmentNeed: open,
            leavers: leavers[i]!,
            retirements: retirements[i]!,
            movesIn,
            movesOut,
          }),
        );
      });
    }
  }
  return { scenario: scenario.name, baseYear: inputs.baseYear, years, rows: withTotals(rows, geographies, years) };
}

/**
 * Adds "all" roles for each geography, and England by role and in all when the inputs are
 * regional. Totals are sums of the cells, vacancies included (a surplus in one region does not
 * fill a vacancy in another); the vacancy rate is recomputed from the summed figures.
 */
function withTotals(cells: ProjectionRow[], geographies: string[], years: number[]): ProjectionRow[] {
  // Keyed by geography, role and year as one number; a Map keeps the order totals first appear.
  const roleCount = ROLE_GROUPS.length + 1;
  const roleIndex = (role: RoleGroup | 'all') => (role === 'all' ? ROLE_GROUPS.length : ROLE_GROUPS.indexOf(role));
  const totals = new Map<number, ProjectionRow>();
  const addTo = (geography: string, geoIndex: number, role: RoleGroup | 'all', c: ProjectionRow) => {
    const k = ((geoIndex * roleCount + roleIndex(role)) * years.length + c.year - years[0]!);
    let t = totals.get(k);
    if (!t) {
      t = row(c.year, geography, role, { demand: 0, filled: 0, starters: 0, domesticStarters: 0, internationalStarters: 0, recruitmentNeed: 0, leavers: 0, retirements: 0, movesIn: 0, movesOut: 0 });
      totals.set(k, t);
    }
    t.demand += c.demand;
    t.filled += c.filled;
    t.starters += c.starters;
    t.domesticStarters += c.domesticStarters;
    t.internationalStarters += c.internationalStarters;
    t.recruitmentNeed += c.recruitmentNeed;
    t.leavers += c.leavers;
    t.retirements += c.retirements;
    t.movesIn += c.movesIn;
    t.movesOut += c.movesOut;
    t.vacancies += c.vacancies;
    t.gap += c.gap;
  };
  const regional = !geographies.includes(ENGLAND.code);
  const england = GEOGRAPHY_CODES.indexOf(ENGLAND.code);
  let geography = '';
  let geoIndex = -1;
  for (const c of cells) {
    if (c.geography !== geography) {
      geography = c.geography;
      geoIndex = GEOGRAPHY_CODES.indexOf(geography);
    }
    addTo(geography, geoIndex, 'all', c);
    if (regional) {
      addTo(ENGLAND.code, england, c.role, c);
      addTo(ENGLAND.code, england, 'all', c);
    }
  }
  for (const t of totals.values()) t.vacancyRate = t.demand > 0 ? t.vacancies / t.demand : 0;
  return [...cells, ...totals.values()];
}

/** The row for a geography, role (or "all") and year; throws if the projection has none. */
export function rowFor(p: Projection, geography: string, role: RoleGroup | 'all', year: number): ProjectionRow {
  const found = p.rows.find((r) => r.geography === geography && r.role === role && r.year === year);
  if (!found) throw new Error(`No projection row for ${geography} ${role} ${year}`);
  return found;
}

/** The headline most comparisons use: England's gap, all roles, in a year (default 2040 or the last). */
export function headlineGap(p: Projection, year?: number): number {
  const y = year ?? (p.years.includes(2040) ? 2040 : p.years[p.years.length - 1]!);
  return rowFor(p, ENGLAND.code, 'all', y).gap;
}
