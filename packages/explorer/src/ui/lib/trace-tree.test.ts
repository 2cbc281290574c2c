import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shopTrace } from '../dev/fixture.ts';
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

test('self time subtracts the union of children, clipped to the parent', () => {
  // parent 0-100; children 10-30 and 20-50 overlap (40 covered), 90-120 sticks out (10 covered)
  const tree = buildTraceTree([span('p', null, 0, 100), span('a', 'p', 10, 30), span('b', 'p', 20, 50), span('c', 'p', 90, 120)]);
  assert.equal(selfTimeNs(tree.byId.get('p')!), 50_000_000);
  assert.equal(selfTimeNs(tree.byId.get('a')!), 20_000_000);
});
