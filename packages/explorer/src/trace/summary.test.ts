import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarize } from './summary.ts';
import { span } from './test-spans.ts';

test('sums up duration, spans, errors and services (most spans first)', () => {
  const s = summarize([
    span('a', null, 0, 100, { service: 'gateway' }),
    span('b', 'a', 10, 120, { service: 'orders', status: { code: 'ERROR' } }),
    span('c', 'b', 20, 30, { service: 'orders' }),
  ]);
  assert.equal(s.durationNs, 120_000_000n);
  assert.equal(s.endNs - s.startNs, 120_000_000n);
  assert.deepEqual([s.spanCount, s.errorCount], [3, 1]);
  assert.deepEqual(s.services, [{ name: 'orders', spanCount: 2 }, { name: 'gateway', spanCount: 1 }]);
});

test('an empty trace lasts 0 ns and has no services', () => {
  assert.deepEqual(summarize([]), { startNs: 0n, endNs: 0n, durationNs: 0n, spanCount: 0, errorCount: 0, services: [] });
});
