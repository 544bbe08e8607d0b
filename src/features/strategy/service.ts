// The strategy's rules: what the public can read (items, filters, headline figures), and how
// the strategy team's spreadsheets become data (validate everything, then write in one
// transaction with an audit event per change, or write nothing).
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pgErrorCode, type Database, type Executor } from '../../platform/db/client.ts';
import { recordAudit, type Actor, type AuditEntry } from '../../platform/audit/audit.ts';
import { Revision, RevisionMemo } from '../../platform/cache.ts';
import type { z } from 'zod';
import { InputError, problemsFrom, type FieldProblem } from '../../platform/http/validation.ts';
import { parseCsv, type Table } from '../../platform/files/spreadsheet.ts';
import { datasetsDir } from '../../platform/paths.ts';
import { can } from '../../platform/auth/permissions.ts';
import type { CurrentUser } from '../../platform/auth/roles.ts';
import { ConflictError, ForbiddenError } from '../../platform/http/errors.ts';
import {
  CODE_PATTERN,
  leadAndPartnerMessage,
  ITEM_COLUMNS,
  ORGANISATION_COLUMNS,
  codeSchema,
  REQUIRED_ITEM_COLUMNS,
  REQUIRED_ORGANISATION_COLUMNS,
  itemRowSchema,
  organisationRowSchema,
  type ItemFilters,
  type ItemRow,
} from './forms.ts';
import {
  StrategyRepository,
  type AreaRecord,
  type HeadlineCounts,
  type ItemFields,
  type ItemQuery,
  type ItemRecord,
  type ItemWithLinks,
  type OrganisationRecord,
  type PhaseRecord,
  type StrategyRecord,
  type TermRecord,
} from './repository.ts';
import { ITEM_STATUSES, type GovernmentRole, type ItemKind, type ItemStatus, type OrganisationRole, type TermKind } from './schema.ts';

export type { OrganisationRecord };

/* ---------- what the service hands to routes ---------- */

/**
 * What items are described with: the strategy's areas, terms and phases, and the
 * organisations. Only an import or a new strategy changes them, not a change to an item, so
 * they are kept by a stamp of their own (see `choices`).
 */
export interface Choices {
  strategy: StrategyRecord;
  areas: AreaRecord[];
  themes: TermRecord[];
  priorities: TermRecord[];
  shifts: TermRecord[];
  phases: PhaseRecord[];
  organisations: OrganisationRecord[];
  areaById: Map<number, AreaRecord>;
  termById: Map<number, TermRecord>;
  organisationById: Map<number, OrganisationRecord>;
}

/** The choices with the strategy as it stands and how many items each organisation has. */
export interface Catalogue extends Choices {
  /** Organisations leading at least one item: the choices of the lead filter. */
  leadOrganisations: OrganisationRecord[];
  itemCounts: Map<number, { lead: number; partner: number }>;
}

export interface ItemSummary {
  code: string;
  kind: ItemKind | null;
  title: string;
  summary: string;
  area: AreaRecord;
  status: ItemStatus | null;
  targetText: string | null;
  targetDate: string | null;
  governmentRole: GovernmentRole | null;
  leads: OrganisationRecord[];
}

/** An organisation's duty to report on an item it leads or supports. */
export interface ReportingPair {
  organisation: OrganisationRecord;
  role: 'lead' | 'partner';
  item: { id: number; code: string; title: string };
}

export interface ItemDetail extends ItemSummary {
  body: string;
  partners: OrganisationRecord[];
  themes: TermRecord[];
  priorities: TermRecord[];
  shifts: TermRecord[];
  progressNote: string | null;
  progressAsOf: string | null;
  version: number;
  updatedAt: Date;
}

export interface ItemRef {
  id: number;
  code: string;
  title: string;
  status: ItemStatus | null;
  leadIds: number[];
  partnerIds: number[];
}

/** An item as an annual review freezes it (see `itemsAsTheyStand`). */
export interface StandingItem {
  id: number;
  code: string;
  kind: ItemKind | null;
  title: string;
  area: { slug: string; name: string };
  status: ItemStatus | null;
  governmentRole: GovernmentRole | null;
  targetText: string | null;
  leads: string[];
  partners: string[];
  addedAfterLaunch: boolean;
}

/** An item as figures need it: ids, not records. */
export interface ItemFacts {
  id: number;
  status: ItemStatus | null;
  governmentRole: GovernmentRole | null;
  areaId: number;
  progressAsOf: string | null;
  leadIds: number[];
  partnerIds: number[];
  termIds: number[];
}

export interface ItemPage {
  items: ItemSummary[];
  total: number;
  page: number;
  perPage: number;
  pages: number;
}

export interface Share {
  count: number;
  of: number;
  /** Whole per cent, or null when there is nothing to divide by. */
  percent: number | null;
}

export interface Overview {
  counts: HeadlineCounts;
  /** Items not retired: what the shares are of. */
  active: number;
  movingShare: Share;
  governmentAnyShare: Share;
  governmentOnlyShare: Share;
  organisationsInvolved: number;
  byArea: { area: AreaRecord; count: number }[];
  byTerm: Map<number, number>;
}

export class NoStrategyError extends Error {
  constructor() {
    super('No strategy has been loaded yet: run `npx strategy-hub seed` or start the hub once.');
  }
}

/* ---------- import and export ---------- */

export interface ImportProblem {
  /** Spreadsheet row number (header is 1), or null for a problem with the whole file. */
  row: number | null;
  column: string | null;
  message: string;
}

export interface ImportChange {
  key: string;
  action: 'create' | 'update' | 'unchanged';
  fields: string[];
}

export interface ImportResult {
  ok: boolean;
  dryRun: boolean;
  problems: ImportProblem[];
  warnings: string[];
  changes: ImportChange[];
  created: number;
  updated: number;
  unchanged: number;
}

/** An item as the spreadsheet holds it: the unit import compares, audit records and export writes. */
export interface ItemSnapshot {
  code: string;
  type: ItemKind | null;
  title: string;
  summary: string;
  area: string;
  lead_organisations: string[];
  partner_organisations: string[];
  target: string | null;
  target_date: string | null;
  government_role: GovernmentRole | null;
  status: ItemStatus | null;
  progress_note: string | null;
  progress_as_of: string | null;
  themes: string[];
  priorities: string[];
  shifts: string[];
  body: string;
}

export interface OrganisationSnapshot {
  name: string;
  short_name: string | null;
  kind: OrganisationRecord['kind'];
  is_government: boolean;
  website: string | null;
}

export interface ImportOptions {
  dryRun?: boolean;
  /** Told how far checking and writing have got, for a progress bar. */
  onProgress?: (stage: string, done: number, total: number) => void;
}

export interface StrategyServiceOptions {
  /** How stale another instance's writes may look, in ms (this instance's own are seen at once). */
  revisionMaxAgeMs?: number;
}

const TERM_COLUMN: Record<TermKind, 'themes' | 'priorities' | 'shifts'> = {
  theme: 'themes',
  priority: 'priorities',
  shift: 'shifts',
};

export function slugify(text: string): string {
  return (
    text
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/&/g, ' and ')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80)
      .replace(/-+$/, '') || 'organisation'
  );
}

function share(count: number, of: number): Share {
  return { count, of, percent: of > 0 ? Math.round((count / of) * 100) : null };
}

function orgReference(o: OrganisationRecord): string {
  return o.shortName ?? o.name;
}

function searchTextFor(fields: ItemFields, area: AreaRecord | undefined, orgs: OrganisationRecord[]): string {
  return [
    fields.code,
    fields.title,
    fields.summary,
    fields.body,
    fields.targetText ?? '',
    area?.name ?? '',
    ...orgs.flatMap((o) => [o.name, o.shortName ?? '']),
  ]
    .join(' ')
    .toLowerCase()
    .replace(/\s+/g, ' ');
}

/** Splits free text into lower-case words, each of which must match. */
export function searchWords(q: string | undefined): string[] {
  return (q ?? '')
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 10);
}

export class StrategyService {
  private readonly revisionClock: Revision;
  /** A stamp of the choices (see `Choices`), read again in the background like the revision. */
  private readonly choicesClock: Revision<string>;
  private readonly memo = new RevisionMemo();
  private strategyId: number | undefined;

  constructor(
    private readonly database: Database,
    options: StrategyServiceOptions = {},
  ) {
    this.revisionClock = new Revision(async () => {
      const id = await this.currentStrategyId();
      return (await this.repo().revision(id)) ?? 0;
    }, options.revisionMaxAgeMs ?? 1000);
    this.choicesClock = new Revision(() => this.repo().choicesStamp(), options.revisionMaxAgeMs ?? 1000);
  }

  private repo(exec: Executor = this.database.db): StrategyRepository {
    return new StrategyRepository(exec);
  }

  private async currentStrategyId(): Promise<number> {
    if (this.strategyId !== undefined) return this.strategyId;
    const strategy = await this.repo().firstStrategy();
    if (!strategy) throw new NoStrategyError();
    this.strategyId = strategy.id;
    return strategy.id;
  }

  async hasStrategy(): Promise<boolean> {
    return (await this.repo().firstStrategy()) !== undefined;
  }

  /** Changes whenever anything public about the strategy changes. */
  revision(): Promise<number> {
    return this.revisionClock.current();
  }

  /**
   * A stamp that changes when anything an item's own page shows changes: the item (every write
   * to it, progress included, raises its version) or the choices it is described with (the
   * strategy's wording, areas, terms, organisations). Another item's edit leaves it as it is,
   * so the other items' cached pages stay. Undefined for a code no item has.
   */
  async itemStamp(code: string): Promise<string | undefined> {
    const revision = await this.revision();
    const stamps = await this.memo.get('item stamps', revision, async () => {
      const choices = await this.choices();
      const versions = await this.repo().itemVersions(choices.strategy.id);
      const described = describedBy(choices);
      return new Map(versions.map((v) => [v.code, `${described}.${v.version}`]));
    });
    return stamps.get(code);
  }

  /**
   * The catalogue for the current revision. A change to an item moves the revision, and then
   * only the strategy's row and the organisations' item counts are read again (one round trip):
   * the choices are kept until their own stamp moves.
   */
  async catalogue(): Promise<Catalogue> {
    const revision = await this.revision();
    return this.memo.get('catalogue', revision, async () => {
      const choices = await this.choices();
      const repo = this.repo();
      const [strategy, itemCounts] = await Promise.all([repo.firstStrategy(), repo.organisationItemCounts(choices.strategy.id)]);
      // Another strategy than the one the choices were read for (a database started again).
      if (strategy?.id !== choices.strategy.id) return this.loadCatalogue(this.database.db);
      return withCounts({ ...choices, strategy }, itemCounts);
    });
  }

  /** Areas, terms, phases and organisations: read again only when their stamp moves. */
  async choices(): Promise<Choices> {
    const stamp = await this.choicesClock.current();
    return this.memo.get('choices', stamp, () => this.loadChoices(this.database.db));
  }

  private async loadCatalogue(exec: Executor): Promise<Catalogue> {
    const choices = await this.loadChoices(exec);
    return withCounts(choices, await this.repo(exec).organisationItemCounts(choices.strategy.id));
  }

  private async loadChoices(exec: Executor): Promise<Choices> {
    // Everything through `exec`: inside a transaction, a query on the pool would wait for the
    // transaction to end (PGlite has one connection), and never return.
    const repo = this.repo(exec);
    // Side by side: on PostgreSQL the pool runs them at once, one round trip instead of five (a
    // transaction's connection, and PGlite's one, take them in turn). The strategy's id is known
    // after the first load, so its row is read with the rest; should it not be the one the
    // others were read for (the first load, a database started again), they are read again.
    const rest = (strategyId: number) => Promise.all([repo.areas(strategyId), repo.terms(strategyId), repo.phases(strategyId), repo.organisations()]);
    const known = this.strategyId;
    const [strategy, guessed] = await Promise.all([repo.firstStrategy(), known === undefined ? undefined : rest(known)]);
    if (!strategy) throw new NoStrategyError();
    this.strategyId = strategy.id;
    const [areas, terms, phases, organisations] = strategy.id === known && guessed ? guessed : await rest(strategy.id);
    const byKind = (k: TermKind) => terms.filter((t) => t.kind === k);
    return {
      strategy,
      areas,
      themes: byKind('theme'),
      priorities: byKind('priority'),
      shifts: byKind('shift'),
      phases,
      organisations,
      areaById: new Map(areas.map((a) => [a.id, a])),
      termById: new Map(terms.map((t) => [t.id, t])),
      organisationById: new Map(organisations.map((o) => [o.id, o])),
    };
  }

  async overview(): Promise<Overview> {
    const revision = await this.revision();
    return this.memo.get('overview', revision, async () => {
      const catalogue = await this.catalogue();
      const repo = this.repo();
      const strategyId = catalogue.strategy.id;
      const counts = await repo.headlineCounts(strategyId);
      const byArea = await repo.countsByArea(strategyId);
      const byTerm = await repo.countsByTerm(strategyId);
      const active = counts.total - counts.retired;
      return {
        counts,
        active,
        movingShare: share(counts.inProgress + counts.complete, active),
        governmentAnyShare: share(counts.governmentAny, active),
        governmentOnlyShare: share(counts.governmentOnly, active),
        organisationsInvolved: catalogue.itemCounts.size,
        byArea: catalogue.areas.map((area) => ({ area, count: byArea.get(area.id) ?? 0 })),
        byTerm,
      };
    });
  }

  /* ----- reading items ----- */

  /** Turns filter slugs into ids; a slug that names nothing is an input error naming its parameter. */
  resolveFilters(catalogue: Catalogue, filters: ItemFilters): ItemQuery {
    const problems: FieldProblem[] = [];
    const lookup = <T extends { id: number; slug: string }>(field: string, label: string, values: string[], options: T[]) => {
      const bySlug = new Map(options.map((o) => [o.slug, o.id]));
      return values.flatMap((v) => {
        const id = bySlug.get(v);
        if (id === undefined) {
          problems.push({ field, message: `"${v}" is not ${label}` });
          return [];
        }
        return [id];
      });
    };
    const query: ItemQuery = {
      strategyId: catalogue.strategy.id,
      areaIds: lookup('area', 'an area of this strategy', filters.area, catalogue.areas),
      themeIds: lookup('theme', 'a theme of this strategy', filters.theme, catalogue.themes),
      shiftIds: lookup('shift', 'a government shift of this strategy', filters.shift, catalogue.shifts),
      leadIds: lookup('lead', 'an organisation that leads an item', filters.lead, catalogue.leadOrganisations),
      statuses: filters.status,
      kinds: filters.type,
      words: searchWords(filters.q),
    };
    if (problems.length) throw new InputError(problems);
    return query;
  }

  async listItems(filters: ItemFilters, page: number, perPage: number): Promise<ItemPage> {
    const catalogue = await this.catalogue();
    const query = this.resolveFilters(catalogue, filters);
    const { rows, total } = await this.repo().listPage(query, perPage, (page - 1) * perPage);
    const pages = Math.max(1, Math.ceil(total / perPage));
    return { items: await this.summaries(catalogue, rows), total, page, perPage, pages };
  }

  /** Every matching item, as spreadsheet rows (the API's CSV). */
  async matchingItemRows(filters: ItemFilters): Promise<Record<string, string>[]> {
    const catalogue = await this.catalogue();
    const repo = this.repo();
    const rows = await repo.listItems(this.resolveFilters(catalogue, filters));
    const snapshots = await this.snapshotsFor(this.database.db, catalogue, await repo.itemsByIds(rows.map((r) => r.id)));
    return snapshots.map(snapshotToRow);
  }

  private async summaries(catalogue: Catalogue, rows: SummaryRow[]): Promise<ItemSummary[]> {
    const links = groupBy(await this.repo().linksFor(rows.map((r) => r.id)), (l) => l.itemId);
    return rows.map((r) => summaryOf(catalogue, r, links.get(r.id) ?? []));
  }

  async getItem(code: string): Promise<ItemDetail | undefined> {
    const catalogue = await this.catalogue();
    const found = await this.repo().itemWithLinks(catalogue.strategy.id, code);
    if (!found) return undefined;
    const { item, links } = found;
    const terms = found.termIds.map((id) => catalogue.termById.get(id)!);
    const ofKind = (k: TermKind) => terms.filter((t) => t.kind === k).sort((a, b) => a.position - b.position);
    return {
      ...summaryOf(catalogue, item, links),
      body: item.body,
      partners: links.filter((l) => l.role === 'partner').map((l) => catalogue.organisationById.get(l.organisationId)!),
      themes: ofKind('theme'),
      priorities: ofKind('priority'),
      shifts: ofKind('shift'),
      progressNote: item.progressNote,
      progressAsOf: item.progressAsOf,
      version: item.version,
      updatedAt: item.updatedAt,
    };
  }

  /**
   * An item as other features attach to it: its id, status and who leads and supports it.
   * Read through `exec` when the caller is inside a transaction.
   */
  async itemRef(code: string, exec: Executor = this.database.db): Promise<ItemRef | undefined> {
    const found = await this.repo(exec).itemWithLinks(undefined, code);
    if (!found) return undefined;
    const { item, links } = found;
    return {
      id: item.id,
      code: item.code,
      title: item.title,
      status: item.status,
      leadIds: links.filter((l) => l.role === 'lead').map((l) => l.organisationId),
      partnerIds: links.filter((l) => l.role === 'partner').map((l) => l.organisationId),
    };
  }

  /** An item's code and title from its id (for features that keep item ids). */
  async itemCode(itemId: number): Promise<{ code: string; title: string } | undefined> {
    const [item] = await this.repo().itemsByIds([itemId]);
    return item && { code: item.code, title: item.title };
  }

  /**
   * Every item as it stands now, retired ones too, in strategy order (area, then code), with
   * its area and organisations by name: what an annual review records. `addedAfterLaunch` is
   * true for items created after the strategy itself was loaded (the launch set is loaded with
   * the strategy, in the same transaction). Read through `exec` inside a transaction.
   */
  async itemsAsTheyStand(exec?: Executor): Promise<{ strategy: StrategyRecord; items: StandingItem[] }> {
    if (exec) return this.loadStanding(exec, await this.loadCatalogue(exec));
    // Outside a transaction: worked out once per revision and shared, so callers only read it.
    const revision = await this.revision();
    return this.memo.get('standing', revision, async () => this.loadStanding(this.database.db, await this.catalogue()));
  }

  private async loadStanding(exec: Executor, catalogue: Catalogue): Promise<{ strategy: StrategyRecord; items: StandingItem[] }> {
    const repo = this.repo(exec);
    const rows = await repo.allItems(catalogue.strategy.id);
    const links = groupBy(await repo.linksFor(rows.map((r) => r.id)), (l) => l.itemId);
    const order = new Map(catalogue.areas.map((a) => [a.id, a.position]));
    rows.sort((a, b) => (order.get(a.areaId) ?? 0) - (order.get(b.areaId) ?? 0) || a.code.localeCompare(b.code));
    const names = (itemId: number, role: 'lead' | 'partner') =>
      (links.get(itemId) ?? []).filter((l) => l.role === role).map((l) => catalogue.organisationById.get(l.organisationId)!.name);
    const launched = catalogue.strategy.createdAt.getTime();
    return {
      strategy: catalogue.strategy,
      items: rows.map((r) => {
        const area = catalogue.areaById.get(r.areaId)!;
        return {
          id: r.id,
          code: r.code,
          kind: r.kind,
          title: r.title,
          area: { slug: area.slug, name: area.name },
          status: r.status,
          governmentRole: r.governmentRole,
          targetText: r.targetText,
          leads: names(r.id, 'lead'),
          partners: names(r.id, 'partner'),
          addedAfterLaunch: r.createdAt.getTime() > launched,
        };
      }),
    };
  }

  /**
   * Gives an item the status of a verified, published progress update, inside the caller's
   * transaction (with its audit event); call `noteRevision` with the result after it commits.
   */
  async applyProgress(tx: Executor, actor: Actor, itemId: number, change: { status: ItemStatus; note: string; asOf: string }): Promise<number> {
    const repo = this.repo(tx);
    const [before] = await repo.itemsByIds([itemId]);
    if (!before) throw new Error(`item ${itemId} not found`);
    const after = await repo.setItemProgress(itemId, { status: change.status, progressNote: change.note, progressAsOf: change.asOf });
    await recordAudit(tx, actor, {
      action: 'item.progress_applied',
      objectType: 'item',
      objectId: before.code,
      before: { status: before.status, progressNote: before.progressNote, progressAsOf: before.progressAsOf },
      after: { status: after!.status, progressNote: after!.progressNote, progressAsOf: after!.progressAsOf },
    });
    return repo.bumpRevision(before.strategyId);
  }

  /**
   * Every item as plain facts (status, government role, area, organisations, terms) for
   * figures other features work out, such as the progress dashboard. Not memoised: callers
   * cache what they derive from it by revision.
   */
  async itemFacts(): Promise<ItemFacts[]> {
    const catalogue = await this.catalogue();
    const { items, links, terms } = await this.repo().itemFacts(catalogue.strategy.id);
    const byId = new Map<number, ItemFacts>(items.map((i) => [i.id, { ...i, leadIds: [], partnerIds: [], termIds: [] }]));
    for (const l of links) byId.get(l.itemId)?.[l.role === 'lead' ? 'leadIds' : 'partnerIds'].push(l.organisationId);
    for (const t of terms) byId.get(t.itemId)?.termIds.push(t.termId);
    return [...byId.values()];
  }

  /** Public pages change at once after another feature's write to the strategy commits. */
  noteRevision(revision: number): void {
    this.revisionClock.set(revision);
  }

  /** The items an organisation leads and those it supports, in strategy order. */
  async organisationItems(organisationId: number): Promise<{ leads: ItemSummary[]; partners: ItemSummary[] }> {
    const catalogue = await this.catalogue();
    const repo = this.repo();
    const links = await repo.organisationLinks(organisationId);
    const items = await repo.itemsByIds(links.map((l) => l.itemId));
    const order = new Map(catalogue.areas.map((a) => [a.id, a.position]));
    items.sort((a, b) => (order.get(a.areaId) ?? 0) - (order.get(b.areaId) ?? 0) || a.code.localeCompare(b.code));
    const summaries = await this.summaries(catalogue, items);
    // summaries keep the items' order, so each summary's role is its item's.
    const role = new Map(links.map((l) => [l.itemId, l.role]));
    const withRole = (r: 'lead' | 'partner') => summaries.filter((_, i) => role.get(items[i]!.id) === r);
    return { leads: withRole('lead'), partners: withRole('partner') };
  }

  /**
   * Who reports on what: one row per active (not retired) item and organisation leading or
   * supporting it, in organisation then item order. Compliance and reminders start here.
   */
  async reportingPairs(): Promise<ReportingPair[]> {
    const catalogue = await this.catalogue();
    const repo = this.repo();
    const active = (await repo.allItems(catalogue.strategy.id)).filter((i) => i.status !== 'retired');
    const byId = new Map(active.map((i) => [i.id, i]));
    const pairs: ReportingPair[] = [];
    for (const link of await repo.linksFor(active.map((i) => i.id))) {
      const item = byId.get(link.itemId)!;
      const organisation = catalogue.organisationById.get(link.organisationId);
      if (!organisation) continue;
      pairs.push({ organisation, role: link.role, item: { id: item.id, code: item.code, title: item.title } });
    }
    return pairs.sort((a, b) => a.organisation.name.localeCompare(b.organisation.name) || a.item.code.localeCompare(b.item.code, 'en', { numeric: true }));
  }

  async organisationList(): Promise<{ organisation: OrganisationRecord; lead: number; partner: number }[]> {
    const catalogue = await this.catalogue();
    return catalogue.organisations.map((organisation) => ({
      organisation,
      lead: catalogue.itemCounts.get(organisation.id)?.lead ?? 0,
      partner: catalogue.itemCounts.get(organisation.id)?.partner ?? 0,
    }));
  }

  /* ----- export ----- */

  async exportItems(): Promise<Record<string, string>[]> {
    const catalogue = await this.loadCatalogue(this.database.db);
    const items = await this.repo().allItems(catalogue.strategy.id);
    return (await this.snapshotsFor(this.database.db, catalogue, items)).map(snapshotToRow);
  }

  async exportOrganisations(): Promise<Record<string, string>[]> {
    const organisations = await this.repo().organisations();
    return organisations.map((o) => {
      const s = organisationSnapshot(o);
      return {
        name: s.name,
        short_name: s.short_name ?? '',
        kind: s.kind,
        is_government: s.is_government ? 'yes' : 'no',
        website: s.website ?? '',
      };
    });
  }

  private async snapshotsFor(exec: Executor, catalogue: Choices, items: ItemRecord[]): Promise<ItemSnapshot[]> {
    const repo = this.repo(exec);
    const ids = items.map((i) => i.id);
    const linksByItem = groupBy(await repo.linksFor(ids), (l) => l.itemId);
    const termsByItem = groupBy(await repo.termIdsFor(ids), (t) => t.itemId);
    return items.map((item) => snapshotOf(catalogue, item, linksByItem.get(item.id) ?? [], (termsByItem.get(item.id) ?? []).map((t) => t.termId)));
  }

  /* ----- import ----- */

  /**
   * Imports items from a table (CSV or XLSX rows). Every row is checked first; any problem
   * means nothing is written. Items are matched by code: new codes are created, changed ones
   * updated, identical ones left alone. Columns missing from the file keep their values.
   */
  async importItems(table: Table, actor: Actor, options: ImportOptions = {}): Promise<ImportResult> {
    const result = await this.database.db.transaction(async (tx) =>
      this.importItemsIn(tx, table, actor, options.dryRun ?? false, options.onProgress),
    );
    if (result.revision !== undefined) this.revisionClock.set(result.revision);
    return result.result;
  }

  async importOrganisations(table: Table, actor: Actor, options: ImportOptions = {}): Promise<ImportResult> {
    const result = await this.database.db.transaction(async (tx) =>
      this.importOrganisationsIn(tx, table, actor, options.dryRun ?? false),
    );
    if (result.revision !== undefined) {
      this.revisionClock.set(result.revision);
      this.choicesClock.forget();
    }
    return result.result;
  }

  private async importItemsIn(
    tx: Executor,
    table: Table,
    actor: Actor,
    dryRun: boolean,
    onProgress: ImportOptions['onProgress'] = () => undefined,
  ): Promise<{ result: ImportResult; revision?: number }> {
    const repo = this.repo(tx);
    const strategy = await repo.firstStrategy();
    if (!strategy) {
      return { result: failed(dryRun, [{ row: null, column: null, message: new NoStrategyError().message }]) };
    }
    this.strategyId = strategy.id;
    const catalogue = await this.loadCatalogue(tx);
    const { problems, warnings } = checkColumns(table, ITEM_COLUMNS, REQUIRED_ITEM_COLUMNS);
    if (problems.length) return { result: failed(dryRun, problems, warnings) };

    const resolver = new ReferenceResolver(catalogue);
    const seen = new Map<string, number>();
    const parsed: { rowNumber: number; row: ItemRow; present: Set<string>; fields: Partial<ItemFields>; leadIds: number[]; partnerIds: number[]; termIds: Partial<Record<TermKind, number[]>> }[] = [];
    for (const [index, { rowNumber, values }] of table.rows.entries()) {
      if (index % 500 === 0) onProgress('Checking', index, table.rows.length);
      const check = parseColumns(itemRowSchema, values);
      for (const p of check.problems) problems.push({ row: rowNumber, ...p });
      const code = codeSchema.safeParse(values.code ?? '');
      if (code.success) {
        const earlier = seen.get(code.data);
        if (earlier !== undefined) {
          problems.push({ row: rowNumber, column: 'code', message: `${code.data} is already on row ${earlier}` });
          continue;
        }
        seen.set(code.data, rowNumber);
      }
      if (!check.data) continue;
      const { data: row, present } = check;
      const rowProblems: ImportProblem[] = [];
      const note = (column: string, message: string) => rowProblems.push({ row: rowNumber, column, message });
      const area = resolver.area(row.area);
      if (!area) note('area', `"${row.area}" is not an area; use one of: ${catalogue.areas.map((a) => a.slug).join(', ')}`);
      const orgIds = (column: string, names: string[] | undefined) =>
        (names ?? []).flatMap((name) => {
          const org = resolver.organisation(name);
          if (!org) {
            note(column, `"${name}" is not a known organisation; import it first with "strategy-hub import organisations"`);
            return [];
          }
          return [org.id];
        });
      const leadIds = orgIds('lead_organisations', row.lead_organisations);
      const partnerIds = orgIds('partner_organisations', row.partner_organisations);
      for (const id of partnerIds) {
        if (leadIds.includes(id)) note('partner_organisations', `${orgReference(catalogue.organisationById.get(id)!)} is already a lead`);
      }
      for (const [label, ids] of [['lead_organisations', leadIds], ['partner_organisations', partnerIds]] as const) {
        if (new Set(ids).size !== ids.length) note(label, 'names the same organisation twice');
      }
      const termIds: Partial<Record<TermKind, number[]>> = {};
      for (const kind of ['theme', 'priority', 'shift'] as const) {
        const column = TERM_COLUMN[kind];
        const names = row[column];
        if (names === undefined) continue;
        termIds[kind] = names.flatMap((name) => {
          const term = resolver.term(kind, name);
          if (!term) {
            note(column, `"${name}" is not one of: ${resolver.termSlugs(kind).join(', ')}`);
            return [];
          }
          return [term.id];
        });
      }
      if (rowProblems.length) {
        problems.push(...rowProblems);
        continue;
      }
      parsed.push({
        rowNumber,
        row,
        present,
        fields: rowFields(row, area!.id),
        leadIds,
        partnerIds,
        termIds,
      });
    }
    onProgress('Checking', table.rows.length, table.rows.length);
    if (problems.length) return { result: failed(dryRun, problems, warnings) };

    // Plan: compare each row, merged over what exists, with what exists.
    const existing = new Map((await repo.allItems(strategy.id)).map((i) => [i.code, i]));
    const existingSnapshots = new Map(
      (await this.snapshotsFor(tx, catalogue, [...existing.values()])).map((s) => [s.code, s]),
    );
    const existingLinks = groupBy(await repo.linksFor([...existing.values()].map((i) => i.id)), (l) => l.itemId);
    const existingTerms = groupBy(await repo.termIdsFor([...existing.values()].map((i) => i.id)), (t) => t.itemId);

    interface Planned {
      code: string;
      current?: ItemRecord;
      fields: ItemFields;
      leadIds: number[];
      partnerIds: number[];
      termIds: number[];
      before?: ItemSnapshot;
      after: ItemSnapshot;
    }
    const creates: Planned[] = [];
    const updates: Planned[] = [];
    const changes: ImportChange[] = [];
    for (const p of parsed) {
      const current = existing.get(p.row.code);
      const base: ItemFields = current
        ? pickFields(current)
        : { code: p.row.code, kind: null, title: '', summary: '', body: '', areaId: p.fields.areaId!, targetText: null, targetDate: null, governmentRole: null, status: null, progressNote: null, progressAsOf: null };
      const fields: ItemFields = { ...base, ...p.fields };
      const links = current ? (existingLinks.get(current.id) ?? []) : [];
      const leadIds = p.leadIds;
      let partnerIds = p.present.has('partner_organisations') ? p.partnerIds : links.filter((l) => l.role === 'partner').map((l) => l.organisationId);
      // Leads are always in the file (a required column); a kept partner now named as a lead
      // becomes a lead, not both.
      if (!p.present.has('partner_organisations')) partnerIds = partnerIds.filter((id) => !leadIds.includes(id));
      const currentTermIds = current ? (existingTerms.get(current.id) ?? []).map((t) => t.termId) : [];
      const termIds = (['theme', 'priority', 'shift'] as const).flatMap((kind) =>
        p.termIds[kind] ?? currentTermIds.filter((id) => catalogue.termById.get(id)?.kind === kind),
      );
      const after = buildSnapshot(catalogue, fields, leadIds, partnerIds, termIds);
      const before = current ? existingSnapshots.get(current.code) : undefined;
      const changed = before ? changedFields(before, after) : [];
      const plan: Planned = { code: p.row.code, ...(current ? { current } : {}), fields, leadIds, partnerIds, termIds, ...(before ? { before } : {}), after };
      if (!current) {
        creates.push(plan);
        changes.push({ key: p.row.code, action: 'create', fields: [] });
      } else if (changed.length) {
        updates.push(plan);
        changes.push({ key: p.row.code, action: 'update', fields: changed });
      } else {
        changes.push({ key: p.row.code, action: 'unchanged', fields: [] });
      }
    }
    const result = succeeded(dryRun, warnings, changes);
    if (dryRun || (!creates.length && !updates.length)) return { result };

    const withSearch = (p: Planned) => ({
      ...p.fields,
      searchText: searchTextFor(
        p.fields,
        catalogue.areaById.get(p.fields.areaId),
        [...p.leadIds, ...p.partnerIds].map((id) => catalogue.organisationById.get(id)!),
      ),
    });
    const toWrite = creates.length + updates.length;
    onProgress('Writing', 0, toWrite);
    const inserted = await repo.insertItems(strategy.id, creates.map(withSearch));
    const idByCode = new Map(inserted.map((r) => [r.code, r.id]));
    onProgress('Writing', creates.length, toWrite);
    for (const [i, u] of updates.entries()) {
      await repo.updateItem(u.current!.id, withSearch(u));
      idByCode.set(u.code, u.current!.id);
      if (i % 200 === 0) onProgress('Writing', creates.length + i, toWrite);
    }
    onProgress('Writing', toWrite, toWrite);
    const touched = [...creates, ...updates];
    await repo.replaceLinks(
      touched.map((p) => idByCode.get(p.code)!),
      touched.flatMap((p) => {
        const itemId = idByCode.get(p.code)!;
        return [
          ...p.leadIds.map((organisationId, position) => ({ itemId, organisationId, role: 'lead' as const, position })),
          ...p.partnerIds.map((organisationId, i) => ({ itemId, organisationId, role: 'partner' as const, position: p.leadIds.length + i })),
        ];
      }),
      touched.flatMap((p) => p.termIds.map((termId) => ({ itemId: idByCode.get(p.code)!, termId }))),
    );
    const audit: AuditEntry[] = [
      ...creates.map((p) => ({ action: 'item.created', objectType: 'item', objectId: p.code, after: p.after })),
      ...updates.map((p) => ({ action: 'item.updated', objectType: 'item', objectId: p.code, before: p.before, after: p.after })),
    ];
    await recordAudit(tx, actor, audit);
    const revision = await repo.bumpRevision(strategy.id);
    return { result, revision };
  }

  private async importOrganisationsIn(
    tx: Executor,
    table: Table,
    actor: Actor,
    dryRun: boolean,
  ): Promise<{ result: ImportResult; revision?: number }> {
    const repo = this.repo(tx);
    const { problems, warnings } = checkColumns(table, ORGANISATION_COLUMNS, REQUIRED_ORGANISATION_COLUMNS);
    if (problems.length) return { result: failed(dryRun, problems, warnings) };
    const existing = await repo.organisations();
    const byName = new Map(existing.map((o) => [o.name.toLowerCase(), o]));
    const seen = new Map<string, number>();
    const shortNames = new Map(existing.filter((o) => o.shortName).map((o) => [o.shortName!.toLowerCase(), o.name.toLowerCase()]));
    const planned: { current?: OrganisationRecord; after: OrganisationSnapshot; present: Set<string> }[] = [];
    for (const { rowNumber, values } of table.rows) {
      const check = parseColumns(organisationRowSchema, values);
      for (const p of check.problems) problems.push({ row: rowNumber, ...p });
      if (!check.data) continue;
      const { data: row, present } = check;
      const key = row.name.toLowerCase();
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        problems.push({ row: rowNumber, column: 'name', message: `${row.name} is already on row ${earlier}` });
        continue;
      }
      seen.set(key, rowNumber);
      const current = byName.get(key);
      const base: OrganisationSnapshot = current
        ? organisationSnapshot(current)
        : { name: row.name, short_name: null, kind: 'other', is_government: false, website: null };
      const after: OrganisationSnapshot = {
        name: row.name,
        short_name: row.short_name !== undefined ? row.short_name : base.short_name,
        kind: row.kind ?? base.kind,
        is_government: row.is_government ?? base.is_government,
        website: row.website !== undefined ? row.website : base.website,
      };
      if (after.short_name) {
        const holder = shortNames.get(after.short_name.toLowerCase());
        if (holder !== undefined && holder !== key) {
          problems.push({ row: rowNumber, column: 'short_name', message: `${after.short_name} is already the short name of another organisation` });
          continue;
        }
        shortNames.set(after.short_name.toLowerCase(), key);
      }
      planned.push({ ...(current ? { current } : {}), after, present });
    }
    if (problems.length) return { result: failed(dryRun, problems, warnings) };

    const changes: ImportChange[] = planned.map((p) => {
      if (!p.current) return { key: p.after.name, action: 'create', fields: [] };
      const fields = changedFields(organisationSnapshot(p.current), p.after);
      return { key: p.after.name, action: fields.length ? 'update' : 'unchanged', fields };
    });
    const result = succeeded(dryRun, warnings, changes);
    if (dryRun || result.created + result.updated === 0) return { result };

    const usedSlugs = new Set(existing.map((o) => o.slug));
    const audit: AuditEntry[] = [];
    const renamedOrgIds: number[] = [];
    for (const [i, p] of planned.entries()) {
      const values = {
        name: p.after.name,
        shortName: p.after.short_name,
        kind: p.after.kind,
        isGovernment: p.after.is_government,
        website: p.after.website,
      };
      if (!p.current) {
        let slug = slugify(p.after.name);
        for (let n = 2; usedSlugs.has(slug); n++) slug = `${slugify(p.after.name)}-${n}`;
        usedSlugs.add(slug);
        await repo.insertOrganisation({ slug, ...values });
        audit.push({ action: 'organisation.created', objectType: 'organisation', objectId: slug, after: p.after });
      } else if (changes[i]!.action === 'update') {
        await repo.updateOrganisation(p.current.id, values);
        renamedOrgIds.push(p.current.id);
        audit.push({ action: 'organisation.updated', objectType: 'organisation', objectId: p.current.slug, before: organisationSnapshot(p.current), after: p.after });
      }
    }
    await recordAudit(tx, actor, audit);
    const strategy = await repo.firstStrategy();
    if (!strategy) return { result };
    if (renamedOrgIds.length) await this.refreshSearchText(tx, strategy.id, renamedOrgIds);
    return { result, revision: await repo.bumpRevision(strategy.id) };
  }

  /** Keeps free-text search in step when organisations' names change. */
  private async refreshSearchText(tx: Executor, strategyId: number, organisationIds: number[]): Promise<void> {
    const repo = this.repo(tx);
    const catalogue = await this.loadCatalogue(tx);
    const all = await repo.allItems(strategyId);
    const links = groupBy(await repo.linksFor(all.map((i) => i.id)), (l) => l.itemId);
    for (const item of all) {
      const orgIds = (links.get(item.id) ?? []).map((l) => l.organisationId);
      if (!orgIds.some((id) => organisationIds.includes(id))) continue;
      const fields = pickFields(item);
      const searchText = searchTextFor(fields, catalogue.areaById.get(item.areaId), orgIds.map((id) => catalogue.organisationById.get(id)!));
      await repo.setSearchText(item.id, searchText);
    }
  }

  /* ----- the demo strategy ----- */

  /**
   * Loads the shipped demo strategy (areas, taxonomies, phases, organisations, items) into an
   * empty database, in one transaction. Returns false when a strategy already exists.
   */
  async seedDemo(actor: Actor): Promise<boolean> {
    const folder = path.join(datasetsDir, 'demo-strategy');
    const definition = JSON.parse(await readFile(path.join(folder, 'strategy.json'), 'utf8')) as DemoStrategy;
    const organisations = parseCsv(await readFile(path.join(folder, 'organisations.csv')));
    const items = parseCsv(await readFile(path.join(folder, 'items.csv')));
    const outcome = await this.database.db.transaction(async (tx) => {
      const repo = this.repo(tx);
      // Instances starting together on one empty server: one seeds, the others wait and see it.
      await repo.lockForSeeding();
      if (await repo.firstStrategy()) return undefined;
      const strategy = await repo.insertStrategy({
        slug: definition.slug,
        title: definition.title,
        shortTitle: definition.shortTitle,
        summary: definition.summary,
        description: definition.description,
        publishedOn: definition.publishedOn,
        horizonYears: definition.horizonYears,
        dataNotice: definition.dataNotice,
      });
      this.strategyId = strategy.id;
      await repo.insertAreas(definition.areas.map((a, position) => ({ strategyId: strategy.id, position, ...a })));
      await repo.insertTerms(
        (['themes', 'priorities', 'shifts'] as const).flatMap((group) =>
          definition[group].map((t, position) => ({
            strategyId: strategy.id,
            kind: ({ themes: 'theme', priorities: 'priority', shifts: 'shift' } as const)[group],
            position,
            slug: t.slug,
            name: t.name,
            description: t.description ?? '',
          })),
        ),
      );
      await repo.insertPhases(definition.phases.map((p, position) => ({ strategyId: strategy.id, position, ...p })));
      await recordAudit(tx, actor, { action: 'strategy.created', objectType: 'strategy', objectId: strategy.slug, after: definition });
      const orgResult = await this.importOrganisationsIn(tx, organisations, actor, false);
      const itemResult = await this.importItemsIn(tx, items, actor, false);
      for (const r of [orgResult.result, itemResult.result]) {
        if (!r.ok) throw new Error(`The demo dataset is invalid: ${JSON.stringify(r.problems.slice(0, 5))}`);
      }
      return itemResult.revision ?? (await repo.revision(strategy.id));
    });
    if (outcome === undefined) return false;
    this.revisionClock.set(outcome);
    this.choicesClock.forget();
    return true;
  }

  /* ----- managing items (strategy team) ----- */

  /** Creates an item from the strategy team's form. Its status starts as "Not reported". */
  async createItem(actor: Actor, viewer: CurrentUser, input: ItemInput & { code: string }): Promise<ItemChange> {
    if (!can(viewer, 'items.manage')) throw new ForbiddenError();
    return this.changeItem(async (tx, catalogue) => (await this.insertItem(tx, actor, catalogue, input, null)).change);
  }

  /**
   * Creates an item inside the caller's transaction, with the same rules as `createItem` (a
   * free code, a known area, organisations and terms) and its audit event; the drafting
   * pipeline accepts a draft this way, in the transaction that records the decision. The caller
   * authorises. Returns the item's id and the new revision: call `noteRevision` with it after
   * the transaction commits.
   */
  async createItemIn(tx: Executor, actor: Actor, input: ItemInput & { code: string }, status: ItemStatus | null): Promise<{ id: number; code: string; revision: number }> {
    const catalogue = await this.loadCatalogue(tx);
    const { id } = await this.insertItem(tx, actor, catalogue, input, status);
    return { id, code: input.code, revision: await this.repo(tx).bumpRevision(catalogue.strategy.id) };
  }

  private async insertItem(tx: Executor, actor: Actor, catalogue: Choices, input: ItemInput & { code: string }, status: ItemStatus | null): Promise<{ id: number; change: ItemChange }> {
    const { code } = input;
    if (code.length > 20 || !CODE_PATTERN.test(code)) throw new InputError([{ field: 'code', message: 'Code must be letters, digits and hyphens, like AR-08' }]);
    const repo = this.repo(tx);
    const taken = () => new InputError([{ field: 'code', message: `${code} is already the code of another item` }]);
    if (await repo.itemByCode(catalogue.strategy.id, code)) throw taken();
    const refs = resolveItemInput(catalogue, input);
    const fields: ItemFields = { code, ...refs.fields, status, progressNote: null, progressAsOf: null };
    const id = await repo.insertItem(catalogue.strategy.id, { ...fields, searchText: itemSearchText(catalogue, fields, refs) });
    if (id === undefined) throw taken();
    await repo.replaceLinks([id], linkRows(id, refs), refs.termIds.map((termId) => ({ itemId: id, termId })));
    const after = buildSnapshot(catalogue, fields, refs.leadIds, refs.partnerIds, refs.termIds);
    await recordAudit(tx, actor, { action: 'item.created', objectType: 'item', objectId: code, after });
    return { id, change: { code, title: fields.title, status, changed: true } };
  }

  /**
   * The next free code in an area, for a form to suggest: the area's most used prefix ("TR")
   * and one more than the highest number with it ("TR-08"). Undefined when the area has no items.
   */
  async suggestCode(areaSlug: string): Promise<string | undefined> {
    const catalogue = await this.catalogue();
    const area = catalogue.areas.find((a) => a.slug === areaSlug);
    if (!area) return undefined;
    const codes = (await this.repo().allItems(catalogue.strategy.id)).map((i) => ({ code: i.code, areaId: i.areaId }));
    const prefixes = new Map<string, number>();
    for (const c of codes.filter((c) => c.areaId === area.id)) {
      const m = /^(.*?)-?(\d+)$/.exec(c.code);
      if (m?.[1]) prefixes.set(m[1], (prefixes.get(m[1]) ?? 0) + 1);
    }
    const prefix = [...prefixes.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
    if (!prefix) return undefined;
    const numbers = codes.map((c) => new RegExp(`^${prefix.replace(/[^A-Z0-9-]/g, '')}-?(\\d+)$`).exec(c.code)).filter((m): m is RegExpExecArray => !!m);
    const width = Math.max(2, ...numbers.map((m) => m[1]!.length));
    const next = Math.max(0, ...numbers.map((m) => Number(m[1]))) + 1;
    return `${prefix}-${String(next).padStart(width, '0')}`;
  }

  /**
   * Saves the strategy team's edit of an item, if nobody has saved it since `version` (else a
   * ConflictError, and nothing written). Its code, status and progress stay as they are.
   */
  async updateItem(actor: Actor, viewer: CurrentUser, code: string, input: ItemInput, version: number): Promise<ItemChange> {
    if (!can(viewer, 'items.manage')) throw new ForbiddenError();
    return this.changeItem(async (tx, catalogue, markChanged) => {
      const repo = this.repo(tx);
      const { item: current, links, termIds } = await itemAt(repo, catalogue, code, version, editConflict(code));
      const refs = keepOrder(resolveItemInput(catalogue, input), links);
      const fields: ItemFields = { ...pickFields(current), ...refs.fields };
      const before = snapshotOf(catalogue, current, links, termIds);
      const after = buildSnapshot(catalogue, fields, refs.leadIds, refs.partnerIds, refs.termIds);
      if (changedFields(before, after).length === 0) return { code, title: current.title, status: current.status, changed: false };
      // Organisations and terms are written again only when they changed (most edits are to words).
      const rows = linkRows(current.id, refs);
      const sameLinks = rows.length === links.length && rows.every((r, i) => r.organisationId === links[i]!.organisationId && r.role === links[i]!.role);
      const sameTerms = refs.termIds.length === termIds.length && [...refs.termIds].sort((a, b) => a - b).every((t, i) => t === termIds[i]);
      // Sent together (one round trip); should the version have moved, the transaction rolls them back.
      const [updated] = await Promise.all([
        repo.updateItemAtVersion(current.id, version, { ...fields, searchText: itemSearchText(catalogue, fields, refs) }),
        sameLinks && sameTerms ? undefined : repo.replaceLinks([current.id], rows, refs.termIds.map((termId) => ({ itemId: current.id, termId }))),
        recordAudit(tx, actor, { action: 'item.updated', objectType: 'item', objectId: code, before, after }),
        markChanged(),
      ]);
      if (!updated) throw new ConflictError(editConflict(code));
      return { code, title: fields.title, status: current.status, changed: true };
    });
  }

  /** Retires an item: it stays public, tagged "Retired", and leaves the headline shares. */
  async retireItem(actor: Actor, viewer: CurrentUser, code: string, version: number): Promise<ItemChange> {
    if (!can(viewer, 'items.manage')) throw new ForbiddenError();
    return this.changeItem(async (tx, catalogue, markChanged) => {
      const current = await itemAt(this.repo(tx), catalogue, code, version, statusConflict(code));
      if (current.item.status === 'retired') throw new InputError([{ field: 'status', message: `${code} is already retired` }]);
      return this.setItemStatus(tx, actor, catalogue, markChanged, current, 'retired', 'item.retired');
    });
  }

  /** Puts a retired item back, with the status it had before it was retired (see `statusOnReinstating`). */
  async reinstateItem(actor: Actor, viewer: CurrentUser, code: string, version: number): Promise<ItemChange> {
    if (!can(viewer, 'items.manage')) throw new ForbiddenError();
    return this.changeItem(async (tx, catalogue, markChanged) => {
      const current = await itemAt(this.repo(tx), catalogue, code, version, statusConflict(code));
      if (current.item.status !== 'retired') throw new InputError([{ field: 'status', message: `${code} is not retired` }]);
      return this.setItemStatus(tx, actor, catalogue, markChanged, current, await this.statusOnReinstating(code, tx), 'item.reinstated');
    });
  }

  /**
   * The status a retired item goes back to: the one the audit trail says it had when it was
   * retired (in the browser or by an import), or none ("Not reported") if there is no record.
   */
  async statusOnReinstating(code: string, exec: Executor = this.database.db): Promise<ItemStatus | null> {
    const status = await this.repo(exec).statusBeforeRetiring(code);
    return ITEM_STATUSES.find((s) => s === status && s !== 'retired') ?? null;
  }

  /**
   * One write to items in one transaction; public pages see it as soon as it commits. The
   * choices (areas, terms, organisations: what the form names) are the ones kept in memory,
   * shared with the pages being built and taken before the transaction begins, so it holds its
   * connection and locks for fewer round trips; another item's change does not make them read
   * again. Should a choice have been removed since (by an import on another instance, in the
   * second before this one sees it), its row is refused by the foreign key, and the editor is
   * asked to check and save again.
   */
  private async changeItem(work: (tx: Executor, catalogue: Choices, markChanged: MarkChanged) => Promise<ItemChange>): Promise<ItemChange> {
    const catalogue = await this.choices();
    let outcome: { change: ItemChange; revision: number | undefined };
    try {
      outcome = await this.database.db.transaction(async (tx) => {
        // Moves the revision once; `work` sends it with its last writes, in their round trip.
        let revision: Promise<number> | undefined;
        const markChanged = () => (revision ??= this.repo(tx).bumpRevision(catalogue.strategy.id));
        const change = await work(tx, catalogue, markChanged);
        return { change, revision: change.changed ? await markChanged() : undefined };
      });
    } catch (error) {
      if (pgErrorCode(error) === '23503') throw new ConflictError('The strategy’s areas, organisations or terms changed while you were editing: check your choices and save again');
      throw error;
    }
    if (outcome.revision !== undefined) this.revisionClock.set(outcome.revision);
    return outcome.change;
  }

  private async setItemStatus(
    tx: Executor,
    actor: Actor,
    catalogue: Choices,
    markChanged: MarkChanged,
    { item: current, links, termIds }: ItemWithLinks,
    status: ItemStatus | null,
    action: string,
  ): Promise<ItemChange> {
    const before = snapshotOf(catalogue, current, links, termIds);
    // Sent together (one round trip); should the version have moved, the transaction rolls them back.
    const [updated] = await Promise.all([
      this.repo(tx).updateItemAtVersion(current.id, current.version, { status }),
      recordAudit(tx, actor, { action, objectType: 'item', objectId: current.code, before, after: { ...before, status } }),
      markChanged(),
    ]);
    if (!updated) throw new ConflictError(statusConflict(current.code));
    return { code: current.code, title: current.title, status, changed: true };
  }
}

/* ---------- managing items: the form's input, checked against the catalogue ---------- */

/** An item as the strategy team's form gives it: area, organisations and terms by slug. */
export interface ItemInput {
  kind: ItemKind | null;
  title: string;
  summary: string;
  body: string;
  area: string;
  leads: string[];
  partners: string[];
  themes: string[];
  priorities: string[];
  shifts: string[];
  targetText: string | null;
  targetDate: string | null;
  governmentRole: GovernmentRole | null;
}

/** What a write did, for the confirmation a person sees. `changed` is false when nothing needed saving. */
export interface ItemChange {
  code: string;
  title: string;
  status: ItemStatus | null;
  changed: boolean;
}

interface ResolvedItem {
  fields: Omit<ItemFields, 'code' | 'status' | 'progressNote' | 'progressAsOf'>;
  leadIds: number[];
  partnerIds: number[];
  termIds: number[];
}

const editConflict = (code: string) =>
  `${code} was changed by someone else while you were editing it. Your changes are below; check them against the current version and save again.`;
const statusConflict = (code: string) => `${code} was changed by someone else since you opened this page. Check it below and try again.`;

/** The item with its organisations and terms, if it is still at `version`; a ConflictError with `conflict` if not. */
async function itemAt(repo: StrategyRepository, catalogue: Choices, code: string, version: number, conflict: string): Promise<ItemWithLinks> {
  const found = await repo.itemWithLinks(catalogue.strategy.id, code);
  if (!found) throw new InputError([{ field: 'code', message: `No item has the code ${code}` }]);
  if (found.item.version !== version) throw new ConflictError(conflict);
  return found;
}

/** Finds the area, organisations and terms an input names; every unknown one is a problem. */
function resolveItemInput(catalogue: Choices, input: ItemInput): ResolvedItem {
  const problems: FieldProblem[] = [];
  const area = catalogue.areas.find((a) => a.slug === input.area);
  if (!area) problems.push({ field: 'area', message: 'Select an area from the list' });
  const organisations = new Map(catalogue.organisations.map((o) => [o.slug, o]));
  const find = <T extends { id: number }>(field: string, slugs: string[], bySlug: Map<string, T>, what: string) =>
    [...new Set(slugs)].flatMap((slug) => {
      const found = bySlug.get(slug);
      if (!found) problems.push({ field, message: `“${slug}” is not ${what}: select from the list` });
      return found ? [found.id] : [];
    });
  const leadIds = find('leads', input.leads, organisations, 'an organisation');
  const partnerIds = find('partners', input.partners, organisations, 'an organisation');
  const both = partnerIds.filter((id) => leadIds.includes(id));
  if (both.length) problems.push({ field: 'partners', message: leadAndPartnerMessage(both.map((id) => catalogue.organisationById.get(id)!.name)) });
  const termIds = (['theme', 'priority', 'shift'] as const).flatMap((kind) => {
    const field = TERM_COLUMN[kind];
    return find(field, input[field], new Map(catalogue[field].map((t) => [t.slug, t])), `one of the strategy’s ${field}`);
  });
  if (problems.length) throw new InputError(problems);
  return {
    fields: {
      kind: input.kind,
      title: input.title,
      summary: input.summary,
      body: input.body,
      areaId: area!.id,
      targetText: input.targetText,
      targetDate: input.targetDate,
      governmentRole: input.governmentRole,
    },
    leadIds,
    partnerIds,
    termIds,
  };
}

/**
 * Organisations the item already names keep their places (a form lists them alphabetically,
 * an import in the order given); new ones follow, so an untouched list is not a change.
 */
function keepOrder(refs: ResolvedItem, links: { organisationId: number }[]): ResolvedItem {
  const place = new Map(links.map((l, i) => [l.organisationId, i]));
  const ordered = (ids: number[]) =>
    ids.map((id, i) => ({ id, at: place.get(id) ?? links.length + i })).sort((a, b) => a.at - b.at).map((o) => o.id);
  return { ...refs, leadIds: ordered(refs.leadIds), partnerIds: ordered(refs.partnerIds) };
}

function linkRows(itemId: number, refs: ResolvedItem) {
  return [
    ...refs.leadIds.map((organisationId, position) => ({ itemId, organisationId, role: 'lead' as const, position })),
    ...refs.partnerIds.map((organisationId, i) => ({ itemId, organisationId, role: 'partner' as const, position: refs.leadIds.length + i })),
  ];
}

function itemSearchText(catalogue: Choices, fields: ItemFields, refs: ResolvedItem): string {
  return searchTextFor(fields, catalogue.areaById.get(fields.areaId), [...refs.leadIds, ...refs.partnerIds].map((id) => catalogue.organisationById.get(id)!));
}

interface DemoStrategy {
  slug: string;
  title: string;
  shortTitle: string;
  summary: string;
  description: string;
  publishedOn: string;
  horizonYears: number;
  dataNotice: string;
  areas: { slug: string; name: string; description: string }[];
  themes: { slug: string; name: string; description?: string }[];
  priorities: { slug: string; name: string; description?: string }[];
  shifts: { slug: string; name: string; description?: string }[];
  phases: { slug: string; name: string; description: string; startsOn: string | null; endsOn: string | null }[];
}

/* ---------- helpers ---------- */

function groupBy<T, K>(list: T[], key: (t: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const item of list) {
    const k = key(item);
    const bucket = map.get(k);
    if (bucket) bucket.push(item);
    else map.set(k, [item]);
  }
  return map;
}

/**
 * Parses a spreadsheet row column by column, so every bad cell is reported, not just the
 * first. Columns absent from the file are left out (they keep existing values).
 */
function parseColumns<S extends z.ZodObject>(
  schema: S,
  values: Record<string, string>,
): { data?: z.output<S>; present: Set<string>; problems: { column: string; message: string }[] } {
  const present = new Set(Object.keys(values).filter((k) => k in schema.shape));
  const problems: { column: string; message: string }[] = [];
  const data: Record<string, unknown> = {};
  // A CSV header guarantees every row has the required columns; a JSON row may still lack one.
  for (const [column, field] of Object.entries(schema.shape)) {
    if (!present.has(column) && !(field as z.ZodType).safeParse(undefined).success) problems.push({ column, message: 'is required' });
  }
  for (const column of present) {
    const result = (schema.shape[column] as z.ZodType).safeParse(values[column]);
    if (result.success) data[column] = result.data;
    else for (const p of problemsFrom(result.error)) problems.push({ column, message: p.message });
  }
  if (problems.length) return { present, problems };
  return { data: data as z.output<S>, present, problems };
}

function succeeded(dryRun: boolean, warnings: string[], changes: ImportChange[]): ImportResult {
  const count = (action: ImportChange['action']) => changes.filter((c) => c.action === action).length;
  return { ok: true, dryRun, problems: [], warnings, changes, created: count('create'), updated: count('update'), unchanged: count('unchanged') };
}

function failed(dryRun: boolean, problems: ImportProblem[], warnings: string[] = []): ImportResult {
  return { ok: false, dryRun, problems, warnings, changes: [], created: 0, updated: 0, unchanged: 0 };
}

function checkColumns(table: Table, known: readonly string[], required: readonly string[]): { problems: ImportProblem[]; warnings: string[] } {
  const problems: ImportProblem[] = required
    .filter((c) => !table.columns.includes(c))
    .map((c) => ({ row: 1, column: c, message: 'this column is required but missing from the header row' }));
  const warnings = table.columns
    .filter((c) => !known.includes(c))
    .map((c) => `Column "${c}" is not one the import reads; it was ignored (known columns: ${known.join(', ')})`);
  const counts = new Map<string, number>();
  for (const c of table.columns) counts.set(c, (counts.get(c) ?? 0) + 1);
  for (const [c, n] of counts) if (n > 1) problems.push({ row: 1, column: c, message: 'this column appears more than once' });
  if (!problems.length && table.rows.length === 0) problems.push({ row: null, column: null, message: 'The file has a header row but no data rows' });
  return { problems, warnings };
}

function pickFields(item: ItemRecord): ItemFields {
  return {
    code: item.code,
    kind: item.kind,
    title: item.title,
    summary: item.summary,
    body: item.body,
    areaId: item.areaId,
    targetText: item.targetText,
    targetDate: item.targetDate,
    governmentRole: item.governmentRole,
    status: item.status,
    progressNote: item.progressNote,
    progressAsOf: item.progressAsOf,
  };
}

/** The fields a row sets; columns absent from the file are left out, so they keep their values. */
function rowFields(row: ItemRow, areaId: number): Partial<ItemFields> {
  const fields: Partial<ItemFields> = { code: row.code, title: row.title, areaId };
  if (row.type !== undefined) fields.kind = row.type;
  if (row.summary !== undefined) fields.summary = row.summary;
  if (row.body !== undefined) fields.body = row.body;
  if (row.target !== undefined) fields.targetText = row.target;
  if (row.target_date !== undefined) fields.targetDate = row.target_date;
  if (row.government_role !== undefined) fields.governmentRole = row.government_role;
  if (row.status !== undefined) fields.status = row.status;
  if (row.progress_note !== undefined) fields.progressNote = row.progress_note;
  if (row.progress_as_of !== undefined) fields.progressAsOf = row.progress_as_of;
  return fields;
}

const choicesDigests = new WeakMap<Choices, string>();

/** A short hash of what the choices say (not the strategy's revision), worked out once for each set. */
function describedBy(choices: Choices): string {
  let digest = choicesDigests.get(choices);
  if (digest === undefined) {
    const { revision: _revision, updatedAt: _updatedAt, ...strategy } = choices.strategy;
    digest = createHash('sha1')
      .update(JSON.stringify([strategy, choices.areas, choices.themes, choices.priorities, choices.shifts, choices.phases, choices.organisations]))
      .digest('base64url')
      .slice(0, 16);
    choicesDigests.set(choices, digest);
  }
  return digest;
}

/** Moves the strategy's revision inside a change's transaction (once, however often called). */
type MarkChanged = () => Promise<number>;

function withCounts(choices: Choices, itemCounts: Map<number, { lead: number; partner: number }>): Catalogue {
  return { ...choices, itemCounts, leadOrganisations: choices.organisations.filter((o) => (itemCounts.get(o.id)?.lead ?? 0) > 0) };
}

function snapshotOf(catalogue: Choices, item: ItemRecord, links: { role: OrganisationRole; organisationId: number }[], termIds: number[]): ItemSnapshot {
  const ids = (role: OrganisationRole) => links.filter((l) => l.role === role).map((l) => l.organisationId);
  return buildSnapshot(catalogue, pickFields(item), ids('lead'), ids('partner'), termIds);
}

type SummaryRow = Pick<ItemRecord, 'code' | 'kind' | 'title' | 'summary' | 'status' | 'targetText' | 'targetDate' | 'governmentRole' | 'areaId'> & { id: number };

/** An item as lists show it, from its row and its organisations. */
function summaryOf(catalogue: Choices, r: SummaryRow, links: { role: OrganisationRole; organisationId: number }[]): ItemSummary {
  return {
    code: r.code,
    kind: r.kind,
    title: r.title,
    summary: r.summary,
    area: catalogue.areaById.get(r.areaId)!,
    status: r.status,
    targetText: r.targetText,
    targetDate: r.targetDate,
    governmentRole: r.governmentRole,
    leads: links.filter((l) => l.role === 'lead').map((l) => catalogue.organisationById.get(l.organisationId)!),
  };
}

function buildSnapshot(catalogue: Choices, f: ItemFields, leadIds: number[], partnerIds: number[], termIds: number[]): ItemSnapshot {
  const org = (id: number) => orgReference(catalogue.organisationById.get(id)!);
  const terms = termIds.map((id) => catalogue.termById.get(id)!).sort((a, b) => a.position - b.position);
  const slugs = (k: TermKind) => terms.filter((t) => t.kind === k).map((t) => t.slug);
  return {
    code: f.code,
    type: f.kind,
    title: f.title,
    summary: f.summary,
    area: catalogue.areaById.get(f.areaId)!.slug,
    lead_organisations: leadIds.map(org),
    partner_organisations: partnerIds.map(org),
    target: f.targetText,
    target_date: f.targetDate,
    government_role: f.governmentRole,
    status: f.status,
    progress_note: f.progressNote,
    progress_as_of: f.progressAsOf,
    themes: slugs('theme'),
    priorities: slugs('priority'),
    shifts: slugs('shift'),
    body: f.body,
  };
}

function changedFields<T extends object>(before: T, after: T): string[] {
  return Object.keys(after).filter(
    (k) => JSON.stringify(before[k as keyof T]) !== JSON.stringify(after[k as keyof T]),
  );
}

function organisationSnapshot(o: OrganisationRecord): OrganisationSnapshot {
  return { name: o.name, short_name: o.shortName, kind: o.kind, is_government: o.isGovernment, website: o.website };
}

function snapshotToRow(s: ItemSnapshot): Record<string, string> {
  return Object.fromEntries(
    ITEM_COLUMNS.map((column) => {
      const value = s[column];
      return [column, Array.isArray(value) ? value.join('; ') : (value ?? '')];
    }),
  );
}

/** Finds areas, organisations and terms by slug, name or short name, ignoring case. */
class ReferenceResolver {
  private readonly areas = new Map<string, AreaRecord>();
  private readonly organisations = new Map<string, OrganisationRecord>();
  private readonly terms = new Map<string, TermRecord>();

  constructor(private readonly catalogue: Catalogue) {
    for (const a of catalogue.areas) for (const k of [a.slug, a.name]) this.areas.set(k.toLowerCase(), a);
    // Short names first, so an organisation's full name wins if the two ever collide.
    for (const o of catalogue.organisations) if (o.shortName) this.organisations.set(o.shortName.toLowerCase(), o);
    for (const o of catalogue.organisations) for (const k of [o.slug, o.name]) this.organisations.set(k.toLowerCase(), o);
    for (const t of [...catalogue.themes, ...catalogue.priorities, ...catalogue.shifts]) {
      for (const k of [t.slug, t.name]) this.terms.set(`${t.kind}:${k.toLowerCase()}`, t);
    }
  }

  area(name: string) {
    return this.areas.get(name.toLowerCase());
  }

  organisation(name: string) {
    return this.organisations.get(name.toLowerCase());
  }

  term(kind: TermKind, name: string) {
    return this.terms.get(`${kind}:${name.toLowerCase()}`);
  }

  termSlugs(kind: TermKind): string[] {
    return [...this.catalogue.themes, ...this.catalogue.priorities, ...this.catalogue.shifts]
      .filter((t) => t.kind === kind)
      .map((t) => t.slug);
  }
}
