import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chain, span } from './test-spans.ts';
import { buildTree } from './tree.ts';

const ids = (nodes: Array<{ span: { spanId: string } }>): string[] => nodes.map((n) => n.span.spanId);

test('nests children under parents in start order, with depth and descendants', () => {
  const tree = buildTree([span('c2', 'a', 50, 60), span('a', null, 0, 100), span('c1', 'a', 10, 20), span('g', 'c1', 11, 12)]);
  assert.deepEqual(tree.preorder.map((n) => [n.span.spanId, n.depth]), [['a', 0], ['c1', 1], ['g', 2], ['c2', 1]]);
  assert.equal(tree.depth, 3);
  assert.equal(tree.byId.get('a')?.descendants, 3);
  assert.equal(tree.durationNs, 100_000_000);
  assert.equal(tree.byId.get('c2')?.startNs, 50_000_000);
  assert.equal(tree.roots[0]?.orphan, null);
});

test('keeps nanosecond offsets exact although epoch nanoseconds exceed a double', () => {
  const s = span('a', null, 0, 0);
  s.startNs = '1764000000123456789';
  s.endNs = '1764000000123456796';
  assert.equal(buildTree([s]).byId.get('a')?.durationNs, 7);
});

test('a span that ends before it starts has no length, and a bad time reads as 0', () => {
  const tree = buildTree([span('a', null, 10, 5), { ...span('b', 'a', 0, 1), endNs: 'soon' }]);
  assert.equal(tree.byId.get('a')?.durationNs, 0);
  assert.equal(tree.byId.get('b')?.durationNs, 0);
});

test('an empty trace has no roots and depth 0', () => {
  const tree = buildTree([]);
  assert.deepEqual([tree.roots.length, tree.depth, tree.durationNs], [0, 0, 0]);
});

test('a span whose parent is missing is a root marked missing-parent', () => {
  const tree = buildTree([span('a', null, 0, 10), span('b', 'not-here', 2, 4)]);
  assert.deepEqual(tree.roots.map((r) => [r.span.spanId, r.orphan]), [['a', null], ['b', 'missing-parent']]);
});

test('a span whose parent is itself is a root marked self-parent, with its children below it', () => {
  const tree = buildTree([span('s', 's', 0, 10), span('k', 's', 1, 2)]);
  assert.deepEqual(tree.roots.map((r) => [r.span.spanId, r.orphan]), [['s', 'self-parent']]);
  assert.deepEqual(ids(tree.preorder), ['s', 'k']);
});

test('a parent loop A -> B -> A is cut at its earliest span, which becomes a cycle root', () => {
  const tree = buildTree([span('b', 'a', 5, 8), span('a', 'b', 0, 10), span('tail', 'b', 6, 7), span('r', null, 20, 30)]);
  assert.deepEqual(tree.roots.map((r) => [r.span.spanId, r.orphan]), [['r', null], ['a', 'cycle']]);
  assert.deepEqual(tree.preorder.map((n) => [n.span.spanId, n.depth]), [['r', 0], ['a', 0], ['b', 1], ['tail', 2]]);
  assert.equal(tree.byId.get('a')?.parent, null);
  assert.equal(tree.depth, 3);
});

test('every span appears exactly once, whatever its parent ids say', () => {
  const spans = [span('x', 'y', 0, 10), span('y', 'z', 1, 5), span('z', 'x', 2, 3), span('s', 's', 2, 3), span('o', 'gone', 1, 2), span('x', null, 0, 1)];
  const tree = buildTree(spans);
  assert.deepEqual(ids(tree.preorder).sort(), ['o', 's', 'x', 'y', 'z']);
  assert.equal(tree.byId.get('x')?.span.parentSpanId, 'y', 'the first copy of a duplicated id wins');
});

// A quadratic walk would need ~2e10 steps here and hit the test timeout; recursion would overflow the stack.
test('builds a chain 200,000 spans deep', () => {
  const tree = buildTree(chain(200_000));
  assert.equal(tree.depth, 200_000);
  assert.equal(tree.roots.length, 1);
  assert.equal(tree.roots[0]?.descendants, 199_999);
});

test('cuts a parent loop 200,000 spans long', () => {
  const spans = chain(200_000);
  (spans[0] as { parentSpanId: string | null }).parentSpanId = 's199999';
  const tree = buildTree(spans);
  assert.deepEqual(tree.roots.map((r) => [r.span.spanId, r.orphan]), [['s0', 'cycle']]);
  assert.equal(tree.depth, 200_000);
});
