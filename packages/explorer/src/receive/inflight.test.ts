import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InflightBytes } from './inflight.ts';

describe('InflightBytes', () => {
  it('refuses bytes past the budget across leases and gives them back on release', () => {
    const budget = new InflightBytes(100);
    const a = budget.lease();
    const b = budget.lease();
    assert.equal(a.take(60), true);
    assert.equal(b.take(50), false, 'refused whole: nothing taken');
    assert.equal(b.take(40), true);
    assert.equal(budget.held, 100);
    a.release();
    a.release();
    assert.equal(budget.held, 40, 'release is idempotent');
    assert.equal(a.take(1), false, 'a released lease takes nothing more');
    b.release();
    assert.equal(budget.held, 0);
  });

  it('resizes a lease to what it holds now', () => {
    const budget = new InflightBytes(100);
    const a = budget.lease();
    a.take(90);
    assert.equal(a.resize(30), true);
    assert.equal(budget.held, 30);
    assert.equal(a.resize(101), false);
    assert.equal(budget.held, 30);
  });
});
