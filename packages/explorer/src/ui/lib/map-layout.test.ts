import assert from 'node:assert/strict';
import { test } from 'node:test';
import { traceConnections } from './connections.ts';
import { layoutServiceMap } from './map-layout.ts';
import { buildTraceTree } from './trace-tree.ts';
import { SHOP_TRACE_ID, shopTrace } from '../dev/fixture.ts';

test('puts callers left of callees and survives cycles', () => {
  const layout = layoutServiceMap(['gateway', 'orders', 'inventory', 'lonely'], [
    { from: 'gateway', to: 'orders' }, { from: 'orders', to: 'inventory' }, { from: 'inventory', to: 'gateway' },
  ]);
  const layer = (s: string): number => layout.nodes.get(s)!.layer;
  assert.ok(layer('gateway') < layer('orders') && layer('orders') < layer('inventory'));
  assert.equal(layout.nodes.size, 4);
  const ys = [...layout.nodes.values()].filter((n) => n.layer === 0).map((n) => n.y);
  assert.equal(new Set(ys).size, ys.length, 'nodes of one column do not overlap');
});

test('finds messaging hops and in-trace links', () => {
  const trace = shopTrace();
  const tree = buildTraceTree(trace.spans);
  const conns = traceConnections(tree, SHOP_TRACE_ID);
  const name = (id: string): string => tree.byId.get(id)!.span.name;
  const pairs = conns.map((c) => `${name(c.fromId)} -> ${name(c.toId)} (${c.type})`).sort();
  assert.deepEqual(pairs, [
    'publish shipping -> process shipping (hop)',
    'send order-events -> process order-events (batch) (hop)',
    'send order-events -> process order-events (hop)',
  ]);
});
