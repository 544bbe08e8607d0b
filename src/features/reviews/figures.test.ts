// The review's sums on their own: counts by status and area, the share moving, what moved
// between two snapshots, and how "N years on" reads.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { movements, reviewFigures, yearsOn, type FigureRow } from './figures.ts';

const attract = { slug: 'attract', name: 'Attract' };
const train = { slug: 'train', name: 'Train' };
const rows: FigureRow[] = [
  { code: 'A-1', status: 'in_progress', area: attract },
  { code: 'A-2', status: 'complete', area: attract },
  { code: 'A-3', status: null, area: attract },
  { code: 'T-1', status: 'not_started', area: train },
  { code: 'T-2', status: 'retired', area: train },
];

describe('review figures', () => {
  it('counts items by status (none is "not reported") and leaves retired items out of the share', () => {
    const f = reviewFigures(rows);
    assert.equal(f.total, 5);
    assert.equal(f.active, 4);
    assert.deepEqual(f.byStatus, { not_started: 1, in_progress: 1, complete: 1, not_reported: 1, retired: 1 });
    assert.deepEqual(f.moving, { count: 2, of: 4, percent: 50 });
  });

  it('counts each area’s active, moving and retired items, in the order the rows name the areas', () => {
    assert.deepEqual(reviewFigures(rows).byArea, [
      { slug: 'attract', name: 'Attract', active: 3, moving: 2, retired: 0 },
      { slug: 'train', name: 'Train', active: 1, moving: 0, retired: 1 },
    ]);
  });

  it('gives no share when nothing is active, rather than dividing by nothing', () => {
    const f = reviewFigures([{ code: 'X', status: 'retired', area: train }]);
    assert.deepEqual(f.moving, { count: 0, of: 0, percent: null });
    assert.equal(reviewFigures([]).total, 0);
  });

  it('rounds the share to a whole per cent', () => {
    const three: FigureRow[] = [
      { code: 'a', status: 'complete', area: train },
      { code: 'b', status: null, area: train },
      { code: 'c', status: null, area: train },
    ];
    assert.equal(reviewFigures(three).moving.percent, 33);
  });
});

describe('what moved between reviews', () => {
  it('lists items whose status changed, with the earlier status, and items that are new', () => {
    const previous: FigureRow[] = [
      { code: 'A-1', status: 'not_started', area: attract },
      { code: 'A-2', status: 'complete', area: attract },
      { code: 'A-3', status: 'in_progress', area: attract },
      { code: 'T-1', status: 'not_started', area: train },
    ];
    const { changed, added } = movements(rows, previous);
    assert.deepEqual(
      changed.map((c) => [c.row.code, c.before, c.row.status]),
      [
        ['A-1', 'not_started', 'in_progress'],
        ['A-3', 'in_progress', null],
      ],
    );
    assert.deepEqual(added.map((r) => r.code), ['T-2']);
  });

  it('finds nothing moved between identical snapshots', () => {
    assert.deepEqual(movements(rows, rows), { changed: [], added: [] });
  });
});

describe('years on', () => {
  it('reads the GOV.UK way: "one" in words, numerals after', () => {
    assert.equal(yearsOn(1), 'One year on');
    assert.equal(yearsOn(2), '2 years on');
    assert.equal(yearsOn(15), '15 years on');
  });
});
