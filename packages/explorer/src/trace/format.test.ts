import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDurationNs } from './format.ts';

test('durations keep three significant digits and name their unit', () => {
  assert.equal(formatDurationNs(999), '999 ns');
  assert.equal(formatDurationNs(656_400), '656 µs');
  assert.equal(formatDurationNs(1_234_567), '1.23 ms');
  assert.equal(formatDurationNs(374_200_000), '374 ms');
  assert.equal(formatDurationNs(1_190_000_000n), '1.19 s');
  assert.equal(formatDurationNs(125_000_000_000), '2 min 5 s');
});

test('a value that would round up to the next unit is shown in that unit', () => {
  assert.equal(formatDurationNs(999_999), '1 ms');
  assert.equal(formatDurationNs(999_999_999), '1 s');
  assert.equal(formatDurationNs(9_999), '10 µs');
});

test('negative or non-finite durations show as a dash', () => {
  assert.equal(formatDurationNs(-1), '—');
  assert.equal(formatDurationNs(Number.NaN), '—');
});
