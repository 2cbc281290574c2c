import assert from 'node:assert/strict';
import { test } from 'node:test';
import { criticalPath, criticalPathIds } from './critical-path.ts';
import { chain, kind, span } from './test-spans.ts';
import { buildTree } from './tree.ts';
import type { TraceSpan } from './types.ts';

const MS = 1_000_000;
/** Sections as [spanId, startMs, endMs]. */
const sections = (spans: TraceSpan[]): Array<[string, number, number]> =>
  criticalPath(buildTree(spans)).map((s) => [s.spanId, s.startNs / MS, s.endNs / MS]);

test('sequential children: the path alternates between the parent and each child, latest first', () => {
  assert.deepEqual(sections([span('root', null, 0, 100), span('a', 'root', 10, 40), span('b', 'root', 50, 90)]), [
    ['root', 90, 100], ['b', 50, 90], ['root', 40, 50], ['a', 10, 40], ['root', 0, 10],
  ]);
});

test('of overlapping siblings only the last to finish is on the path, then what finished before it started', () => {
  // b (10-90) hides a (0-30) and c (35-40): both end after b started.
  const spans = [
    span('root', null, 0, 100), span('a', 'root', 0, 30), span('b', 'root', 10, 90),
    span('c', 'root', 35, 40), span('d', 'root', 92, 95), span('b1', 'b', 60, 88),
  ];
  assert.deepEqual(sections(spans), [['root', 95, 100], ['d', 92, 95], ['root', 90, 92], ['b', 88, 90], ['b1', 60, 88], ['b', 10, 60], ['root', 0, 10]]);
  assert.deepEqual(criticalPathIds(buildTree(spans)), ['root', 'd', 'b', 'b1']);
});

test('a child that outlives its parent is trimmed to the parent end', () => {
  assert.deepEqual(sections([span('root', null, 0, 100), span('a', 'root', 0, 50), span('a1', 'a', 40, 80)]), [
    ['root', 50, 100], ['a1', 40, 50], ['a', 0, 40],
  ]);
});

test('a child that starts before its parent is trimmed to the parent start', () => {
  assert.deepEqual(sections([span('root', null, 10, 100), span('early', 'root', 0, 30)]), [['root', 30, 100], ['early', 10, 30]]);
});

test('a child wholly outside its parent is not on the path, nor is anything below it', () => {
  assert.deepEqual(sections([span('root', null, 0, 10), span('late', 'root', 20, 30), span('later', 'late', 21, 22)]), [['root', 0, 10]]);
});

test('an async consumer that outlives its producer, and its children, are not waited on', () => {
  const spans = [
    span('server', null, 0, 100, kind('SERVER')),
    span('send', 'server', 10, 20, kind('PRODUCER')),
    span('consume', 'send', 15, 300, kind('CONSUMER')),
    span('handle', 'consume', 20, 290),
    span('call', 'server', 30, 60, kind('CLIENT')),
  ];
  assert.deepEqual(sections(spans), [['server', 60, 100], ['call', 30, 60], ['server', 20, 30], ['send', 10, 20], ['server', 0, 10]]);
});

test('a consumer that starts its own trace (link mode) is a root like any other', () => {
  assert.deepEqual(criticalPathIds(buildTree([span('consume', null, 0, 50, kind('CONSUMER')), span('work', 'consume', 10, 40)])), ['consume', 'work']);
});

test('every root gets its own walk, detached roots included', () => {
  const tree = buildTree([span('r', null, 0, 10), span('o', 'gone', 20, 30), span('x', 'x', 40, 45)]);
  assert.deepEqual(criticalPathIds(tree), ['r', 'o', 'x']);
});

test('an empty trace has an empty path', () => {
  assert.deepEqual(criticalPath(buildTree([])), []);
});

// Scanning every child on every return would be quadratic here (~2e10 steps): the test timeout would catch it.
test('walks 200,000 sequential siblings and a 200,000-deep chain', () => {
  const wide: TraceSpan[] = [span('root', null, 0, 400_001 / MS)];
  for (let i = 0; i < 200_000; i++) wide.push(span(`c${i}`, 'root', (2 * i + 1) / MS, (2 * i + 2) / MS));
  assert.equal(criticalPathIds(buildTree(wide)).length, 200_001);
  assert.equal(criticalPathIds(buildTree(chain(200_000))).length, 200_000);
});
