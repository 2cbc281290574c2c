import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pairedDifference, pairedRatio, t95 } from '../../bench/support/paired.ts';

describe('paired round comparisons (service-overhead verdicts)', () => {
  it('a constant difference between paired rounds has a zero-width interval, whatever each round read', () => {
    const off = [10, 40, 25, 90];
    const on = off.map((x) => x + 0.5);
    const d = pairedDifference(on, off);
    assert.equal(d.rounds, 4);
    assert.ok(Math.abs(d.estimate - 0.5) < 1e-12);
    assert.ok(Math.abs(d.high - d.low) < 1e-9);
  });

  it('pairing cancels drift that hits both sides of a round: a 5% cost is resolved although rounds moved x3', () => {
    const off = [100, 300, 150, 220, 180, 260];
    const on = off.map((x, i) => x * (i % 2 ? 0.94 : 0.96));
    const r = pairedRatio(on, off);
    assert.ok(r.estimate > 0.94 && r.estimate < 0.96);
    assert.ok(r.low > 0.9, `interval ${r.low}-${r.high} lies within a 10% budget`);
  });

  it('the interval uses Student t for the few rounds a bench has: wide with 2 rounds, near 1.96 beyond 30', () => {
    assert.equal(t95(1), 12.706);
    assert.equal(t95(7), 2.365);
    assert.equal(t95(100), 1.96);
    const wide = pairedDifference([1, 3], [0, 0]);
    assert.equal(wide.estimate, 2);
    // sd = sqrt(2), half-width = 12.706 * sqrt(2) / sqrt(2)
    assert.ok(Math.abs(wide.high - 2 - 12.706) < 1e-9);
  });

  it('geometric mean in log space: x2 and x0.5 average to x1', () => {
    const r = pairedRatio([2, 0.5], [1, 1]);
    assert.ok(Math.abs(r.estimate - 1) < 1e-12);
  });

  it('a round with no value on a side (NaN) is left out, and a single round resolves nothing', () => {
    const r = pairedRatio([1.1, Number.NaN, 1.2], [1, 1, Number.NaN]);
    assert.equal(r.rounds, 1);
    assert.equal(r.low, 0);
    assert.equal(r.high, Number.POSITIVE_INFINITY);
    assert.equal(pairedDifference([], []).rounds, 0);
    assert.ok(Number.isNaN(pairedDifference([], []).estimate));
  });

  it('a round where the case served nothing counts against it, not out: a stall cannot look within budget', () => {
    const stalled = pairedRatio([100, 0, 100, 100], [100, 100, 100, 100]);
    assert.equal(stalled.rounds, 4);
    assert.ok(stalled.low < 0.9, `interval ${stalled.low}-${stalled.high} does not lie within a 10% budget`);
    assert.equal(pairedRatio([0, 100], [0, 100]).rounds, 1, 'both sides idle: no information');
  });
});
