// SQL for the strategy's tables. Everything takes ids already resolved by the service; nothing
// here decides what is allowed.
import { and, asc, desc, eq, exists, inArray, isNull, like, or, sql, type SQL } from 'drizzle-orm';
import { auditEvents } from '../../platform/audit/schema.ts';
import { queryRows, type Executor } from '../../platform/db/client.ts';
import {
  areas,
  items,
  itemOrganisations,
  itemTerms,
  organisations,
  phases,
  strategies,
  terms,
  type GovernmentRole,
  type ItemKind,
  type ItemStatus,
  type OrganisationKind,
  type OrganisationRole,
} from './schema.ts';

export type StrategyRecord = typeof strategies.$inferSelect;
export type AreaRecord = typeof areas.$inferSelect;
export type TermRecord = typeof terms.$inferSelect;
export type PhaseRecord = typeof phases.$inferSelect;
export type OrganisationRecord = typeof organisations.$inferSelect;
export type ItemRecord = typeof items.$inferSelect;

export interface ItemQuery {
  strategyId: number;
  areaIds: number[];
  themeIds: number[];
  shiftIds: number[];
  leadIds: number[];
  statuses: (ItemStatus | 'not_reported')[];
  kinds: ItemKind[];
  words: string[];
}

export interface ItemListRow {
  id: number;
  code: string;
  kind: ItemKind | null;
  title: string;
  summary: string;
  status: ItemStatus | null;
  targetText: string | null;
  targetDate: string | null;
  governmentRole: GovernmentRole | null;
  areaId: number;
}

export interface ItemLink {
  itemId: number;
  organisationId: number;
  role: OrganisationRole;
}

/** An item with its organisations (in their order) and its terms, as one query gives them. */
export interface ItemWithLinks {
  item: ItemRecord;
  links: Omit<ItemLink, 'itemId'>[];
  termIds: number[];
}

export interface ItemFields {
  code: string;
  kind: ItemKind | null;
  title: string;
  summary: string;
  body: string;
  areaId: number;
  targetText: string | null;
  targetDate: string | null;
  governmentRole: GovernmentRole | null;
  status: ItemStatus | null;
  progressNote: string | null;
  progressAsOf: string | null;
}

export interface HeadlineCounts {
  total: number;
  recommendations: number;
  commitments: number;
  retired: number;
  inProgress: number;
  complete: number;
  notStarted: number;
  notReported: number;
  governmentAny: number;
  governmentOnly: number;
  governmentUnknown: number;
}

function escapeLike(word: string): string {
  return word.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export class StrategyRepository {
  constructor(private readonly db: Executor) {}

  /* ----- the strategy and its reference data ----- */

  async strategyBySlug(slug: string): Promise<StrategyRecord | undefined> {
    const [row] = await this.db.select().from(strategies).where(eq(strategies.slug, slug));
    return row;
  }

  async firstStrategy(): Promise<StrategyRecord | undefined> {
    const [row] = await this.db.select().from(strategies).orderBy(asc(strategies.id)).limit(1);
    return row;
  }

  async revision(strategyId: number): Promise<number | undefined> {
    const [row] = await this.db
      .select({ revision: strategies.revision })
      .from(strategies)
      .where(eq(strategies.id, strategyId));
    return row?.revision;
  }

  /** Marks the strategy changed; returns the new revision. Call inside the write's transaction. */
  async bumpRevision(strategyId: number): Promise<number> {
    const [row] = await this.db
      .update(strategies)
      .set({ revision: sql`${strategies.revision} + 1`, updatedAt: sql`now()` })
      .where(eq(strategies.id, strategyId))
      .returning({ revision: strategies.revision });
    if (!row) throw new Error(`strategy ${strategyId} not found`);
    return row.revision;
  }

  /**
   * Moves whenever a strategy, an area, a term, a phase or an organisation is added, removed or
   * (organisations) changed: what `StrategyService.choices` are kept by.
   */
  async choicesStamp(): Promise<string> {
    const counted = (table: typeof strategies | typeof areas | typeof terms | typeof phases | typeof organisations) =>
      sql`(select count(*) || '-' || coalesce(max(${table.id}), 0) from ${table})`;
    const [row] = await queryRows<{ stamp: string }>(
      this.db,
      sql`select concat_ws('.', ${counted(strategies)}, ${counted(areas)}, ${counted(terms)}, ${counted(phases)}, ${counted(organisations)}, (select max(${organisations.updatedAt}) from ${organisations})) as stamp`,
    );
    return row!.stamp;
  }

  async insertStrategy(values: typeof strategies.$inferInsert): Promise<StrategyRecord> {
    const [row] = await this.db.insert(strategies).values(values).returning();
    return row!;
  }

  async areas(strategyId: number): Promise<AreaRecord[]> {
    return this.db.select().from(areas).where(eq(areas.strategyId, strategyId)).orderBy(asc(areas.position));
  }

  async terms(strategyId: number): Promise<TermRecord[]> {
    return this.db
      .select()
      .from(terms)
      .where(eq(terms.strategyId, strategyId))
      .orderBy(asc(terms.kind), asc(terms.position));
  }

  async phases(strategyId: number): Promise<PhaseRecord[]> {
    return this.db.select().from(phases).where(eq(phases.strategyId, strategyId)).orderBy(asc(phases.position));
  }

  async insertAreas(values: (typeof areas.$inferInsert)[]): Promise<void> {
    if (values.length) await this.db.insert(areas).values(values);
  }

  async insertTerms(values: (typeof terms.$inferInsert)[]): Promise<void> {
    if (values.length) await this.db.insert(terms).values(values);
  }

  async insertPhases(values: (typeof phases.$inferInsert)[]): Promise<void> {
    if (values.length) await this.db.insert(phases).values(values);
  }

  /* ----- organisations ----- */

  async organisations(): Promise<OrganisationRecord[]> {
    return this.db.select().from(organisations).orderBy(asc(organisations.name));
  }

  /** Items each organisation leads and supports in a strategy. */
  async organisationItemCounts(strategyId: number): Promise<Map<number, { lead: number; partner: number }>> {
    const rows = await this.db
      .select({
        organisationId: itemOrganisations.organisationId,
        role: itemOrganisations.role,
        n: sql<number>`count(*)::int`,
      })
      .from(itemOrganisations)
      .innerJoin(items, eq(items.id, itemOrganisations.itemId))
      .where(eq(items.strategyId, strategyId))
      .groupBy(itemOrganisations.organisationId, itemOrganisations.role);
    const counts = new Map<number, { lead: number; partner: number }>();
    for (const r of rows) {
      const c = counts.get(r.organisationId) ?? { lead: 0, partner: 0 };
      c[r.role] = Number(r.n);
      counts.set(r.organisationId, c);
    }
    return counts;
  }

  async insertOrganisation(values: typeof organisations.$inferInsert): Promise<OrganisationRecord> {
    const [row] = await this.db.insert(organisations).values(values).returning();
    return row!;
  }

  async updateOrganisation(
    id: number,
    values: { name: string; shortName: string | null; kind: OrganisationKind; isGovernment: boolean; website: string | null },
  ): Promise<void> {
    await this.db
      .update(organisations)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(organisations.id, id));
  }

  /* ----- items ----- */

  private itemConditions(q: ItemQuery): SQL {
    const conditions: SQL[] = [eq(items.strategyId, q.strategyId)];
    if (q.areaIds.length) conditions.push(inArray(items.areaId, q.areaIds));
    if (q.kinds.length) conditions.push(inArray(items.kind, q.kinds));
    if (q.statuses.length) {
      const known = q.statuses.filter((s): s is ItemStatus => s !== 'not_reported');
      const parts: SQL[] = [];
      if (known.length) parts.push(inArray(items.status, known));
      if (q.statuses.includes('not_reported')) parts.push(isNull(items.status));
      conditions.push(or(...parts)!);
    }
    for (const ids of [q.themeIds, q.shiftIds]) {
      if (!ids.length) continue;
      conditions.push(
        exists(
          this.db
            .select({ one: sql`1` })
            .from(itemTerms)
            .where(and(eq(itemTerms.itemId, items.id), inArray(itemTerms.termId, ids))),
        ),
      );
    }
    if (q.leadIds.length) {
      conditions.push(
        exists(
          this.db
            .select({ one: sql`1` })
            .from(itemOrganisations)
            .where(
              and(
                eq(itemOrganisations.itemId, items.id),
                eq(itemOrganisations.role, 'lead'),
                inArray(itemOrganisations.organisationId, q.leadIds),
              ),
            ),
        ),
      );
    }
    for (const word of q.words) conditions.push(like(items.searchText, `%${escapeLike(word)}%`));
    return and(...conditions)!;
  }

  async countItems(q: ItemQuery): Promise<number> {
    const [row] = await this.db
      .select({ n: sql<number>`count(*)::int` })
      .from(items)
      .where(this.itemConditions(q));
    return Number(row?.n ?? 0);
  }

  private listQuery(q: ItemQuery) {
    return this.db
      .select({
        id: items.id,
        code: items.code,
        kind: items.kind,
        title: items.title,
        summary: items.summary,
        status: items.status,
        targetText: items.targetText,
        targetDate: items.targetDate,
        governmentRole: items.governmentRole,
        areaId: items.areaId,
        total: sql<number>`(count(*) over ())::int`,
      })
      .from(items)
      .innerJoin(areas, eq(areas.id, items.areaId))
      .where(this.itemConditions(q))
      .orderBy(asc(areas.position), asc(items.code));
  }

  /** Every matching item, in strategy order (area, then code). */
  async listItems(q: ItemQuery): Promise<ItemListRow[]> {
    return this.listQuery(q);
  }

  /**
   * One page of matching items and how many match in all, in one scan (the count rides on each
   * row); only a page past the end needs a second query for the count.
   */
  async listPage(q: ItemQuery, limit: number, offset: number): Promise<{ rows: ItemListRow[]; total: number }> {
    const rows = await this.listQuery(q).limit(limit).offset(offset);
    const total = rows.length ? Number(rows[0]!.total) : offset === 0 ? 0 : await this.countItems(q);
    return { rows, total };
  }

  async itemByCode(strategyId: number, code: string): Promise<ItemRecord | undefined> {
    const [row] = await this.db
      .select()
      .from(items)
      .where(and(eq(items.strategyId, strategyId), eq(items.code, code)));
    return row;
  }

  /**
   * An item by code with its organisations and terms, in one round trip (a write reads this
   * inside its transaction, where every round trip holds the connection and the row locks
   * longer). With no `strategyId`, the first strategy's item.
   */
  async itemWithLinks(strategyId: number | undefined, code: string): Promise<ItemWithLinks | undefined> {
    const [row] = await this.db
      .select({
        item: items,
        links: sql<Omit<ItemLink, 'itemId'>[]>`coalesce((select json_agg(json_build_object('organisationId', ${itemOrganisations.organisationId}, 'role', ${itemOrganisations.role}) order by ${itemOrganisations.position}) from ${itemOrganisations} where ${itemOrganisations.itemId} = ${items.id}), '[]'::json)`,
        termIds: sql<number[]>`coalesce((select json_agg(${itemTerms.termId} order by ${itemTerms.termId}) from ${itemTerms} where ${itemTerms.itemId} = ${items.id}), '[]'::json)`,
      })
      .from(items)
      .where(and(eq(items.strategyId, strategyId ?? sql`(select min(${strategies.id}) from ${strategies})`), eq(items.code, code)));
    return row;
  }

  /** Sets the status an item's published progress gives it; bumps its version. */
  async setItemProgress(itemId: number, change: { status: ItemStatus; progressNote: string; progressAsOf: string }): Promise<ItemRecord | undefined> {
    const [row] = await this.db
      .update(items)
      .set({ ...change, version: sql`${items.version} + 1`, updatedAt: sql`now()` })
      .where(eq(items.id, itemId))
      .returning();
    return row;
  }

  async organisationLinks(organisationId: number): Promise<{ itemId: number; role: OrganisationRole }[]> {
    return this.db
      .select({ itemId: itemOrganisations.itemId, role: itemOrganisations.role })
      .from(itemOrganisations)
      .where(eq(itemOrganisations.organisationId, organisationId));
  }

  async itemsByIds(ids: number[]): Promise<ItemRecord[]> {
    if (!ids.length) return [];
    const rows = await this.db.select().from(items).where(inArray(items.id, ids));
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id)!);
  }

  /** Each item's code and version: what says an item's own page has changed. */
  async itemVersions(strategyId: number): Promise<{ code: string; version: number }[]> {
    return this.db.select({ code: items.code, version: items.version }).from(items).where(eq(items.strategyId, strategyId));
  }

  async allItems(strategyId: number): Promise<ItemRecord[]> {
    return this.db.select().from(items).where(eq(items.strategyId, strategyId)).orderBy(asc(items.code));
  }

  async linksFor(itemIds: number[]): Promise<ItemLink[]> {
    if (!itemIds.length) return [];
    return this.db
      .select({ itemId: itemOrganisations.itemId, organisationId: itemOrganisations.organisationId, role: itemOrganisations.role })
      .from(itemOrganisations)
      .where(inArray(itemOrganisations.itemId, itemIds))
      .orderBy(asc(itemOrganisations.itemId), asc(itemOrganisations.position));
  }

  async termIdsFor(itemIds: number[]): Promise<{ itemId: number; termId: number }[]> {
    if (!itemIds.length) return [];
    return this.db
      .select({ itemId: itemTerms.itemId, termId: itemTerms.termId })
      .from(itemTerms)
      .where(inArray(itemTerms.itemId, itemIds));
  }

  /** Every item of a strategy with what the progress figures need, and its links, in three queries. */
  async itemFacts(strategyId: number): Promise<{
    items: { id: number; status: ItemStatus | null; governmentRole: GovernmentRole | null; areaId: number; progressAsOf: string | null }[];
    links: ItemLink[];
    terms: { itemId: number; termId: number }[];
  }> {
    const list = await this.db
      .select({ id: items.id, status: items.status, governmentRole: items.governmentRole, areaId: items.areaId, progressAsOf: items.progressAsOf })
      .from(items)
      .where(eq(items.strategyId, strategyId))
      .orderBy(asc(items.id));
    const links = await this.db
      .select({ itemId: itemOrganisations.itemId, organisationId: itemOrganisations.organisationId, role: itemOrganisations.role })
      .from(itemOrganisations)
      .innerJoin(items, eq(items.id, itemOrganisations.itemId))
      .where(eq(items.strategyId, strategyId))
      .orderBy(asc(itemOrganisations.itemId), asc(itemOrganisations.position));
    const termLinks = await this.db
      .select({ itemId: itemTerms.itemId, termId: itemTerms.termId })
      .from(itemTerms)
      .innerJoin(items, eq(items.id, itemTerms.itemId))
      .where(eq(items.strategyId, strategyId));
    return { items: list, links, terms: termLinks };
  }

  async insertItems(strategyId: number, rows: (ItemFields & { searchText: string })[]): Promise<{ id: number; code: string }[]> {
    const out: { id: number; code: string }[] = [];
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500).map((r) => ({ ...r, strategyId }));
      out.push(...(await this.db.insert(items).values(chunk).returning({ id: items.id, code: items.code })));
    }
    return out;
  }

  async updateItem(id: number, fields: ItemFields & { searchText: string }): Promise<void> {
    await this.db
      .update(items)
      .set({ ...fields, version: sql`${items.version} + 1`, updatedAt: sql`now()` })
      .where(eq(items.id, id));
  }

  /** Only the search text: an organisation's new name is not a change to the item. */
  async setSearchText(id: number, searchText: string): Promise<void> {
    await this.db.update(items).set({ searchText }).where(eq(items.id, id));
  }

  /** Held until the transaction ends, so only one process loads a strategy into an empty database. */
  async lockForSeeding(): Promise<void> {
    await this.db.execute(sql`select pg_advisory_xact_lock(727100003)`);
  }

  /** Replaces the organisations and terms of the given items. */
  async replaceLinks(
    itemIds: number[],
    links: { itemId: number; organisationId: number; role: OrganisationRole; position: number }[],
    termLinks: { itemId: number; termId: number }[],
  ): Promise<void> {
    if (!itemIds.length) return;
    for (let i = 0; i < itemIds.length; i += 1000) {
      const ids = itemIds.slice(i, i + 1000);
      await this.db.delete(itemOrganisations).where(inArray(itemOrganisations.itemId, ids));
      await this.db.delete(itemTerms).where(inArray(itemTerms.itemId, ids));
    }
    for (let i = 0; i < links.length; i += 1000) await this.db.insert(itemOrganisations).values(links.slice(i, i + 1000));
    for (let i = 0; i < termLinks.length; i += 1000) await this.db.insert(itemTerms).values(termLinks.slice(i, i + 1000));
  }

  async headlineCounts(strategyId: number): Promise<HeadlineCounts> {
    const [row] = await this.db
      .select({
        total: sql<number>`count(*)::int`,
        recommendations: sql<number>`(count(*) filter (where ${items.kind} = 'recommendation'))::int`,
        commitments: sql<number>`(count(*) filter (where ${items.kind} = 'commitment'))::int`,
        retired: sql<number>`(count(*) filter (where ${items.status} = 'retired'))::int`,
        inProgress: sql<number>`(count(*) filter (where ${items.status} = 'in_progress'))::int`,
        complete: sql<number>`(count(*) filter (where ${items.status} = 'complete'))::int`,
        notStarted: sql<number>`(count(*) filter (where ${items.status} = 'not_started'))::int`,
        notReported: sql<number>`(count(*) filter (where ${items.status} is null))::int`,
        governmentAny: sql<number>`(count(*) filter (where ${items.governmentRole} in ('shared', 'government_only') and ${items.status} is distinct from 'retired'))::int`,
        governmentOnly: sql<number>`(count(*) filter (where ${items.governmentRole} = 'government_only' and ${items.status} is distinct from 'retired'))::int`,
        governmentUnknown: sql<number>`(count(*) filter (where ${items.governmentRole} is null and ${items.status} is distinct from 'retired'))::int`,
      })
      .from(items)
      .where(eq(items.strategyId, strategyId));
    const r = row!;
    return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])) as unknown as HeadlineCounts;
  }

  async countsByArea(strategyId: number): Promise<Map<number, number>> {
    const rows = await this.db
      .select({ areaId: items.areaId, n: sql<number>`count(*)::int` })
      .from(items)
      .where(eq(items.strategyId, strategyId))
      .groupBy(items.areaId);
    return new Map(rows.map((r) => [r.areaId, Number(r.n)]));
  }

  async countsByTerm(strategyId: number): Promise<Map<number, number>> {
    const rows = await this.db
      .select({ termId: itemTerms.termId, n: sql<number>`count(*)::int` })
      .from(itemTerms)
      .innerJoin(items, eq(items.id, itemTerms.itemId))
      .where(eq(items.strategyId, strategyId))
      .groupBy(itemTerms.termId);
    return new Map(rows.map((r) => [r.termId, Number(r.n)]));
  }

  /* ----- one item at a time (the strategy team's pages) ----- */

  /** Inserts one item; undefined when its code is taken (the unique index decides, so two people cannot both take it). */
  async insertItem(strategyId: number, row: ItemFields & { searchText: string }): Promise<number | undefined> {
    const [inserted] = await this.db
      .insert(items)
      .values({ ...row, strategyId })
      .onConflictDoNothing({ target: [items.strategyId, items.code] })
      .returning({ id: items.id });
    return inserted?.id;
  }

  /** Updates an item only while it is still at `version`; false when someone else saved first. */
  async updateItemAtVersion(id: number, version: number, fields: Partial<ItemFields> & { searchText?: string }): Promise<boolean> {
    const rows = await this.db
      .update(items)
      .set({ ...fields, version: sql`${items.version} + 1`, updatedAt: sql`now()` })
      .where(and(eq(items.id, id), eq(items.version, version)))
      .returning({ id: items.id });
    return rows.length > 0;
  }

  /**
   * The status an item had before it was last retired, read from the audit trail: the `before`
   * of the latest event that took it to retired (a retirement in the browser or an import).
   * Null when there is none, or it had no status.
   */
  async statusBeforeRetiring(code: string): Promise<string | null> {
    const [row] = await this.db
      .select({ status: sql<string | null>`${auditEvents.before} ->> 'status'` })
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.objectType, 'item'),
          eq(auditEvents.objectId, code),
          sql`${auditEvents.after} ->> 'status' = 'retired'`,
          sql`(${auditEvents.before} ->> 'status') is distinct from 'retired'`,
        ),
      )
      .orderBy(desc(auditEvents.id))
      .limit(1);
    return row?.status ?? null;
  }
}
