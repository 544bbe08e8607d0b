// The progress dashboard's figures, worked out from plain rows: headline shares, counts by
// area, lead-organisation kind, theme and government shift, status over time (by calendar
// quarter) and each organisation's record. Pure: no SQL, no HTTP, so the figures can be
// checked by hand against a small fixture. The rules are in docs/decisions/0013.
import type { ItemStatus, OrganisationKind } from '../strategy/schema.ts';
import type { ItemFacts } from '../strategy/service.ts';

/** What an active item's status can be on the dashboard: retired items are counted apart. */
export const DASHBOARD_STATUSES = ['not_started', 'in_progress', 'complete', 'not_reported'] as const;
export type DashboardStatus = (typeof DASHBOARD_STATUSES)[number];
export type StatusCounts = Record<DashboardStatus, number>;

export interface Share {
  count: number;
  of: number;
  /** Whole per cent, or null when there is nothing to divide by. */
  percent: number | null;
}

/** An item as figures need it (ids, not records), as the strategy service hands it over. */
export type FigureItem = ItemFacts;

export interface FigureOrganisation {
  id: number;
  slug: string;
  name: string;
  kind: OrganisationKind;
}

export interface FigureGroup {
  id: number | string;
  slug: string;
  name: string;
}

/** The status of an item's last published update in a quarter in which its status changed. */
export interface StatusChange {
  itemId: number;
  /** "2025-Q3". */
  period: string;
  status: Exclude<ItemStatus, 'retired'>;
}

export interface OrganisationActivity {
  organisationId: number;
  published: number;
  latest: Date;
}

export interface FigureInput {
  items: FigureItem[];
  areas: FigureGroup[];
  themes: FigureGroup[];
  shifts: FigureGroup[];
  organisations: FigureOrganisation[];
  /** Organisation kinds in display order, with their labels. */
  organisationKinds: { kind: OrganisationKind; name: string }[];
  history: StatusChange[];
  activity: OrganisationActivity[];
  /** The strategy's publication date: status over time starts in its quarter. */
  startsOn: string | null;
  /** Today; status over time ends in its quarter. */
  today: Date;
}

export interface GroupRow {
  slug: string;
  name: string;
  counts: StatusCounts;
  total: number;
}

export interface PeriodRow {
  period: string;
  startsOn: string;
  endsOn: string;
  label: string;
  counts: StatusCounts;
  total: number;
}

export interface OrganisationRow {
  slug: string;
  name: string;
  kind: OrganisationKind;
  led: number;
  supported: number;
  ledMoving: Share;
  publishedUpdates: number;
  latestUpdate: Date | null;
}

export interface ProgressFigures {
  total: number;
  active: number;
  retired: number;
  moving: Share;
  governmentAny: Share;
  governmentOnly: Share;
  governmentUnknown: number;
  byStatus: StatusCounts;
  byArea: GroupRow[];
  byLeadKind: GroupRow[];
  byTheme: GroupRow[];
  byShift: GroupRow[];
  overTime: PeriodRow[];
  organisations: OrganisationRow[];
  currentPeriod: string;
}

export function share(count: number, of: number): Share {
  return { count, of, percent: of > 0 ? Math.round((count / of) * 100) : null };
}

function noCounts(): StatusCounts {
  return { not_started: 0, in_progress: 0, complete: 0, not_reported: 0 };
}

function dashboardStatus(status: ItemStatus | null): DashboardStatus {
  return status === null || status === 'retired' ? 'not_reported' : status;
}

/** "2025-Q3" for a date, in UTC (the hub records dates in UTC). */
export function quarterOf(date: Date | string): string {
  const d = typeof date === 'string' ? new Date(`${date.slice(0, 10)}T00:00:00Z`) : date;
  return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
}

const QUARTER_MONTHS = ['January to March', 'April to June', 'July to September', 'October to December'];

export function quarterBounds(period: string): { startsOn: string; endsOn: string; label: string } {
  const [year, q] = [Number(period.slice(0, 4)), Number(period.slice(6))];
  const start = new Date(Date.UTC(year, (q - 1) * 3, 1));
  const end = new Date(Date.UTC(year, q * 3, 0));
  return { startsOn: start.toISOString().slice(0, 10), endsOn: end.toISOString().slice(0, 10), label: `${QUARTER_MONTHS[q - 1]} ${year}` };
}

function nextQuarter(period: string): string {
  const [year, q] = [Number(period.slice(0, 4)), Number(period.slice(6))];
  return q === 4 ? `${year + 1}-Q1` : `${year}-Q${q + 1}`;
}

function groupRows(groups: FigureGroup[], active: FigureItem[], idsOf: (item: FigureItem) => readonly (number | string)[]): GroupRow[] {
  const rows = new Map(groups.map((g) => [g.id, { slug: g.slug, name: g.name, counts: noCounts(), total: 0 }]));
  for (const item of active) {
    for (const id of new Set(idsOf(item))) {
      const row = rows.get(id);
      if (!row) continue;
      row.counts[dashboardStatus(item.status)]++;
      row.total++;
    }
  }
  return [...rows.values()];
}

/**
 * An active item's status at the end of each quarter: its last published update by then;
 * an item never published about counts at its recorded status from the quarter of its
 * "as of" date (from the start if undated); otherwise "not reported".
 */
function statusOverTime(input: FigureInput, active: FigureItem[]): PeriodRow[] {
  const changesByItem = new Map<number, StatusChange[]>();
  for (const change of input.history) {
    const list = changesByItem.get(change.itemId) ?? [];
    list.push(change);
    changesByItem.set(change.itemId, list);
  }
  const current = quarterOf(input.today);
  let first = input.startsOn ? quarterOf(input.startsOn) : current;
  for (const change of input.history) if (change.period < first) first = change.period;
  for (const item of active) if (!changesByItem.has(item.id) && item.status && item.progressAsOf && quarterOf(item.progressAsOf) < first) first = quarterOf(item.progressAsOf);
  if (first > current) first = current;

  const periods: string[] = [];
  for (let p = first; p <= current; p = nextQuarter(p)) periods.push(p);
  const index = new Map(periods.map((p, i) => [p, i]));
  // Each item adds +1 to its status from the quarter it takes it; the running sum gives counts.
  const deltas = periods.map(() => noCounts());
  const move = (from: number, to: DashboardStatus, previous: DashboardStatus | undefined) => {
    if (from >= periods.length) return;
    deltas[from]![to]++;
    if (previous) deltas[from]![previous]--;
  };
  for (const item of active) {
    const changes = changesByItem.get(item.id);
    let status: DashboardStatus = 'not_reported';
    move(0, status, undefined);
    const steps: { at: number; status: DashboardStatus }[] = changes
      ? changes.map((c) => ({ at: index.get(c.period) ?? (c.period < first ? 0 : periods.length), status: c.status }))
      : item.status && item.status !== 'retired'
        ? [{ at: item.progressAsOf ? (index.get(quarterOf(item.progressAsOf)) ?? periods.length) : 0, status: item.status }]
        : [];
    steps.sort((a, b) => a.at - b.at);
    for (const step of steps) {
      if (step.status === status) continue;
      move(step.at, step.status, status);
      status = step.status;
    }
  }
  const running = noCounts();
  return periods.map((period, i) => {
    for (const s of DASHBOARD_STATUSES) running[s] += deltas[i]![s];
    const counts = { ...running };
    return { period, ...quarterBounds(period), counts, total: DASHBOARD_STATUSES.reduce((n, s) => n + counts[s], 0) };
  });
}

export function computeFigures(input: FigureInput): ProgressFigures {
  const active = input.items.filter((i) => i.status !== 'retired');
  const byStatus = noCounts();
  for (const item of active) byStatus[dashboardStatus(item.status)]++;
  const organisationById = new Map(input.organisations.map((o) => [o.id, o]));

  const kindGroups = input.organisationKinds.map((k) => ({ id: k.kind, slug: k.kind, name: k.name }));
  const byLeadKind = groupRows(kindGroups, active, (item) => item.leadIds.map((id) => organisationById.get(id)?.kind ?? 'other')).filter((r) => r.total > 0);

  const activity = new Map(input.activity.map((a) => [a.organisationId, a]));
  const work = new Map<number, { led: number; moving: number; supported: number }>();
  const workOf = (id: number) => work.get(id) ?? work.set(id, { led: 0, moving: 0, supported: 0 }).get(id)!;
  for (const item of active) {
    const moving = item.status === 'in_progress' || item.status === 'complete';
    for (const id of new Set(item.leadIds)) {
      const w = workOf(id);
      w.led++;
      if (moving) w.moving++;
    }
    for (const id of new Set(item.partnerIds)) workOf(id).supported++;
  }
  const organisations = input.organisations
    .map((o) => {
      const w = work.get(o.id) ?? { led: 0, moving: 0, supported: 0 };
      const a = activity.get(o.id);
      return {
        slug: o.slug,
        name: o.name,
        kind: o.kind,
        led: w.led,
        supported: w.supported,
        ledMoving: share(w.moving, w.led),
        publishedUpdates: a?.published ?? 0,
        latestUpdate: a?.latest ?? null,
      };
    })
    .filter((o) => o.led + o.supported + o.publishedUpdates > 0)
    .sort((a, b) => a.name.localeCompare(b.name, 'en-GB'));

  return {
    total: input.items.length,
    active: active.length,
    retired: input.items.length - active.length,
    moving: share(byStatus.in_progress + byStatus.complete, active.length),
    governmentAny: share(active.filter((i) => i.governmentRole === 'shared' || i.governmentRole === 'government_only').length, active.length),
    governmentOnly: share(active.filter((i) => i.governmentRole === 'government_only').length, active.length),
    governmentUnknown: active.filter((i) => i.governmentRole === null).length,
    byStatus,
    byArea: groupRows(input.areas, active, (item) => [item.areaId]),
    byLeadKind,
    byTheme: groupRows(input.themes, active, (item) => item.termIds),
    byShift: groupRows(input.shifts, active, (item) => item.termIds),
    overTime: statusOverTime(input, active),
    organisations,
    currentPeriod: quarterOf(input.today),
  };
}
