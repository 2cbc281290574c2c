import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDurationNs, formatTimestamp, valueText } from './format.ts';
import { barGeometry, rangeTicks, rulerTicks, viewBar } from './timeline.ts';

test('places bars in percent of the trace, clamped', () => {
  assert.deepEqual(barGeometry(25, 75, 100), { leftPct: 25, widthPct: 50 });
  assert.deepEqual(barGeometry(90, 150, 100), { leftPct: 90, widthPct: 10 });
  assert.deepEqual(barGeometry(0, 0, 0), { leftPct: 0, widthPct: 100 });
});

test('ruler ticks fall on round values', () => {
  const ticks = rulerTicks(182_400_000, 5);
  assert.deepEqual(ticks.map((t) => t.ns), [0, 50_000_000, 100_000_000, 150_000_000]);
  assert.equal(rulerTicks(1000, 5).at(-1)!.ns, 1000);
});

test('formats durations with three significant digits', () => {
  assert.equal(formatDurationNs(512), '512 ns');
  assert.equal(formatDurationNs(1_234_567), '1.23 ms');
  assert.equal(formatDurationNs(182_400_000), '182 ms');
  assert.equal(formatDurationNs(12_340_000_000), '12.3 s');
  assert.equal(formatDurationNs(125_000_000_000), '2 min 5 s');
});

test('formats timestamps in UTC on request and values as text', () => {
  assert.equal(formatTimestamp(Date.UTC(2026, 10, 25, 14, 3, 7, 9), 'utc'), '2026-11-25 14:03:07.009Z');
  assert.equal(valueText('<b>x</b>'), '<b>x</b>');
  assert.equal(valueText([1, 'a']), '[1,"a"]');
  assert.equal(valueText(true), 'true');
});

test('zoomed ranges: bars relative to the view, hidden outside it, ticks on round offsets', () => {
  assert.deepEqual(viewBar(50, 75, 50, 100), { leftPct: 0, widthPct: 50 });
  assert.equal(viewBar(0, 40, 50, 100), undefined);
  assert.deepEqual(viewBar(40, 200, 50, 100), { leftPct: 0, widthPct: 100 });
  assert.deepEqual(rangeTicks(130, 180, 5).map((t) => t.ns), [130, 140, 150, 160, 170, 180]);
  assert.equal(rangeTicks(130, 180, 5)[0]!.pct, 0);
});
