import assert from 'node:assert/strict';
import { test } from 'node:test';
import { largeTrace, shopTrace } from '../dev/fixture.ts';
import type { ApiSpan } from '../../api-types.ts';
import { ancestorIds, buildTraceTree, collapseBelow, firstError, selfTimeNs, visibleRows } from './trace-tree.ts';

function span(id: string, parent: string | null, startMs: number, endMs: number, extra: Partial<ApiSpan> = {}): ApiSpan {
  const base = 1_700_000_000_000_000_000n;
  return {
    spanId: id, parentSpanId: parent, name: id, kind: 'INTERNAL', service: 'svc',
    startNs: (base + BigInt(startMs) * 1_000_000n).toString(), endNs: (base + BigInt(endMs) * 1_000_000n).toString(),
    durationNs: String((endMs - startMs) * 1_000_000), status: { code: 'UNSET' }, attributes: [], resource: [],
    scope: { name: 't' }, events: [], links: [], ...extra,
  };
}

test('nests children under parents in start-time order, with depth and descendants', () => {
  const tree = buildTraceTree([span('c2', 'a', 50, 60), span('a', null, 0, 100), span('c1', 'a', 10, 20), span('g', 'c1', 11, 12)]);
  assert.deepEqual(tree.preorder.map((n) => [n.span.spanId, n.depth]), [['a', 0], ['c1', 1], ['g', 2], ['c2', 1]]);
  assert.equal(tree.depth, 3);
  assert.equal(tree.byId.get('a')!.descendants, 3);
  assert.equal(tree.durationNs, 100_000_000);
  assert.equal(tree.byId.get('c2')!.startNs, 50_000_000);
});

test('keeps nanosecond offsets exact although epoch nanoseconds exceed a double', () => {
  const base = 1_764_000_000_123_456_789n;
  const s = span('a', null, 0, 0);
  s.startNs = base.toString();
  s.endNs = (base + 7n).toString();
  assert.equal(buildTraceTree([s]).byId.get('a')!.durationNs, 7);
});

test('shows spans whose parent is missing as flagged roots', () => {
  const tree = buildTraceTree([span('a', null, 0, 10), span('b', 'not-here', 2, 4)]);
  assert.deepEqual(tree.roots.map((r) => [r.span.spanId, r.orphan]), [['a', false], ['b', true]]);
});

test('survives parent cycles and self-parents without looping', () => {
  const tree = buildTraceTree([span('x', 'y', 0, 10), span('y', 'x', 1, 5), span('s', 's', 2, 3)]);
  assert.equal(tree.preorder.length, 3);
  assert.equal(new Set(tree.preorder.map((n) => n.span.spanId)).size, 3);
});

test('hides the subtree of a collapsed span and reveals it again', () => {
  const tree = buildTraceTree(shopTrace().spans);
  const orders = tree.preorder.find((n) => n.span.service === 'orders' && n.span.kind === 'SERVER')!;
  const rows = visibleRows(tree, new Set([orders.span.spanId]));
  assert.equal(rows.length, tree.preorder.length - orders.descendants);
  assert.ok(rows.includes(orders));
  assert.equal(visibleRows(tree, new Set()).length, tree.preorder.length);
});

test('finds the first error, and the ancestors to open to reach it', () => {
  const tree = buildTraceTree(shopTrace().spans);
  const err = firstError(tree)!;
  assert.equal(err.span.service, 'inventory');
  const ancestors = ancestorIds(tree, err.span.spanId);
  assert.equal(ancestors.length, err.depth);
  assert.equal(ancestors.at(-1), tree.roots[0]!.span.spanId);
});

test('collapseBelow(1) leaves the root and its children visible', () => {
  const tree = buildTraceTree(shopTrace().spans);
  const rows = visibleRows(tree, collapseBelow(tree, 1));
  assert.ok(rows.every((r) => r.depth <= 1));
});

// Speed is measured in `npm run bench`, never asserted here.
test('builds a 10,000-span tree iteratively', () => {
  const tree = buildTraceTree(largeTrace(10_000).spans);
  assert.equal(tree.preorder.length, 10_000);
  // A 5,000-deep chain must not overflow the stack.
  const chain = Array.from({ length: 5000 }, (_, i) => span(`s${i}`, i === 0 ? null : `s${i - 1}`, i, 10_000));
  assert.equal(buildTraceTree(chain).depth, 5000);
});

test('self time subtracts the union of children, clipped to the parent', () => {
  // parent 0-100; children 10-30 and 20-50 overlap (40 covered), 90-120 sticks out (10 covered)
  const tree = buildTraceTree([span('p', null, 0, 100), span('a', 'p', 10, 30), span('b', 'p', 20, 50), span('c', 'p', 90, 120)]);
  assert.equal(selfTimeNs(tree.byId.get('p')!), 50_000_000);
  assert.equal(selfTimeNs(tree.byId.get('a')!), 20_000_000);
});
