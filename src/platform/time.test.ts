// London calendar days: where they start in UTC, and day arithmetic across month ends.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addDays, daysBetween, londonDay, londonMidnight, mondayOf } from './time.ts';

describe('London days', () => {
  it('start at UK midnight: 23:00 UTC the day before in summer, midnight UTC in winter', () => {
    assert.equal(londonMidnight('2020-07-15').toISOString(), '2020-07-14T23:00:00.000Z');
    assert.equal(londonMidnight('2020-01-15').toISOString(), '2020-01-15T00:00:00.000Z');
    // The days the clocks change: they change at 01:00 UTC, after midnight.
    assert.equal(londonMidnight('2020-03-29').toISOString(), '2020-03-29T00:00:00.000Z');
    assert.equal(londonMidnight('2020-10-25').toISOString(), '2020-10-24T23:00:00.000Z');
  });

  it('name the London day of a moment, which in summer begins before UTC’s', () => {
    assert.equal(londonDay(new Date('2026-07-14T23:30:00Z')), '2026-07-15');
    assert.equal(londonDay(new Date('2026-01-14T23:30:00Z')), '2026-01-14');
  });

  it('count and move by calendar days', () => {
    assert.equal(addDays('2026-02-27', 2), '2026-03-01');
    assert.equal(addDays('2026-03-01', -1), '2026-02-28');
    assert.equal(daysBetween('2026-11-23', '2026-11-30'), 7);
    assert.equal(daysBetween('2026-11-30', '2026-11-23'), -7);
  });

  it('find the Monday that begins a day’s week, across a month end', () => {
    assert.equal(mondayOf('2026-11-23'), '2026-11-23'); // a Monday
    assert.equal(mondayOf('2026-11-29'), '2026-11-23'); // the Sunday after
    assert.equal(mondayOf('2026-12-02'), '2026-11-30');
    assert.equal(mondayOf('2026-03-01'), '2026-02-23');
  });
});
