// The building blocks every edge validates with, and the one pagination helper.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { pagination, queryString } from './pagination.ts';
import { InputError, isoDate, multiLine, parseInput, repeatable, singleLine, slugSchema } from './validation.ts';

describe('input validation', () => {
  it('reads a repeated query parameter as a list, and a single one too', () => {
    const schema = z.object({ area: repeatable(slugSchema) });
    assert.deepEqual(schema.parse({ area: 'train' }).area, ['train']);
    assert.deepEqual(schema.parse({ area: ['train', 'transform'] }).area, ['train', 'transform']);
    assert.deepEqual(schema.parse({}).area, []);
    assert.deepEqual(schema.parse({ area: '' }).area, [], 'an empty choice means no filter');
    assert.equal(schema.safeParse({ area: Array(51).fill('x') }).success, false);
  });

  it('accepts only real calendar dates written YYYY-MM-DD', () => {
    assert.equal(isoDate.safeParse('2024-02-29').success, true);
    for (const bad of ['2025-02-29', '2025-13-01', '31/03/2025', '2025-3-1', '']) assert.equal(isoDate.safeParse(bad).success, false, bad);
  });

  it('refuses control characters, and line breaks where one line is expected', () => {
    assert.equal(singleLine(50).safeParse('Plain text – with “quotes” and émojis 👍').success, true);
    assert.equal(singleLine(50).safeParse('two\nlines').success, false);
    assert.equal(singleLine(50).safeParse('bell\u0007').success, false);
    assert.equal(singleLine(50).safeParse('c1\u0085').success, false);
    assert.equal(multiLine(50).safeParse('two\nlines\ttabbed').success, true);
    assert.equal(multiLine(50).safeParse('nul\u0000').success, false);
  });

  it('names each bad field in one error', () => {
    const schema = z.strictObject({ page: z.coerce.number().int().min(1), q: singleLine(5).optional() });
    try {
      parseInput(schema, { page: '0', q: 'too long', extra: '1' });
      assert.fail('should throw');
    } catch (error) {
      assert.ok(error instanceof InputError);
      assert.deepEqual(error.problems.map((p) => p.field).sort(), ['extra', 'page', 'q']);
      assert.equal(error.problems.find((p) => p.field === 'page')?.message, 'must be 1 or more');
    }
  });
});

describe('pagination', () => {
  it('builds stable, shareable query strings without empty values', () => {
    assert.equal(queryString({ q: 'pay & care', area: ['train', 'transform'], theme: [], page: undefined, lead: '' }), '?q=pay+%26+care&area=train&area=transform');
    assert.equal(queryString({}), '');
  });

  it('shows first, last and neighbouring pages with ellipses', () => {
    const p = pagination(5, 10, (n) => `/x?page=${n}`)!;
    assert.deepEqual(
      p.items.map((i) => (i.ellipsis ? '…' : i.current ? `[${i.number}]` : i.number)),
      ['1', '…', '4', '[5]', '6', '…', '10'],
    );
    assert.equal(p.previous?.href, '/x?page=4');
    assert.equal(p.next?.href, '/x?page=6');
    assert.equal(pagination(1, 1, String), undefined, 'one page needs no pagination');
    assert.equal(pagination(1, 3, String)!.previous, undefined);
  });
});
