// The workforce feature's rules around the pure engine: datasets in and out (all or nothing),
// scenarios, the levers items declare, and runs: built from stored datasets, projected as a
// baseline and delivery-adjusted (items weighted by status), with Monte Carlo bands, each item's
// worth and a sensitivity ranking; stored by hash so a run can be found and replayed exactly.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Revision, RevisionMemo } from '../../platform/cache.ts';
import { deliveryAdjustedScenario, deliveryWeight, itemWorth } from '../../model/delivery.ts';
import { canonicalJson, runHash } from '../../model/hash.ts';
import { BASELINE_POLICY_LEVERS, DEFAULT_PARAMETERS, headlineGap, project, type ProjectionRow } from '../../model/project.ts';
import { ENGINE_VERSION, ENGLAND, ROLE_GROUPS, type ItemStatus, type Lever, type ModelInputs, type RoleGroup, type RoleInputs, type Scenario, type Sourced } from '../../model/types.ts';
import { monteCarlo, sensitivity, type Band, type MonteCarloResult, type Sensitivity, type UncertainInput } from '../../model/uncertainty.ts';
import { validate } from '../../model/validate.ts';
import { itemProblems } from '../../model/delivery.ts';
import { recordAudit, systemActor, type Actor } from '../../platform/audit/audit.ts';
import type { Database, Executor } from '../../platform/db/client.ts';
import { ConflictError, NotFoundError } from '../../platform/http/errors.ts';
import { InputError } from '../../platform/http/validation.ts';
import { parseCsv, type Table } from '../../platform/files/spreadsheet.ts';
import { datasetsDir } from '../../platform/paths.ts';
import type { StrategyService } from '../strategy/service.ts';
import { parsePopulation, parseWorkforce, type DatasetProblem, type PopulationRow, type WorkforceRow } from './datasets.ts';
import { DEFAULT_RUNS, DEFAULT_SEED, modelProblems, parseOrThrow, projectionRequestSchema, scenarioParamsSchema, scenarioRecordSchema, leverSchema, type ProjectionRequest } from './forms.ts';
import { buildInputs, DEFAULT_UNCERTAIN, InputsError, modelScenario, yearRange, type DatasetMeta } from './inputs.ts';
import { WorkforceRepository, type DatasetRecord, type ItemLeverRecord, type ScenarioRecord } from './repository.ts';
import type { DatasetKind, ScenarioParams } from './schema.ts';

/** Runs Monte Carlo: in-process by default; the app passes a worker pool. */
export type MonteCarloRunner = (
  inputs: ModelInputs,
  scenario: Scenario,
  uncertain: readonly UncertainInput[],
  options: { seed: number; runs: number; onProgress?: (done: number, total: number) => void },
) => Promise<MonteCarloResult>;

export const inProcessMonteCarlo: MonteCarloRunner = async (inputs, scenario, uncertain, options) => {
  const result = monteCarlo(inputs, scenario, uncertain, { seed: options.seed, runs: options.runs });
  options.onProgress?.(options.runs, options.runs);
  return result;
};

export const DEFAULT_SCENARIO = 'current-policy';
export const PUBLISHED_SCENARIO = 'published-method';
/** The projection published with the strategy (Skills for Care, 2024): DOMAIN.md §3. */
export const PUBLISHED = { basePosts: 1_840_000, extraPosts: 540_000, growth: 0.29, baseYear: 2023, to: 2040, source: 'Skills for Care, Adult Social Care Workforce Strategy (2024): about 540,000 more posts by 2040 if posts grow with the population aged 65 and over (+29% on 1.84m)' } as const;

export interface Methodology {
  datasets: { population: DatasetMeta; workforce: DatasetMeta };
  parameters: { name: string; value: number; source: string; vintage: string }[];
  baselinePolicy: Lever[];
  /** England at the base year by role group (rates weighted by filled posts), with each input's source. */
  byRole: {
    role: RoleGroup;
    filledPosts: number;
    vacancies: number;
    turnoverRate: number;
    sectorExitShare: number;
    retirementRate: number;
    labourPool: number;
    internationalRecruits: number;
    sources: Record<keyof RoleInputs, string>;
  }[];
  progression: { from: RoleGroup; to: RoleGroup; rate: number; source: string }[];
  uncertain: { name: string; distribution: UncertainInput['distribution']; source: string }[];
  items: ItemWithLevers[];
  /** The published method reproduced on the current data (absent if the scenario was deleted). */
  publishedMethod?: {
    baseYear: number;
    to: number;
    basePosts: number;
    postsNeeded: number;
    extraPosts: number;
    growth: number;
    population65Growth: number;
    published: typeof PUBLISHED;
  };
  engineVersion: string;
}

export type DatasetImport =
  | { ok: true; dataset: DatasetRecord; rows: number; skipped: number }
  | { ok: false; problems: DatasetProblem[] };

export interface DatasetFileMeta {
  name: string;
  source: string;
  vintage: string;
  licence: string;
  fileName: string;
  sha256: string;
}

export interface ItemWithLevers {
  id: number;
  code: string;
  title: string;
  status: ItemStatus | null;
  levers: Lever[];
}

export interface ItemWorthRow {
  code: string;
  title: string;
  status: ItemStatus | null;
  /** Share of its levers that counts at its status. */
  weight: number;
  levers: Lever[];
  /** England's 2040 (or last-year) gap with every item, minus without this one: negative closes the gap. */
  change: number;
}

/** What levers delivered in full change in the default scenario (see `worthOfLevers`). */
export interface LeversWorth {
  scenario: string;
  to: number;
  levers: Lever[];
  /** England's gap (posts needed minus filled) in `to` without the levers… */
  without: number;
  /** …and with them… */
  with: number;
  /** …and the difference: negative closes the gap. */
  change: number;
}

export interface RunResult {
  id: number | null;
  hash: string;
  engineVersion: string;
  stored: boolean;
  scenario: { slug: string | null; name: string; description: string; params: ScenarioParams };
  datasets: { population: DatasetMeta; workforce: DatasetMeta };
  baseYear: number;
  to: number;
  years: number[];
  seed: number;
  runs: number;
  /** Without the items' levers. */
  baseline: { rows: ProjectionRow[]; bands: Band[] | null };
  /** With each item's levers weighted by its delivery status. */
  deliveryAdjusted: { rows: ProjectionRow[]; bands: Band[] | null };
  items: ItemWorthRow[];
  sensitivity: Sensitivity[];
  uncertain: { name: string; distribution: UncertainInput['distribution']; source: string }[];
}

/** What a stored run keeps to be replayed: the datasets by id, never their copied values. */
export interface RunDefinitionRecord {
  datasets: { population: number; workforce: number };
  scenario: { slug: string | null; name: string; description: string; params: ScenarioParams };
  items: { code: string; title: string; status: ItemStatus | null; levers: Lever[] }[];
  uncertain: UncertainInput[];
  seed: number;
  runs: number;
}

/** The rows a run keeps: every geography in all roles, and England by role. */
function keptRows(rows: readonly ProjectionRow[]): ProjectionRow[] {
  return rows.filter((r) => r.role === 'all' || r.geography === ENGLAND.code);
}

const meta = (d: DatasetRecord): DatasetMeta => ({ id: d.id, name: d.name, source: d.source, vintage: d.vintage, firstYear: d.firstYear, lastYear: d.lastYear });

export class WorkforceService {
  /**
   * Which datasets are current, kept per `revision()`; and their rows and the inputs built from
   * them, kept for good (stored datasets never change: revision 0), so only a failed read is
   * tried again. Pages asking at once (the first requests after a start) share each read.
   */
  private readonly memo = new RevisionMemo();
  /** Recent results by hash (stored or not), so repeated views cost nothing. */
  private readonly resultCache = new Map<string, RunResult>();
  private readonly monteCarlo: MonteCarloRunner;
  /** A key summarising datasets, scenarios and levers: see revision(). */
  private readonly state: Revision<string>;

  constructor(
    private readonly database: Database,
    private readonly strategy: StrategyService,
    options: { monteCarlo?: MonteCarloRunner } = {},
  ) {
    this.monteCarlo = options.monteCarlo ?? inProcessMonteCarlo;
    this.state = new Revision(() => this.repo().stateKey(), 1000);
  }

  private repo(exec = this.database.db) {
    return new WorkforceRepository(exec);
  }

  /**
   * Changes whenever datasets, scenarios or items' levers change, so pages that cache what the
   * model says (an item's worth) can fold it into their cache key. Writes here forget it at
   * once; another instance's writes are seen within a second.
   */
  revision(): Promise<string> {
    return this.state.current();
  }

  private changed(): void {
    this.state.forget();
  }

  // ── Datasets ────────────────────────────────────────────────────────────────────────────

  /** Checks a population or workforce file and stores it as the newest of its kind, all or nothing. */
  async importDataset(kind: DatasetKind, table: Table, file: DatasetFileMeta, actor: Actor, userId: number | null = null): Promise<DatasetImport> {
    const parsed = kind === 'population' ? parsePopulation(table) : parseWorkforce(table);
    if (!parsed.ok) return parsed;
    if (!file.name.trim() || !file.source.trim() || !file.vintage.trim()) {
      return { ok: false, problems: [{ row: null, column: null, message: 'Give the dataset a name, a source and a vintage' }] };
    }
    const dataset = await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      await repo.lockForWriting();
      const record = await repo.insertDataset({
        kind,
        name: file.name.trim(),
        source: file.source.trim(),
        vintage: file.vintage.trim(),
        licence: file.licence.trim(),
        fileName: file.fileName,
        sha256: file.sha256,
        rowCount: parsed.rows.length,
        firstYear: parsed.firstYear,
        lastYear: parsed.lastYear,
        importedBy: userId,
      });
      if (kind === 'population') await repo.insertPopulation(record.id, parsed.rows as PopulationRow[]);
      else await repo.insertWorkforce(record.id, parsed.rows as WorkforceRow[]);
      await recordAudit(tx, actor, {
        action: 'workforce.dataset.import',
        objectType: 'workforce_dataset',
        objectId: record.id,
        after: { kind, name: record.name, vintage: record.vintage, fileName: record.fileName, sha256: record.sha256, rows: record.rowCount, years: [record.firstYear, record.lastYear] },
      });
      return record;
    });
    this.changed();
    return { ok: true, dataset, rows: parsed.rows.length, skipped: parsed.skipped };
  }

  async datasets(): Promise<DatasetRecord[]> {
    return this.repo().datasets();
  }

  /** The datasets the model reads now: the newest of each kind. */
  async currentDatasets(): Promise<{ population: DatasetMeta; workforce: DatasetMeta } | undefined> {
    return this.memo.get('current datasets', await this.revision(), async () => {
      const repo = this.repo();
      const [population, workforce] = await Promise.all([repo.latestDataset('population'), repo.latestDataset('workforce')]);
      return population && workforce ? { population: meta(population), workforce: meta(workforce) } : undefined;
    });
  }

  private async rows<T extends PopulationRow[] | WorkforceRow[]>(kind: DatasetKind, id: number): Promise<T> {
    return (await this.memo.get<PopulationRow[] | WorkforceRow[]>(`rows ${id}`, 0, () => (kind === 'population' ? this.repo().population(id) : this.repo().workforce(id)))) as T;
  }

  /**
   * The inputs for these datasets to `to`, built once and kept with the SHA-256 of their
   * canonical JSON (the datasets never change, so neither do these). Callers must not mutate them.
   */
  private async inputsWithDigest(
    datasets: { population: DatasetMeta; workforce: DatasetMeta },
    to: number,
    /** The field a year outside the data is reported against. */
    field = 'to',
  ): Promise<{ inputs: ModelInputs; digest: string }> {
    const key = `${datasets.population.id}|${datasets.workforce.id}|${to}`;
    const known = this.memo.get(`inputs ${key}`, 0, async () => {
      const inputs = buildInputs(
        { meta: datasets.population, rows: await this.rows<PopulationRow[]>('population', datasets.population.id) },
        { meta: datasets.workforce, rows: await this.rows<WorkforceRow[]>('workforce', datasets.workforce.id) },
        to,
      );
      return { inputs, digest: createHash('sha256').update(canonicalJson(inputs)).digest('hex') };
    });
    try {
      return await known;
    } catch (error) {
      if (error instanceof InputsError) throw new InputError([{ field, message: `${field}: ${error.message}` }]);
      throw error;
    }
  }

  /** The model's inputs from the current datasets, to `to` (shared: never change them). */
  async inputs(to = 2040, field = 'to'): Promise<ModelInputs> {
    return (await this.inputsWithDigest(await this.requireDatasets(), to, field)).inputs;
  }

  private async requireDatasets() {
    const current = await this.currentDatasets();
    if (!current) throw new NotFoundError('workforce dataset (import a population projection and a workforce base first)');
    return current;
  }

  async yearRange(): Promise<{ first: number; last: number; baseYear: number } | undefined> {
    const current = await this.currentDatasets();
    return current && { ...yearRange(current.population, current.workforce), baseYear: current.workforce.firstYear };
  }

  /**
   * Loads what ships in data/datasets into an empty database: the population projection, the
   * workforce base, the named scenarios and, when the strategy has the items, their levers.
   * Each part only when none of its kind exists yet, so it is safe to call at every start.
   */
  async seedShipped(actor: Actor): Promise<{ datasets: number; scenarios: number; itemLevers: number }> {
    const loaded = { datasets: 0, scenarios: 0, itemLevers: 0 };
    for (const folder of ['population-snpp2022', 'workforce-base-2023']) {
      const description = JSON.parse(await readFile(path.join(datasetsDir, folder, 'dataset.json'), 'utf8')) as {
        kind: DatasetKind;
        file: string;
        name: string;
        source: string;
        vintage: string;
        licence: string;
      };
      if (await this.repo().latestDataset(description.kind)) continue;
      const bytes = await readFile(path.join(datasetsDir, folder, description.file));
      const result = await this.importDataset(
        description.kind,
        parseCsv(bytes),
        { ...description, fileName: `data/datasets/${folder}/${description.file}`, sha256: createHash('sha256').update(bytes).digest('hex') },
        actor,
      );
      if (!result.ok) throw new Error(`The shipped dataset ${folder} has problems: ${result.problems.map((p) => p.message).join('; ')}`);
      loaded.datasets++;
    }
    const folder = path.join(datasetsDir, 'workforce-scenarios');
    const scenarios = JSON.parse(await readFile(path.join(folder, 'scenarios.json'), 'utf8')) as {
      slug: string;
      name: string;
      description: string;
      published: boolean;
      params: unknown;
    }[];
    const levers = parseCsv(await readFile(path.join(folder, 'item-levers.csv'))).rows.map((r) => r.values);
    const { items } = (await this.strategy.hasStrategy()) ? await this.strategy.itemsAsTheyStand() : { items: [] };
    const byCode = new Map(items.map((i) => [i.code, i.id]));
    await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      await repo.lockForWriting();
      if ((await repo.countScenarios()) === 0) {
        for (const s of scenarios) {
          const record = await repo.insertScenario({ slug: s.slug, name: s.name, description: s.description, published: s.published, params: parseOrThrow(scenarioParamsSchema, s.params) });
          await recordAudit(tx, actor, { action: 'workforce.scenario.create', objectType: 'workforce_scenario', objectId: record.id, after: { slug: s.slug, name: s.name } });
          loaded.scenarios++;
        }
      }
      if (byCode.size && (await repo.countItemLevers()) === 0) {
        const rows = levers
          .filter((l) => byCode.has(l.code!))
          .map((l) => ({
            itemId: byCode.get(l.code!)!,
            ...leverRow(
              parseOrThrow(leverSchema, {
                kind: l.kind,
                size: Number(l.size),
                startYear: Number(l.start_year),
                rampYears: Number(l.ramp_years),
                roles: l.roles ? l.roles.split(';') : [],
                source: l.source,
              }),
            ),
          }));
        await repo.insertItemLevers(rows);
        if (rows.length) {
          await recordAudit(tx, actor, { action: 'workforce.item-levers.seed', objectType: 'workforce_item_levers', objectId: 'shipped', after: { items: rows.length } });
        }
        loaded.itemLevers = rows.length;
      }
    });
    this.changed();
    return loaded;
  }

  // ── Scenarios ───────────────────────────────────────────────────────────────────────────

  async scenarios(options: { publishedOnly: boolean }): Promise<ScenarioRecord[]> {
    return this.repo().scenarios(options);
  }

  /** A saved scenario by slug or (any case) name. */
  async scenario(slugOrName: string): Promise<ScenarioRecord | undefined> {
    const repo = this.repo();
    return (await repo.scenarioBySlug(slugOrName.toLowerCase())) ?? (await repo.scenarioByName(slugOrName));
  }

  async saveScenario(
    actor: Actor,
    userId: number,
    input: unknown,
    existing?: { slug: string; version: number },
  ): Promise<ScenarioRecord> {
    const values = parseOrThrow(scenarioRecordSchema, input);
    await this.checkParams(values.params);
    const saved = await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const clash = await repo.scenarioByName(values.name);
      if (clash && clash.slug !== existing?.slug) throw new InputError([{ field: 'name', message: 'A scenario with this name already exists: choose another name' }]);
      if (!existing) {
        const slug = await this.freeSlug(repo, values.name);
        const record = await repo.insertScenario({ ...values, slug, authorId: userId });
        await recordAudit(tx, actor, { action: 'workforce.scenario.create', objectType: 'workforce_scenario', objectId: record.id, after: values });
        return record;
      }
      const before = await repo.scenarioBySlug(existing.slug);
      if (!before) throw new NotFoundError('scenario');
      const after = await repo.updateScenario(before.id, existing.version, values);
      if (!after) throw new ConflictError('Someone else saved this scenario after you opened it. Your changes have not been saved: check the scenario again.');
      await recordAudit(tx, actor, {
        action: 'workforce.scenario.update',
        objectType: 'workforce_scenario',
        objectId: before.id,
        before: { name: before.name, description: before.description, published: before.published, params: before.params },
        after: values,
      });
      return after;
    });
    this.changed();
    return saved;
  }

  async deleteScenario(actor: Actor, slug: string): Promise<void> {
    await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      const before = await repo.scenarioBySlug(slug);
      if (!before) throw new NotFoundError('scenario');
      if (before.slug === DEFAULT_SCENARIO) throw new InputError([{ field: 'slug', message: 'The current-policy scenario is the default view and cannot be deleted' }]);
      await repo.deleteScenario(before.id);
      await recordAudit(tx, actor, { action: 'workforce.scenario.delete', objectType: 'workforce_scenario', objectId: before.id, before: { slug: before.slug, name: before.name, params: before.params } });
    });
    this.changed();
  }

  private async freeSlug(repo: WorkforceRepository, name: string): Promise<string> {
    const base =
      name
        .toLowerCase()
        .normalize('NFKD')
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')
        .slice(0, 60) || 'scenario';
    for (let n = 1; ; n++) {
      const slug = n === 1 ? base : `${base}-${n}`;
      if (!(await repo.scenarioBySlug(slug))) return slug;
    }
  }

  /** The engine's own checks on a scenario against the current data (years, lever sizes). */
  private async checkParams(params: ScenarioParams): Promise<void> {
    const inputs = await this.inputs(params.to, 'params.to');
    const problems = validate(inputs, modelScenario('check', params, inputs));
    if (problems.length) throw new InputError(modelProblems(problems));
  }

  // ── Items and their levers ──────────────────────────────────────────────────────────────

  /** Every item of the strategy, with the levers it declares and its status now. */
  async itemsWithLevers(): Promise<ItemWithLevers[]> {
    if (!(await this.strategy.hasStrategy())) return [];
    const { items } = await this.strategy.itemsAsTheyStand();
    const levers = await this.repo().itemLevers();
    const byItem = new Map<number, ItemLeverRecord[]>();
    for (const l of levers) byItem.set(l.itemId, [...(byItem.get(l.itemId) ?? []), l]);
    return items.map((i) => ({ id: i.id, code: i.code, title: i.title, status: i.status, levers: (byItem.get(i.id) ?? []).map(toLever) }));
  }

  async leversOf(code: string): Promise<ItemWithLevers | undefined> {
    return (await this.itemsWithLevers()).find((i) => i.code === code);
  }

  /** Replaces the levers an item declares (an empty list: it moves none). */
  async setItemLevers(actor: Actor, code: string, input: unknown): Promise<Lever[]> {
    const levers = checkedLevers(code, input);
    const item = await this.strategy.itemRef(code);
    if (!item) throw new NotFoundError('item');
    await this.database.db.transaction(async (tx) => this.replaceItemLevers(tx, actor, item, levers));
    this.leversChanged();
    return levers;
  }

  /**
   * The same as `setItemLevers`, inside the caller's transaction (the drafting pipeline sets a
   * new item's levers from its evidence review as it creates the item). Call `leversChanged`
   * after the transaction commits.
   */
  async setItemLeversIn(tx: Executor, actor: Actor, item: { id: number; code: string }, input: unknown): Promise<Lever[]> {
    const levers = checkedLevers(item.code, input);
    await this.replaceItemLevers(tx, actor, item, levers);
    return levers;
  }

  private async replaceItemLevers(tx: Executor, actor: Actor, item: { id: number; code: string }, levers: Lever[]): Promise<void> {
    const repo = this.repo(tx);
    const before = (await repo.itemLevers([item.id])).map(toLever);
    await repo.replaceItemLevers(item.id, levers.map(leverRow));
    await recordAudit(tx, actor, { action: 'workforce.item-levers.update', objectType: 'item', objectId: item.id, before: { code: item.code, levers: before }, after: { code: item.code, levers } });
  }

  /** Forgets cached results and the model's revision after items' levers changed (in this process). */
  leversChanged(): void {
    this.resultCache.clear();
    this.changed();
  }

  /**
   * What a set of levers would do if delivered in full, in the default scenario (deterministic,
   * no Monte Carlo): England's gap in its last year (2040) without them (the scenario's own
   * baseline, no items' levers) and with them, and the difference (negative closes the gap).
   * Pure: it reads the datasets and writes nothing. Undefined when the model has no data or no
   * default scenario.
   */
  async worthOfLevers(input: unknown): Promise<LeversWorth | undefined> {
    const levers = checkedLevers('levers', input);
    if (!(await this.currentDatasets())) return undefined;
    const saved = await this.scenario(DEFAULT_SCENARIO);
    if (!saved) return undefined;
    const inputs = await this.inputs(saved.params.to);
    const base = modelScenario(saved.name, saved.params, inputs);
    const withLevers = { ...base, levers: [...base.levers, ...levers] };
    const problems = validate(inputs, withLevers);
    if (problems.length) throw new InputError(modelProblems(problems));
    const without = headlineGap(project(inputs, base), saved.params.to);
    const delivered = headlineGap(project(inputs, withLevers), saved.params.to);
    return { scenario: saved.name, to: saved.params.to, levers, without, with: delivered, change: delivered - without };
  }

  // ── Runs ────────────────────────────────────────────────────────────────────────────────

  /**
   * Runs a projection request: a saved scenario (slug or name) or parameters given in full.
   * `store` keeps the run (by hash, once) with an audit event; otherwise it is computed and
   * returned with its hash only.
   */
  async run(
    request: unknown,
    options: { actor?: Actor; userId?: number | null; store?: boolean; maxRuns?: number; onProgress?: (done: number, total: number) => void } = {},
  ): Promise<RunResult> {
    const req = parseOrThrow(projectionRequestSchema(options.maxRuns), request);
    const scenario = await this.resolveScenario(req);
    // A published scenario's own view (its years, the default seed and runs) is kept as a record
    // of what the hub showed, whoever asked: one stored run per state of the data and the items.
    if (options.store === undefined && scenario.published && req.to === undefined && req.seed === DEFAULT_SEED && req.runs === DEFAULT_RUNS) {
      options = { ...options, store: true, actor: options.actor ?? systemActor };
    }
    const datasets = await this.requireDatasets();
    const items = (await this.itemsWithLevers()).map(({ code, title, status, levers }) => ({ code, title, status, levers }));
    const definition: RunDefinitionRecord = {
      datasets: { population: datasets.population.id, workforce: datasets.workforce.id },
      scenario: { slug: scenario.slug, name: scenario.name, description: scenario.description, params: scenario.params },
      items,
      uncertain: [...DEFAULT_UNCERTAIN],
      seed: req.seed,
      runs: req.runs,
    };
    return this.execute(definition, datasets, options);
  }

  private async resolveScenario(req: ProjectionRequest): Promise<RunDefinitionRecord['scenario'] & { published: boolean }> {
    if (typeof req.scenario === 'string') {
      const saved = await this.scenario(req.scenario);
      if (!saved) throw new InputError([{ field: 'scenario', message: `scenario “${req.scenario}” is not a saved scenario: see /api/v1/workforce/scenarios` }]);
      return { slug: saved.slug, name: saved.name, description: saved.description, params: { ...saved.params, to: req.to ?? saved.params.to }, published: saved.published };
    }
    const { name, ...params } = req.scenario;
    return { slug: null, name: name || 'Custom scenario', description: '', params: { ...params, to: req.to ?? params.to }, published: false };
  }

  private async execute(
    definition: RunDefinitionRecord,
    datasets: { population: DatasetMeta; workforce: DatasetMeta },
    options: { actor?: Actor; userId?: number | null; store?: boolean; onProgress?: (done: number, total: number) => void },
  ): Promise<RunResult> {
    const params = definition.scenario.params;
    const { inputs, digest } = await this.inputsWithDigest(datasets, params.to, 'scenario.to');
    const base = modelScenario(definition.scenario.name, params, inputs);
    const weights = { inProgress: params.inProgressWeight };
    const itemLevers = definition.items.map((i) => ({ code: i.code, status: i.status, levers: i.levers }));
    const problems = [...validate(inputs, base), ...itemProblems(itemLevers, weights)];
    if (problems.length) throw new InputError(modelProblems(problems));
    const adjusted = deliveryAdjustedScenario(base, itemLevers, weights);
    // The inputs enter the hash by their own SHA-256 (worked out once per dataset pair and year).
    const hash = runHash({ inputs: digest, scenario: base, items: itemLevers, weights, uncertain: definition.uncertain, seed: definition.seed, runs: definition.runs });

    const store = options.store ?? false;
    const cached = this.resultCache.get(hash);
    if (cached && (cached.stored || !store)) return cached;
    if (store) {
      const stored = await this.repo().runByHash(hash);
      if (stored) {
        const found = { ...(stored.result as RunResult), id: stored.id, stored: true };
        this.remember(hash, found);
        return found;
      }
    }
    let result: RunResult;
    if (cached) result = cached;
    else {
      const baseline = project(inputs, base);
      const delivered = project(inputs, adjusted);
      const total = definition.runs * 2;
      const mc = async (scenario: Scenario, offset: number) =>
        definition.runs > 0
          ? (
              await this.monteCarlo(inputs, scenario, definition.uncertain, {
                seed: definition.seed,
                runs: definition.runs,
                ...(options.onProgress ? { onProgress: (done: number) => options.onProgress!(offset + done, total) } : {}),
              })
            ).bands
          : null;
      const baselineBands = await mc(base, 0);
      const deliveredBands = await mc(adjusted, definition.runs);
      const worth = new Map(itemWorth(inputs, base, itemLevers, weights).map((w) => [w.code, w.change]));
      result = {
        id: null,
        hash,
        engineVersion: ENGINE_VERSION,
        stored: false,
        scenario: definition.scenario,
        datasets,
        baseYear: inputs.baseYear,
        to: params.to,
        years: baseline.years,
        seed: definition.seed,
        runs: definition.runs,
        baseline: { rows: keptRows(baseline.rows), bands: baselineBands },
        deliveryAdjusted: { rows: keptRows(delivered.rows), bands: deliveredBands },
        items: definition.items
          .filter((i) => i.levers.length)
          .map((i) => ({ code: i.code, title: i.title, status: i.status, weight: deliveryWeight(i.status, weights), levers: i.levers, change: worth.get(i.code) ?? 0 }))
          .sort((a, b) => a.change - b.change || a.code.localeCompare(b.code)),
        sensitivity: sensitivity(inputs, adjusted, definition.uncertain),
        uncertain: definition.uncertain.map((u) => ({ name: u.name, distribution: u.distribution, source: u.source })),
      };
      this.remember(hash, result);
    }
    if (!store) return result;
    const actor = options.actor;
    if (!actor) throw new Error('Storing a run needs an actor');
    return this.database.db.transaction(async (tx) => {
      const record = await this.repo(tx).insertRun({
        hash,
        scenarioId: definition.scenario.slug ? ((await this.repo(tx).scenarioBySlug(definition.scenario.slug))?.id ?? null) : null,
        scenarioName: definition.scenario.name,
        definition,
        result,
        engineVersion: ENGINE_VERSION,
        createdBy: options.userId ?? null,
      });
      await recordAudit(tx, actor, { action: 'workforce.run', objectType: 'workforce_run', objectId: record.id, after: { hash, scenario: definition.scenario.name, seed: definition.seed, runs: definition.runs } });
      const stored = { ...result, id: record.id, stored: true };
      this.remember(hash, stored);
      return stored;
    });
  }

  private remember(hash: string, result: RunResult): void {
    this.resultCache.delete(hash);
    this.resultCache.set(hash, result);
    while (this.resultCache.size > 32) this.resultCache.delete(this.resultCache.keys().next().value!);
  }

  async storedRun(id: number): Promise<RunResult | undefined> {
    const stored = await this.repo().run(id);
    return stored && { ...(stored.result as RunResult), id: stored.id, stored: true };
  }

  /**
   * Replays a stored run from its definition (the datasets it read, by id) and says whether the
   * hash and every figure come out the same.
   */
  async reproduce(id: number): Promise<{ stored: RunResult; replayed: RunResult; sameHash: boolean; sameResult: boolean }> {
    const record = await this.repo().run(id);
    if (!record) throw new NotFoundError('run');
    const definition = record.definition as RunDefinitionRecord;
    const repo = this.repo();
    const [population, workforce] = [await repo.dataset(definition.datasets.population), await repo.dataset(definition.datasets.workforce)];
    if (!population || !workforce) throw new NotFoundError('dataset the run read');
    this.resultCache.delete(record.hash);
    const replayed = await this.execute(definition, { population: meta(population), workforce: meta(workforce) }, { store: false });
    const stored = { ...(record.result as RunResult), id: record.id, stored: true };
    // Compared key-sorted: PostgreSQL's jsonb keeps an object's keys in its own order.
    const comparable = (r: RunResult) => canonicalJson({ ...r, id: null, stored: null });
    return { stored, replayed, sameHash: replayed.hash === record.hash, sameResult: comparable(stored) === comparable(replayed) };
  }

  /**
   * Everything the methodology page lists: the datasets, the calibration constants and default
   * policy with their sources, the England base by role, the Monte Carlo ranges, the items'
   * levers, and the published method reproduced against the strategy's +540,000.
   */
  async methodology(): Promise<Methodology | undefined> {
    const datasets = await this.currentDatasets();
    if (!datasets) return undefined;
    const inputs = await this.inputs(PUBLISHED.to);
    const published = await this.run({ scenario: PUBLISHED_SCENARIO, runs: 0 }).catch((error: unknown) => {
      if (error instanceof InputError) return undefined;
      throw error;
    });
    const england = (band: string, year: number) => Object.values(inputs.geographies).reduce((s, g) => s + (g.population[band]?.value[String(year)] ?? 0), 0);
    const base = Object.values(inputs.geographies);
    const byRole = ROLE_GROUPS.map((role) => {
      const cells = base.map((g) => g.roles[role]!).filter(Boolean);
      const filled = cells.reduce((s, c) => s + c.filledPosts.value, 0);
      const weighted = (f: 'turnoverRate' | 'sectorExitShare' | 'retirementRate') => cells.reduce((s, c) => s + c[f].value * c.filledPosts.value, 0) / filled;
      const first = cells[0]!;
      return {
        role,
        filledPosts: filled,
        vacancies: cells.reduce((s, c) => s + c.vacancies.value, 0),
        turnoverRate: weighted('turnoverRate'),
        sectorExitShare: weighted('sectorExitShare'),
        retirementRate: weighted('retirementRate'),
        labourPool: cells.reduce((s, c) => s + c.labourPool.value, 0),
        internationalRecruits: cells.reduce((s, c) => s + c.internationalRecruits.value, 0),
        sources: Object.fromEntries(
          (['filledPosts', 'vacancies', 'turnoverRate', 'sectorExitShare', 'retirementRate', 'labourPool', 'internationalRecruits'] as const).map((f) => [f, `${first[f].source} (${first[f].vintage})`]),
        ) as Record<keyof RoleInputs, string>,
      };
    });
    let comparison: Methodology['publishedMethod'];
    if (published) {
      const row = (year: number) => published.baseline.rows.find((r) => r.geography === ENGLAND.code && r.role === 'all' && r.year === year)!;
      const first = row(published.baseYear);
      const last = row(PUBLISHED.to);
      comparison = {
        baseYear: published.baseYear,
        to: PUBLISHED.to,
        basePosts: first.demand,
        postsNeeded: last.demand,
        extraPosts: last.demand - first.demand,
        growth: last.demand / first.demand - 1,
        population65Growth: england('65+', PUBLISHED.to) / england('65+', published.baseYear) - 1,
        published: PUBLISHED,
      };
    }
    return {
      datasets,
      parameters: (Object.entries(DEFAULT_PARAMETERS) as [string, Sourced][]).map(([name, p]) => ({ name, value: p.value, source: p.source, vintage: p.vintage })),
      baselinePolicy: [...BASELINE_POLICY_LEVERS],
      byRole,
      progression: inputs.progression.map((m) => ({ from: m.from, to: m.to, rate: m.rate.value, source: m.rate.source })),
      uncertain: DEFAULT_UNCERTAIN.map((u) => ({ name: u.name, distribution: u.distribution, source: u.source })),
      items: (await this.itemsWithLevers()).filter((i) => i.levers.length),
      publishedMethod: comparison,
      engineVersion: ENGINE_VERSION,
    };
  }

  /**
   * What one item is modelled to be worth in the default scenario (deterministic, no Monte
   * Carlo): its levers, the share that counts at its status, and its change to the 2040 gap;
   * `item` is undefined when it declares no lever.
   */
  async itemWorth(code: string): Promise<{ item: ItemWorthRow | undefined; to: number; scenario: string } | undefined> {
    if (!(await this.currentDatasets())) return undefined;
    const result = await this.run({ scenario: DEFAULT_SCENARIO, runs: 0 });
    // Every item that declares a lever has a row; one that declares none is worth nothing.
    return { item: result.items.find((i) => i.code === code), to: result.to, scenario: result.scenario.name };
  }
}

/** Levers checked against the lever schema and the engine's rules, or an InputError naming each. */
function checkedLevers(code: string, input: unknown): Lever[] {
  const levers = parseOrThrow(leverSchema.array().max(10, 'must hold 10 levers or fewer'), input, 'levers');
  const problems = itemProblems([{ code, status: null, levers }]);
  if (problems.length) throw new InputError(modelProblems(problems));
  return levers;
}

/** A lever as its table row holds it: no roles and no source stored as empty. */
function leverRow(l: Lever) {
  return { kind: l.kind, size: l.size, startYear: l.startYear, rampYears: l.rampYears, roles: l.roles ?? [], source: l.source ?? '' };
}

function toLever(l: ItemLeverRecord): Lever {
  return { kind: l.kind, size: l.size, startYear: l.startYear, rampYears: l.rampYears, ...(l.roles.length ? { roles: l.roles } : {}), ...(l.source ? { source: l.source } : {}) };
}
