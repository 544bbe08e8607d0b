// The Monte Carlo kernel: inputs, scenario and uncertain inputs compiled once into flat typed
// arrays, then one projection per vector of multipliers in a tight loop that keeps only what
// Monte Carlo reports (England, all roles, the HEADLINE_MEASURES per year). It is an
// optimisation of project() + applyMultipliers(), which stay the readable specification: the
// same arithmetic in the same order, so the same numbers to the last digit (kernel.test.ts).
// A CompiledModel is plain data (numbers and typed arrays), so it can be posted to a worker.
import { demandDriverIndex, leverActsOn, orderedGeographies, payTurnover, rampShare, scenarioLevers } from './project.ts';
import { DEFAULT_DRIVER_WEIGHTS, ModelInputError, validate } from './validate.ts';
import { HEADLINE_MEASURES, LEVER_KINDS, RATE_FIELDS, ROLE_GROUPS } from './types.ts';
import type { Lever, LeverKind, ModelInputs, ModelParameters, RoleInputs, Scenario } from './types.ts';
import type { UncertainInput } from './uncertainty.ts';

/** The role inputs an uncertain input can scale, in the order the kernel stores them per cell. */
const SCALED_FIELDS = ['turnoverRate', 'sectorExitShare', 'retirementRate', 'labourPool', 'internationalRecruits'] as const;
const FIELDS = SCALED_FIELDS.length;
const TURNOVER = SCALED_FIELDS.indexOf('turnoverRate');
const EXIT_SHARE = SCALED_FIELDS.indexOf('sectorExitShare');
const RETIREMENT = SCALED_FIELDS.indexOf('retirementRate');
const LABOUR_POOL = SCALED_FIELDS.indexOf('labourPool');
const INTERNATIONAL_RECRUITS = SCALED_FIELDS.indexOf('internationalRecruits');
/** Whether each field is a rate, capped at 1 when scaled. */
const CAPPED = Uint8Array.from(SCALED_FIELDS, (f) => ((RATE_FIELDS as readonly string[]).includes(f) ? 1 : 0));

/** Per cell and year factors derived from the lever totals (see leverFactors). */
const PAY_RATIO = 0;
const PAY_ATTRACTION = 1;
const ATTRACTION = 2;
const INTERNATIONAL = 3;
const TRAINING = 4;
const PRODUCTIVITY = 5;
const PREVENTION = 6;
const FACTORS = 7;
const KIND: Record<LeverKind, number> = Object.fromEntries(LEVER_KINDS.map((k, i) => [k, i])) as Record<LeverKind, number>;

/** Where each headline measure sits in a run's results: (year × MEASURES + measure). */
export const MEASURES = HEADLINE_MEASURES.length;
const DEMAND = HEADLINE_MEASURES.indexOf('demand');
const FILLED = HEADLINE_MEASURES.indexOf('filled');
const GAP = HEADLINE_MEASURES.indexOf('gap');
const VACANCY_RATE = HEADLINE_MEASURES.indexOf('vacancyRate');
const STARTERS = HEADLINE_MEASURES.indexOf('starters');
const LEAVERS = HEADLINE_MEASURES.indexOf('leavers');

export interface CompiledModel {
  baseYear: number;
  /** Years per run: the base year and every projected year. */
  years: number;
  geographies: number;
  /** Cells are geography × role group, geography by geography in GEOGRAPHY_CODES order, roles in ROLE_GROUPS order. */
  cells: number;
  /** Multipliers per run (one per uncertain input). */
  uncertain: number;
  parameters: ModelParameters;
  /** First cell of each geography, and the end (geographies + 1). */
  geoCellStart: Int32Array;
  filledPosts: Float64Array;
  /** Filled + vacant posts at the base year: demand before the driver and levers. */
  basePosts: Float64Array;
  /** cell × SCALED_FIELDS. */
  fields: Float64Array;
  /** Driver index by geography × year, from the inputs as given. */
  driver: Float64Array;
  bandWeights: Float64Array;
  /** geography × band × year, and geography × band at the base year (for demand_growth). */
  population: Float64Array;
  populationBase: Float64Array;
  /** cell × year × FACTORS, from the levers as given. */
  factors: Float64Array;
  /** The scenario's levers (baseline policy first): size, kind, and whether lever_effect scales it. */
  leverSize: Float64Array;
  leverKind: Int32Array;
  leverScalable: Uint8Array;
  /** Levers acting on each kind × cell × year with a ramp share above 0: terms termStart[i]…termStart[i+1]. */
  termStart: Int32Array;
  termLever: Int32Array;
  termRamp: Float64Array;
  /** Moves between roles, by cell; those of geography g are geoMoveStart[g]…geoMoveStart[g+1]. */
  geoMoveStart: Int32Array;
  moveFrom: Int32Array;
  moveTo: Int32Array;
  moveRate: Float64Array;
  /** role_rate inputs in declaration order: input, field, and cells cellStart[i]…cellStart[i+1] (repeats kept). */
  rateInput: Int32Array;
  rateField: Int32Array;
  rateCellStart: Int32Array;
  rateCells: Int32Array;
  /** demand_growth inputs in declaration order. */
  growthInput: Int32Array;
  /** lever_effect inputs in declaration order, and the lever kind each scales. */
  effectInput: Int32Array;
  effectKind: Int32Array;
}

/** Numbers one run writes: years × MEASURES. */
export function resultSize(model: CompiledModel): number {
  return model.years * MEASURES;
}

/**
 * Compiles the inputs, scenario and uncertain inputs for runModel(). Refuses invalid inputs as
 * project() does; the uncertain inputs are checked by the caller (monteCarloProblems).
 */
export function compileModel(inputs: ModelInputs, scenario: Scenario, uncertain: readonly UncertainInput[]): CompiledModel {
  const problems = validate(inputs, scenario);
  if (problems.length) throw new ModelInputError(problems);

  const years = inputs.horizon + 1;
  const geographies = orderedGeographies(inputs);
  const driverWeights = scenario.driverWeights ?? DEFAULT_DRIVER_WEIGHTS;
  const weights = Object.entries(driverWeights);
  const bands = weights.length;
  const cellList: { geo: number; code: string; role: (typeof ROLE_GROUPS)[number]; inputs: RoleInputs }[] = [];
  const geoCellStart = new Int32Array(geographies.length + 1);
  const driver = new Float64Array(geographies.length * years);
  const population = new Float64Array(geographies.length * bands * years);
  const populationBase = new Float64Array(geographies.length * bands);
  const moves: { from: number; to: number; rate: number }[] = [];
  const geoMoveStart = new Int32Array(geographies.length + 1);

  geographies.forEach((code, g) => {
    const geo = inputs.geographies[code]!;
    geoCellStart[g] = cellList.length;
    const first = cellList.length;
    for (const role of ROLE_GROUPS) {
      const cell = geo.roles[role];
      if (cell) cellList.push({ geo: g, code, role, inputs: cell });
    }
    for (let y = 0; y < years; y++) driver[g * years + y] = demandDriverIndex(inputs, code, inputs.baseYear + y, driverWeights);
    weights.forEach(([band], b) => {
      const series = geo.population[band]!.value;
      populationBase[g * bands + b] = series[String(inputs.baseYear)]!;
      for (let y = 0; y < years; y++) population[(g * bands + b) * years + y] = series[String(inputs.baseYear + y)]!;
    });
    geoMoveStart[g] = moves.length;
    const roles = cellList.slice(first).map((c) => c.role);
    for (const m of inputs.progression) {
      if (geo.roles[m.from] && geo.roles[m.to]) moves.push({ from: first + roles.indexOf(m.from), to: first + roles.indexOf(m.to), rate: m.rate.value });
    }
  });
  geoCellStart[geographies.length] = cellList.length;
  geoMoveStart[geographies.length] = moves.length;
  const cells = cellList.length;

  const fields = new Float64Array(cells * FIELDS);
  cellList.forEach((c, i) => SCALED_FIELDS.forEach((f, k) => (fields[i * FIELDS + k] = c.inputs[f].value)));

  // Lever terms: for each kind, cell and year, the levers acting there (leverTotal's rules),
  // in scenario order. A term with a ramp share of 0 adds nothing to the sum, so it is left out.
  const levers: Lever[] = scenarioLevers(scenario);
  const baseline = levers.length - scenario.levers.length;
  const termStart = new Int32Array(LEVER_KINDS.length * cells * years + 1);
  const termLever: number[] = [];
  const termRamp: number[] = [];
  for (let k = 0; k < LEVER_KINDS.length; k++) {
    for (let c = 0; c < cells; c++) {
      const { code, role } = cellList[c]!;
      const acting = levers
        .map((l, i) => ({ l, i }))
        .filter(({ l }) => l.kind === LEVER_KINDS[k] && leverActsOn(l, code, role));
      for (let y = 0; y < years; y++) {
        termStart[(k * cells + c) * years + y] = termLever.length;
        for (const { l, i } of acting) {
          const share = rampShare(l, inputs.baseYear + y);
          if (share === 0) continue;
          termLever.push(i);
          termRamp.push(share);
        }
      }
    }
  }
  termStart[LEVER_KINDS.length * cells * years] = termLever.length;

  const rateInput: number[] = [];
  const rateField: number[] = [];
  const rateCellStart: number[] = [0];
  const rateCells: number[] = [];
  const growthInput: number[] = [];
  const effectInput: number[] = [];
  const effectKind: number[] = [];
  uncertain.forEach((u, i) => {
    const t = u.target;
    if (t.kind === 'demand_growth') growthInput.push(i);
    else if (t.kind === 'lever_effect') {
      effectInput.push(i);
      effectKind.push(KIND[t.lever]);
    } else {
      rateInput.push(i);
      rateField.push(SCALED_FIELDS.indexOf(t.field));
      // As applyMultipliers: each geography, then each role named (a role named twice is scaled twice).
      for (let g = 0; g < geographies.length; g++) {
        for (const role of t.roles ?? ROLE_GROUPS) {
          const c = cellList.findIndex((cell) => cell.geo === g && cell.role === role);
          if (c >= 0) rateCells.push(c);
        }
      }
      rateCellStart.push(rateCells.length);
    }
  });

  const model: CompiledModel = {
    baseYear: inputs.baseYear,
    years,
    geographies: geographies.length,
    cells,
    uncertain: uncertain.length,
    parameters: inputs.parameters,
    geoCellStart,
    filledPosts: Float64Array.from(cellList, (c) => c.inputs.filledPosts.value),
    basePosts: Float64Array.from(cellList, (c) => c.inputs.filledPosts.value + c.inputs.vacancies.value),
    fields,
    driver,
    bandWeights: Float64Array.from(weights, ([, w]) => w),
    population,
    populationBase,
    factors: new Float64Array(FACTORS * cells * years),
    leverSize: Float64Array.from(levers, (l) => l.size),
    leverKind: Int32Array.from(levers, (l) => KIND[l.kind]),
    leverScalable: Uint8Array.from(levers, (_, i) => (i >= baseline ? 1 : 0)),
    termStart,
    termLever: Int32Array.from(termLever),
    termRamp: Float64Array.from(termRamp),
    geoMoveStart,
    moveFrom: Int32Array.from(moves, (m) => m.from),
    moveTo: Int32Array.from(moves, (m) => m.to),
    moveRate: Float64Array.from(moves, (m) => m.rate),
    rateInput: Int32Array.from(rateInput),
    rateField: Int32Array.from(rateField),
    rateCellStart: Int32Array.from(rateCellStart),
    rateCells: Int32Array.from(rateCells),
    growthInput: Int32Array.from(growthInput),
    effectInput: Int32Array.from(effectInput),
    effectKind: Int32Array.from(effectKind),
  };
  for (let k = 0; k < LEVER_KINDS.length; k++) leverFactors(model, k, model.leverSize, model.factors);
  return model;
}

/** Writes the factors of one lever kind for every cell and year, from the lever sizes given. */
function leverFactors(model: CompiledModel, kind: number, sizes: Float64Array, factors: Float64Array): void {
  const { cells, years, termStart, termLever, termRamp, parameters } = model;
  const premium = parameters.baselinePayPremium.value;
  const payToday = payTurnover(premium, parameters);
  const ratio = parameters.payAttractionRatio.value;
  const at = (factor: number, cy: number) => cy * FACTORS + factor;
  for (let cy = 0; cy < cells * years; cy++) {
    const t0 = termStart[kind * cells * years + cy]!;
    const t1 = termStart[kind * cells * years + cy + 1]!;
    let total = 0;
    for (let t = t0; t < t1; t++) total += sizes[termLever[t]!]! * termRamp[t]!;
    switch (LEVER_KINDS[kind]) {
      case 'pay_premium': {
        const payRatio = payTurnover(premium + total, parameters) / payToday;
        factors[at(PAY_RATIO, cy)] = payRatio;
        factors[at(PAY_ATTRACTION, cy)] = Math.max(0, 1 + ratio * (1 - payRatio));
        break;
      }
      case 'attraction':
        factors[at(ATTRACTION, cy)] = Math.max(0, 1 + total);
        break;
      case 'international':
        factors[at(INTERNATIONAL, cy)] = Math.max(0, 1 + total);
        break;
      case 'training':
        factors[at(TRAINING, cy)] = 1 - total;
        break;
      case 'productivity':
        factors[at(PRODUCTIVITY, cy)] = Math.max(0, 1 - total);
        break;
      case 'prevention':
        factors[at(PREVENTION, cy)] = Math.max(0, 1 - total);
        break;
    }
  }
}

/** Working arrays for one thread's runs, allocated once (runModel). */
interface Scratch {
  /** cell × SCALED_FIELDS, geography × year and factors after this run's multipliers. */
  fields: Float64Array;
  driver: Float64Array;
  factors: Float64Array;
  sizes: Float64Array;
  affected: number[];
  filled: Float64Array;
  demand: Float64Array;
  remaining: Float64Array;
  leavers: Float64Array;
  count: Float64Array;
  movesIn: Float64Array;
  movesOut: Float64Array;
  vacancies: Float64Array;
}

/**
 * Runs `runs` projections, run r with multipliers draws[r × uncertain …], writing run r's
 * England all-roles headline figures to out[r × resultSize …] (year by year, HEADLINE_MEASURES
 * in order). `onProgress(done)` every `every` runs and after the last.
 */
export function runModel(
  model: CompiledModel,
  draws: Float64Array,
  runs: number,
  out: Float64Array,
  onProgress?: (done: number) => void,
  every = 500,
): void {
  const { cells, years, uncertain } = model;
  if (draws.length < runs * uncertain) throw new RangeError(`runModel: ${runs} runs need ${runs * uncertain} multipliers, got ${draws.length}`);
  if (out.length < runs * years * MEASURES) throw new RangeError(`runModel: ${runs} runs need ${runs * years * MEASURES} results, got ${out.length}`);
  const scratch: Scratch = {
    fields: new Float64Array(model.fields.length),
    driver: model.growthInput.length ? new Float64Array(model.driver.length) : model.driver,
    factors: model.effectInput.length ? Float64Array.from(model.factors) : model.factors,
    sizes: new Float64Array(model.leverSize.length),
    affected: [...new Set(model.effectKind)],
    filled: new Float64Array(cells),
    demand: new Float64Array(cells),
    remaining: new Float64Array(cells),
    leavers: new Float64Array(cells),
    count: new Float64Array(model.moveRate.length),
    movesIn: new Float64Array(cells),
    movesOut: new Float64Array(cells),
    vacancies: new Float64Array(years),
  };
  // One call per run (not one long loop) so the engine optimises each function early.
  for (let run = 0; run < runs; run++) {
    applyDraw(model, scratch, draws, run * uncertain);
    projectRun(model, scratch, out, run * years * MEASURES);
    if (onProgress && ((run + 1) % every === 0 || run + 1 === runs)) onProgress(run + 1);
  }
}

/** This run's multipliers (from draws[m]) applied to the fields, the driver and the lever factors. */
function applyDraw(model: CompiledModel, scratch: Scratch, draws: Float64Array, m: number): void {
  const { years, geographies, rateInput, rateField, rateCellStart, rateCells, growthInput, effectInput, effectKind, leverKind, leverScalable } = model;
  const { fields, driver, factors, sizes } = scratch;
  const bands = model.bandWeights.length;
  // Role rates and counts, scaled in declaration order (rates capped at 1), as applyMultipliers.
  fields.set(model.fields);
  for (let i = 0; i < rateInput.length; i++) {
    const multiplier = draws[m + rateInput[i]!]!;
    const field = rateField[i]!;
    for (let j = rateCellStart[i]!; j < rateCellStart[i + 1]!; j++) {
      const at = rateCells[j]! * FIELDS + field;
      const v = fields[at]! * multiplier;
      fields[at] = CAPPED[field] ? Math.min(1, v) : v;
    }
  }
  // Demand growth: every population value moved towards (or beyond) its base-year value.
  if (growthInput.length) {
    for (let g = 0; g < geographies; g++) {
      for (let y = 0; y < years; y++) {
        let now = 0;
        let base = 0;
        for (let b = 0; b < bands; b++) {
          let value = model.population[(g * bands + b) * years + y]!;
          let baseValue = model.populationBase[g * bands + b]!;
          for (let i = 0; i < growthInput.length; i++) {
            const multiplier = draws[m + growthInput[i]!]!;
            const from = baseValue;
            value = from + multiplier * (value - from);
            baseValue = from + multiplier * (baseValue - from);
          }
          const w = model.bandWeights[b]!;
          now += w * value;
          base += w * baseValue;
        }
        driver[g * years + y] = now / base;
      }
    }
  }
  // Lever effects: the scenario's levers of a kind scaled, then that kind's factors again.
  if (effectInput.length) {
    sizes.set(model.leverSize);
    for (let i = 0; i < effectInput.length; i++) {
      const multiplier = draws[m + effectInput[i]!]!;
      for (let l = 0; l < sizes.length; l++) if (leverKind[l] === effectKind[i] && leverScalable[l]) sizes[l] = sizes[l]! * multiplier;
    }
    for (const kind of scratch.affected) leverFactors(model, kind, sizes, factors);
  }
}

/** One projection with the scratch's fields, driver and factors: England's totals to out[o …]. */
function projectRun(model: CompiledModel, scratch: Scratch, out: Float64Array, o: number): void {
  const { years, geographies, geoCellStart, geoMoveStart, moveFrom, moveTo, moveRate, basePosts, filledPosts } = model;
  const { fields, driver, factors, filled, demand, remaining, leavers, count, movesIn, movesOut, vacancies } = scratch;
  out.fill(0, o, o + years * MEASURES);
  vacancies.fill(0);
  for (let g = 0; g < geographies; g++) {
    const c0 = geoCellStart[g]!;
    const c1 = geoCellStart[g + 1]!;
    const k0 = geoMoveStart[g]!;
    const k1 = geoMoveStart[g + 1]!;
    for (let c = c0; c < c1; c++) {
      const d = basePosts[c]! * driver[g * years]! * factors[c * years * FACTORS + PRODUCTIVITY]! * factors[c * years * FACTORS + PREVENTION]!;
      const f = filledPosts[c]!;
      filled[c] = f;
      const gap = d - f;
      out[o + DEMAND]! += d;
      out[o + FILLED]! += f;
      out[o + GAP]! += gap;
      vacancies[0]! += Math.max(0, gap);
    }
    for (let y = 1; y < years; y++) {
      const drv = driver[g * years + y]!;
      // 1. Exits on the stock at the start of the year.
      for (let c = c0; c < c1; c++) {
        const at = (c * years + y) * FACTORS;
        const f = filled[c]!;
        demand[c] = basePosts[c]! * drv * factors[at + PRODUCTIVITY]! * factors[at + PREVENTION]!;
        const turnover = Math.min(1, Math.max(0, fields[c * FIELDS + TURNOVER]! * factors[at + PAY_RATIO]! * factors[at + TRAINING]!));
        const retirements = f * fields[c * FIELDS + RETIREMENT]!;
        const l = Math.min(f * turnover * fields[c * FIELDS + EXIT_SHARE]!, f - retirements);
        leavers[c] = l;
        remaining[c] = Math.max(0, f - l - retirements);
      }
      // 2. Moves, capped by what the source has left, then by the destination's open posts
      //    (each total summed in progression order, as project() does).
      for (let c = c0; c < c1; c++) {
        movesOut[c] = 0;
        movesIn[c] = 0;
      }
      for (let k = k0; k < k1; k++) {
        count[k] = moveRate[k]! * filled[moveFrom[k]!]!;
        movesOut[moveFrom[k]!]! += count[k]!;
      }
      for (let k = k0; k < k1; k++) {
        const from = moveFrom[k]!;
        const total = movesOut[from]!;
        const room = remaining[from]!;
        if (total > room) count[k] = count[k]! * (room / total);
        movesIn[moveTo[k]!]! += count[k]!;
      }
      for (let k = k0; k < k1; k++) {
        const to = moveTo[k]!;
        const total = movesIn[to]!;
        const room = Math.max(0, demand[to]! - remaining[to]!);
        if (total > room) count[k] = count[k]! * (room / total);
      }
      for (let c = c0; c < c1; c++) {
        movesOut[c] = 0;
        movesIn[c] = 0;
      }
      for (let k = k0; k < k1; k++) {
        movesOut[moveFrom[k]!]! += count[k]!;
        movesIn[moveTo[k]!]! += count[k]!;
      }
      // 3. Recruitment into the posts still open; 4. the stock at the end of the year.
      const r = o + y * MEASURES;
      for (let c = c0; c < c1; c++) {
        const at = (c * years + y) * FACTORS;
        const afterMoves = remaining[c]! + movesIn[c]! - movesOut[c]!;
        const need = demand[c]!;
        const open = Math.max(0, need - afterMoves);
        const pool = fields[c * FIELDS + LABOUR_POOL]! * factors[at + ATTRACTION]! * factors[at + PAY_ATTRACTION]!;
        const domestic = Math.min(open, pool);
        const international = Math.min(open - domestic, fields[c * FIELDS + INTERNATIONAL_RECRUITS]! * factors[at + INTERNATIONAL]!);
        const next = afterMoves + domestic + international;
        filled[c] = next;
        const gap = need - next;
        out[r + DEMAND]! += need;
        out[r + FILLED]! += next;
        out[r + GAP]! += gap;
        vacancies[y]! += Math.max(0, gap);
        out[r + STARTERS]! += domestic + international;
        out[r + LEAVERS]! += leavers[c]!;
      }
    }
  }
  for (let y = 0; y < years; y++) {
    const d = out[o + y * MEASURES + DEMAND]!;
    out[o + y * MEASURES + VACANCY_RATE] = d > 0 ? vacancies[y]! / d : 0;
  }
}
