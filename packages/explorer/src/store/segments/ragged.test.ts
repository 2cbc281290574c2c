import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Ragged } from './ragged.ts';

const rows = (r: Ragged, n: number) => Array.from({ length: n }, (_, i) => Array.from(r.get(i)));

describe('per-trace lists (Ragged)', () => {
  it('keeps every row as appended, through moves in the arena, freezes and late appends, like plain arrays', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(40), fc.array(fc.integer({ min: 0, max: 2 ** 53 - 1 }), { maxLength: 9 }), fc.boolean()), { maxLength: 300 }),
        (ops) => {
          const r = new Ragged();
          const model: number[][] = [];
          let frozen = 0;
          for (const [row, values, freeze] of ops) {
            while (model.length <= row) model.push([]);
            r.push(row, values);
            model[row]?.push(...values);
            assert.equal(r.last(row), model[row]?.at(-1));
            if (freeze) {
              r.freeze(model.length);
              frozen = model.length;
            }
          }
          assert.deepEqual(rows(r, model.length), model);
          assert.deepEqual(rows(Ragged.from(r.snapshot(model.length)), model.length), model, 'a snapshot holds the same rows');
          assert.deepEqual(Array.from(r.get(model.length + 5)), [], 'a row never written is empty');
          assert.ok(frozen <= model.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('grows past its first thousand rows and its first arena', () => {
    const r = new Ragged();
    for (let row = 0; row < 5000; row++) r.push(row, [row, row + 0.5]);
    for (let row = 0; row < 5000; row += 7) r.push(row, [-row]);
    for (const row of [0, 7, 4999, 2500]) assert.deepEqual(Array.from(r.get(row)), row % 7 ? [row, row + 0.5] : [row, row + 0.5, -row]);
    r.freeze(5000);
    r.push(4996, [1]);
    assert.deepEqual(Array.from(r.get(4996)), [4996, 4996.5, 1]);
    assert.equal(r.last(4997), 4997.5);
  });
});
