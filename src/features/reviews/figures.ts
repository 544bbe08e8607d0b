// The sums a review reports, as plain functions over its snapshot rows: no SQL, no HTTP, so
// they are tested alone and the same rows always give the same figures. Kept small and
// self-contained so the live progress dashboard's sums can be unified with them later.

export type SnapshotStatus = 'not_started' | 'in_progress' | 'complete' | 'retired' | 'not_reported';
/** In the order reports show them. */
export const SNAPSHOT_STATUSES: readonly SnapshotStatus[] = ['not_started', 'in_progress', 'complete', 'not_reported', 'retired'];

export interface FigureRow {
  code: string;
  status: 'not_started' | 'in_progress' | 'complete' | 'retired' | null;
  area: { slug: string; name: string };
}

export interface ReviewFigures {
  /** Every item in the snapshot, retired ones too. */
  total: number;
  /** Items not retired: what the share is of. */
  active: number;
  byStatus: Record<SnapshotStatus, number>;
  /** Active items in progress or complete. */
  moving: { count: number; of: number; percent: number | null };
  /** Per area, in the order the rows first name them. */
  byArea: { slug: string; name: string; active: number; moving: number; retired: number }[];
}

const isMoving = (s: FigureRow['status']) => s === 'in_progress' || s === 'complete';

export function reviewFigures(rows: readonly FigureRow[]): ReviewFigures {
  const byStatus: Record<SnapshotStatus, number> = { not_started: 0, in_progress: 0, complete: 0, not_reported: 0, retired: 0 };
  const areas = new Map<string, ReviewFigures['byArea'][number]>();
  for (const row of rows) {
    byStatus[row.status ?? 'not_reported'] += 1;
    let area = areas.get(row.area.slug);
    if (!area) areas.set(row.area.slug, (area = { slug: row.area.slug, name: row.area.name, active: 0, moving: 0, retired: 0 }));
    if (row.status === 'retired') area.retired += 1;
    else {
      area.active += 1;
      if (isMoving(row.status)) area.moving += 1;
    }
  }
  const active = rows.length - byStatus.retired;
  const moving = byStatus.in_progress + byStatus.complete;
  return {
    total: rows.length,
    active,
    byStatus,
    moving: { count: moving, of: active, percent: active > 0 ? Math.round((moving / active) * 100) : null },
    byArea: [...areas.values()],
  };
}

export interface StatusChange<T> {
  row: T;
  /** The status at the earlier review; undefined when the item was not in it. */
  before: FigureRow['status'] | undefined;
}

/**
 * What moved between two snapshots: items whose status changed, and items that were not in
 * the earlier one. Items only in the earlier snapshot cannot happen (items are never deleted).
 */
export function movements<T extends FigureRow>(current: readonly T[], previous: readonly FigureRow[]): { changed: StatusChange<T>[]; added: T[] } {
  const before = new Map(previous.map((r) => [r.code, r.status]));
  const changed: StatusChange<T>[] = [];
  const added: T[] = [];
  for (const row of current) {
    if (!before.has(row.code)) added.push(row);
    else if (before.get(row.code) !== row.status) changed.push({ row, before: before.get(row.code) });
  }
  return { changed, added };
}

/** "One year on", "2 years on" (GOV.UK style: numerals, except "one"). */
export function yearsOn(years: number): string {
  if (years === 1) return 'One year on';
  return `${years} years on`;
}
