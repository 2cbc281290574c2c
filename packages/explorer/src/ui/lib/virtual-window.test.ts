import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scrollToRow, visibleWindow } from './virtual-window.ts';

test('renders the rows in view plus overscan', () => {
  assert.deepEqual(visibleWindow(0, 260, 26, 10_000, 5), { start: 0, end: 16 });
  assert.deepEqual(visibleWindow(26_000, 260, 26, 10_000, 5), { start: 995, end: 1016 });
});

test('clamps to the list at the end and for odd input', () => {
  assert.deepEqual(visibleWindow(1e9, 260, 26, 100, 5), { start: 94, end: 100 });
  assert.deepEqual(visibleWindow(-50, 260, 26, 3, 5), { start: 0, end: 3 });
  assert.deepEqual(visibleWindow(0, 260, 26, 0), { start: 0, end: 0 });
});

test('scrolls only when the row is out of view', () => {
  assert.equal(scrollToRow(5, 0, 260, 26), undefined);
  assert.equal(scrollToRow(2, 200, 260, 26), 52);
  assert.equal(scrollToRow(100, 0, 260, 26), 2600 - 130);
});
