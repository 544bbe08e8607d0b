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

/** Sum of the ramped sizes of every lever of a kind acting on this cell in this year. */
export function leverTotal(levers: readonly Lever[], kind: LeverKind, geography: string, role: RoleGroup, year: number): number {
  let total = 0;
  for (const l of levers) {
    if (l.kind !== kind) continue;
    if (!(l.roles ?? DEFAULT_LEVER_ROLES[kind]).includes(role)) continue;
    if (l.geographies && !l.geographies.includes(geography) && !l.geographies.includes(ENGLAND.code)) continue;
    total += l.size * rampShare(l, year);
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
  return { year, geography, role, ...f, vacancies, vacancyRate: f.demand > 0 ? vacancies / f.demand : 0, gap };
}

export function project(inputs: ModelInputs, scenario: Scenario): Projection {
  const problems = validate(inputs, scenario);
  if (problems.length) throw new ModelInputError(problems);

  const levers = [...(scenario.baselinePolicy === false ? [] : BASELINE_POLICY_LEVERS), ...scenario.levers];
  const weights = scenario.driverWeights ?? DEFAULT_DRIVER_WEIGHTS;
  const years = projectionYears(inputs);
  const params = inputs.parameters;
  const rows: ProjectionRow[] = [];
  const geographies = Object.keys(inputs.geographies).sort(
    (a, b) => GEOGRAPHY_CODES.indexOf(a) - GEOGRAPHY_CODES.indexOf(b),
  );

  for (const geo of geographies) {
    const roleInputs = inputs.geographies[geo]!.roles;
    const roles = ROLE_GROUPS.filter((r) => roleInputs[r]);
    const ri = (r: RoleGroup) => roleInputs[r] as RoleInputs;

    // Demand = base posts (filled + vacant) × driver index × (1 − productivity) × (1 − prevention).
    const demand = (r: RoleGroup, year: number) =>
      (ri(r).filledPosts.value + ri(r).vacancies.value) *
      demandDriverIndex(inputs, geo, year, weights) *
      Math.max(0, 1 - leverTotal(levers, 'productivity', geo, r, year)) *
      Math.max(0, 1 - leverTotal(levers, 'prevention', geo, r, year));

    const filled = new Map<RoleGroup, number>(roles.map((r) => [r, ri(r).filledPosts.value]));
    const zero = { starters: 0, domesticStarters: 0, internationalStarters: 0, recruitmentNeed: 0, leavers: 0, retirements: 0, movesIn: 0, movesOut: 0 };
    for (const r of roles) rows.push(row(years[0]!, geo, r, { ...zero, demand: demand(r, years[0]!), filled: filled.get(r)! }));

    for (const year of years.slice(1)) {
      // 1. Exits during the year, on the stock at its start (F):
      //    sector leavers = F × turnover × sector-exit share, where turnover is the cell's own
      //    rate × the pay response (payTurnover ratio) × (1 − training lever);
      //    retirements = F × retirement rate.
      const exits = new Map<RoleGroup, { leavers: number; retirements: number; remaining: number }>();
      const payAttraction = new Map<RoleGroup, number>();
      for (const r of roles) {
        const f = filled.get(r)!;
        const premium = params.baselinePayPremium.value;
        const payRatio = payTurnover(premium + leverTotal(levers, 'pay_premium', geo, r, year), params) / payTurnover(premium, params);
        const training = leverTotal(levers, 'training', geo, r, year);
        const turnover = Math.min(1, Math.max(0, ri(r).turnoverRate.value * payRatio * (1 - training)));
        const retirements = f * ri(r).retirementRate.value;
        // Capped so a pay cut (turnover ratio above 1) never takes out more people than are in post.
        const leavers = Math.min(f * turnover * ri(r).sectorExitShare.value, f - retirements);
        exits.set(r, { leavers, retirements, remaining: Math.max(0, f - leavers - retirements) });
        // Better pay also attracts: the relative retention gain × the attraction ratio.
        payAttraction.set(r, Math.max(0, 1 + params.payAttractionRatio.value * (1 - payRatio)));
      }

      // 2. Moves between roles: rate × F(from), scaled down so no role sends more people than
      //    it has left after exits, and none receives more than its open posts (demand − remaining).
      const moves = inputs.progression
        .filter((m) => filled.has(m.from) && filled.has(m.to))
        .map((m) => ({ from: m.from, to: m.to, count: m.rate.value * filled.get(m.from)! }));
      for (const r of roles) {
        const out = moves.filter((m) => m.from === r);
        const total = out.reduce((s, m) => s + m.count, 0);
        const room = exits.get(r)!.remaining;
        if (total > room) for (const m of out) m.count *= room / total;
      }
      for (const r of roles) {
        const incoming = moves.filter((m) => m.to === r);
        const total = incoming.reduce((s, m) => s + m.count, 0);
        const room = Math.max(0, demand(r, year) - exits.get(r)!.remaining);
        if (total > room) for (const m of incoming) m.count *= room / total;
      }

      // 3. Recruitment into the posts still open (demand − stock after exits and moves):
      //    domestic recruits first, up to the labour pool × (1 + attraction) × pay attraction;
      //    then international recruits, up to their yearly number × (1 + international policy).
      //    So starters never exceed the open posts, and each source never exceeds its pool.
      // 4. Filled next = F − leavers − retirements + domestic + international + moves in − moves out.
      for (const r of roles) {
        const e = exits.get(r)!;
        const movesIn = moves.filter((m) => m.to === r).reduce((s, m) => s + m.count, 0);
        const movesOut = moves.filter((m) => m.from === r).reduce((s, m) => s + m.count, 0);
        const afterMoves = e.remaining + movesIn - movesOut;
        const need = demand(r, year);
        const open = Math.max(0, need - afterMoves);
        const pool = ri(r).labourPool.value * Math.max(0, 1 + leverTotal(levers, 'attraction', geo, r, year)) * payAttraction.get(r)!;
        const domestic = Math.min(open, pool);
        const international = Math.min(
          open - domestic,
          ri(r).internationalRecruits.value * Math.max(0, 1 + leverTotal(levers, 'international', geo, r, year)),
        );
        const next = afterMoves + domestic + international;
        filled.set(r, next);
        rows.push(
          row(year, geo, r, {
            demand: need,
            filled: next,
            starters: domestic + international,
            domesticStarters: domestic,
            internationalStarters: international,
            recruitmentNeed: open,
            leavers: e.leavers,
            retirements: e.retirements,
            movesIn,
            movesOut,
          }),
        );
      }
    }
  }
  return { scenario: scenario.name, baseYear: inputs.baseYear, years, rows: withTotals(rows, geographies) };
}

const SUMMED = ['demand', 'filled', 'starters', 'domesticStarters', 'internationalStarters', 'recruitmentNeed', 'leavers', 'retirements', 'movesIn', 'movesOut'] as const;

/**
 * Adds "all" roles for each geography, and England by role and in all when the inputs are
 * regional. Totals are sums of the cells, vacancies included (a surplus in one region does not
 * fill a vacancy in another); the vacancy rate is recomputed from the summed figures.
 */
function withTotals(cells: ProjectionRow[], geographies: string[]): ProjectionRow[] {
  const totals = new Map<string, ProjectionRow>();
  const addTo = (key: [string, RoleGroup | 'all'], c: ProjectionRow) => {
    const k = `${key[0]}|${key[1]}|${c.year}`;
    const t = totals.get(k) ?? { ...c, geography: key[0], role: key[1], ...Object.fromEntries([...SUMMED, 'vacancies', 'gap'].map((f) => [f, 0])) };
    for (const f of SUMMED) t[f] += c[f];
    t.vacancies += c.vacancies;
    t.gap += c.gap;
    t.vacancyRate = t.demand > 0 ? t.vacancies / t.demand : 0;
    totals.set(k, t);
  };
  const regional = !geographies.includes(ENGLAND.code);
  for (const c of cells) {
    addTo([c.geography, 'all'], c);
    if (regional) {
      addTo([ENGLAND.code, c.role], c);
      addTo([ENGLAND.code, 'all'], c);
    }
  }
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
