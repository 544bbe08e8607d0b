// SQL for the workforce model's tables. Callers pass a transaction's handle when inside one.
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../platform/db/client.ts';
import type { PopulationRow, WorkforceRow } from './datasets.ts';
import {
  workforceBase,
  workforceDatasets,
  workforceItemLevers,
  workforcePopulation,
  workforceRuns,
  workforceScenarios,
  type DatasetKind,
  type ScenarioParams,
} from './schema.ts';

export type DatasetRecord = typeof workforceDatasets.$inferSelect;
export type ScenarioRecord = typeof workforceScenarios.$inferSelect;
export type ItemLeverRecord = typeof workforceItemLevers.$inferSelect;
export type RunRecord = typeof workforceRuns.$inferSelect;

const CHUNK = 1000;

export class WorkforceRepository {
  constructor(private readonly db: Executor) {}

  /** One importer or seeder at a time, across instances (released when the transaction ends). */
  async lockForWriting(): Promise<void> {
    await this.db.execute(sql`select pg_advisory_xact_lock(hashtext('workforce-datasets'))`);
  }

  async latestDataset(kind: DatasetKind): Promise<DatasetRecord | undefined> {
    const [row] = await this.db.select().from(workforceDatasets).where(eq(workforceDatasets.kind, kind)).orderBy(desc(workforceDatasets.id)).limit(1);
    return row;
  }

  async dataset(id: number): Promise<DatasetRecord | undefined> {
    const [row] = await this.db.select().from(workforceDatasets).where(eq(workforceDatasets.id, id));
    return row;
  }

  async datasets(): Promise<DatasetRecord[]> {
    return this.db.select().from(workforceDatasets).orderBy(desc(workforceDatasets.id));
  }

  async insertDataset(values: typeof workforceDatasets.$inferInsert): Promise<DatasetRecord> {
    const [row] = await this.db.insert(workforceDatasets).values(values).returning();
    return row!;
  }

  async insertPopulation(datasetId: number, rows: readonly PopulationRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += CHUNK) {
      await this.db.insert(workforcePopulation).values(rows.slice(i, i + CHUNK).map((r) => ({ datasetId, ...r })));
    }
  }

  async insertWorkforce(datasetId: number, rows: readonly WorkforceRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += CHUNK) {
      await this.db.insert(workforceBase).values(rows.slice(i, i + CHUNK).map((r) => ({ datasetId, ...r })));
    }
  }

  async population(datasetId: number): Promise<PopulationRow[]> {
    return this.db
      .select({ areaCode: workforcePopulation.areaCode, ageBand: workforcePopulation.ageBand, year: workforcePopulation.year, population: workforcePopulation.population })
      .from(workforcePopulation)
      .where(eq(workforcePopulation.datasetId, datasetId))
      .orderBy(asc(workforcePopulation.areaCode), asc(workforcePopulation.ageBand), asc(workforcePopulation.year));
  }

  async workforce(datasetId: number): Promise<WorkforceRow[]> {
    return this.db
      .select({
        areaCode: workforceBase.areaCode,
        role: workforceBase.role,
        measure: workforceBase.measure,
        value: workforceBase.value,
        source: workforceBase.source,
        vintage: workforceBase.vintage,
      })
      .from(workforceBase)
      .where(eq(workforceBase.datasetId, datasetId))
      .orderBy(asc(workforceBase.areaCode), asc(workforceBase.role), asc(workforceBase.measure));
  }

  async scenarios(options: { publishedOnly: boolean }): Promise<ScenarioRecord[]> {
    return this.db
      .select()
      .from(workforceScenarios)
      .where(options.publishedOnly ? eq(workforceScenarios.published, true) : undefined)
      .orderBy(asc(workforceScenarios.id));
  }

  async scenarioBySlug(slug: string): Promise<ScenarioRecord | undefined> {
    const [row] = await this.db.select().from(workforceScenarios).where(eq(workforceScenarios.slug, slug));
    return row;
  }

  async scenarioByName(name: string): Promise<ScenarioRecord | undefined> {
    const [row] = await this.db
      .select()
      .from(workforceScenarios)
      .where(sql`lower(${workforceScenarios.name}) = lower(${name})`);
    return row;
  }

  async insertScenario(values: typeof workforceScenarios.$inferInsert): Promise<ScenarioRecord> {
    const [row] = await this.db.insert(workforceScenarios).values(values).returning();
    return row!;
  }

  /** Updates when the version still matches; undefined when someone else saved first. */
  async updateScenario(
    id: number,
    version: number,
    values: { name: string; description: string; params: ScenarioParams; published: boolean },
  ): Promise<ScenarioRecord | undefined> {
    const [row] = await this.db
      .update(workforceScenarios)
      .set({ ...values, version: sql`${workforceScenarios.version} + 1`, updatedAt: new Date() })
      .where(and(eq(workforceScenarios.id, id), eq(workforceScenarios.version, version)))
      .returning();
    return row;
  }

  async deleteScenario(id: number): Promise<void> {
    await this.db.delete(workforceScenarios).where(eq(workforceScenarios.id, id));
  }

  async countScenarios(): Promise<number> {
    const [row] = await this.db.select({ n: sql<number>`count(*)::int` }).from(workforceScenarios);
    return row?.n ?? 0;
  }

  async itemLevers(itemIds?: readonly number[]): Promise<ItemLeverRecord[]> {
    return this.db
      .select()
      .from(workforceItemLevers)
      .where(itemIds ? inArray(workforceItemLevers.itemId, [...itemIds]) : undefined)
      .orderBy(asc(workforceItemLevers.itemId), asc(workforceItemLevers.id));
  }

  async countItemLevers(): Promise<number> {
    const [row] = await this.db.select({ n: sql<number>`count(*)::int` }).from(workforceItemLevers);
    return row?.n ?? 0;
  }

  async replaceItemLevers(itemId: number, levers: Omit<typeof workforceItemLevers.$inferInsert, 'itemId'>[]): Promise<void> {
    await this.db.delete(workforceItemLevers).where(eq(workforceItemLevers.itemId, itemId));
    if (levers.length) await this.db.insert(workforceItemLevers).values(levers.map((l) => ({ ...l, itemId })));
  }

  async insertItemLevers(levers: (typeof workforceItemLevers.$inferInsert)[]): Promise<void> {
    if (levers.length) await this.db.insert(workforceItemLevers).values(levers);
  }

  async runByHash(hash: string): Promise<RunRecord | undefined> {
    const [row] = await this.db.select().from(workforceRuns).where(eq(workforceRuns.hash, hash));
    return row;
  }

  async run(id: number): Promise<RunRecord | undefined> {
    const [row] = await this.db.select().from(workforceRuns).where(eq(workforceRuns.id, id));
    return row;
  }

  /** Stores a run unless one with the same hash exists; returns the stored one either way. */
  async insertRun(values: typeof workforceRuns.$inferInsert): Promise<RunRecord> {
    const [row] = await this.db.insert(workforceRuns).values(values).onConflictDoNothing({ target: workforceRuns.hash }).returning();
    return row ?? (await this.runByHash(values.hash))!;
  }

  /** What the model's state here is made of, as one string: any dataset, scenario or lever change alters it. */
  async stateKey(): Promise<string> {
    const [d] = await this.db.select({ max: sql<number>`coalesce(max(${workforceDatasets.id}), 0)::int` }).from(workforceDatasets);
    const [s] = await this.db
      .select({ n: sql<number>`count(*)::int`, max: sql<number>`coalesce(max(${workforceScenarios.id}), 0)::int`, at: sql<string>`coalesce(max(${workforceScenarios.updatedAt})::text, '')` })
      .from(workforceScenarios);
    const [l] = await this.db.select({ n: sql<number>`count(*)::int`, max: sql<number>`coalesce(max(${workforceItemLevers.id}), 0)::int` }).from(workforceItemLevers);
    return `d${d?.max}.s${s?.n}-${s?.max}-${s?.at}.l${l?.n}-${l?.max}`;
  }
}
