import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTree, type TraceSpan } from '../../trace/index.ts';
import { boxAt, layoutFlame, MAX_LANES } from './flame.ts';

const BASE = 1_700_000_000_000_000_000n;
const ms = 1_000_000;
function span(id: string, parent: string | null, startMs: number, endMs: number): TraceSpan {
  return {
    spanId: id, parentSpanId: parent, service: 'svc', name: id, kind: 'INTERNAL', status: { code: 'UNSET' },
    startNs: String(BASE + BigInt(startMs * ms)), endNs: String(BASE + BigInt(endMs * ms)),
  };
}
const rows = (spans: TraceSpan[]): Record<string, number> =>
  Object.fromEntries([...layoutFlame(buildTree(spans)).byId].map(([id, b]) => [id, b.row]));

test('sequential children share the row under their parent', () => {
  assert.deepEqual(rows([span('r', null, 0, 100), span('a', 'r', 0, 40), span('b', 'r', 50, 90), span('a1', 'a', 5, 10)]), { r: 0, a: 1, a1: 2, b: 1 });
});

test('a concurrent sibling moves below the earlier sibling and its whole subtree', () => {
  const layout = layoutFlame(buildTree([
    span('r', null, 0, 100), span('a', 'r', 0, 60), span('a1', 'a', 5, 50), span('b', 'r', 30, 90), span('b1', 'b', 40, 80),
  ]));
  assert.deepEqual([...layout.byId].map(([id, b]) => [id, b.row]), [['r', 0], ['a', 1], ['a1', 2], ['b', 3], ['b1', 4]]);
  assert.equal(layout.rows, 5);
});

test('a lane frees up once the sibling in it has ended', () => {
  assert.deepEqual(rows([span('r', null, 0, 100), span('a', 'r', 0, 50), span('b', 'r', 10, 30), span('c', 'r', 40, 60), span('d', 'r', 55, 70)]),
    { r: 0, a: 1, b: 2, c: 2, d: 1 });
});

test('past MAX_LANES concurrent siblings, the rest share the first lane (bounded work)', () => {
  const spans = [span('r', null, 0, 1000)];
  for (let i = 0; i < MAX_LANES + 10; i++) spans.push(span(`c${i}`, 'r', i, 900));
  const layout = layoutFlame(buildTree(spans));
  assert.equal(layout.rows, 1 + MAX_LANES);
  assert.equal(layout.byId.get(`c${MAX_LANES + 5}`)?.row, 1);
});

test('the box under a point: on its row, inside its time, the later box where two overlap', () => {
  const layout = layoutFlame(buildTree([span('r', null, 0, 100), span('a', 'r', 0, 40), span('b', 'r', 50, 90)]));
  assert.equal(boxAt(layout, 1, 20 * ms)?.node.span.spanId, 'a');
  assert.equal(boxAt(layout, 1, 45 * ms), undefined);
  assert.equal(boxAt(layout, 1, 45 * ms, 6 * ms)?.node.span.spanId, 'b');
  assert.equal(boxAt(layout, 0, 99 * ms)?.node.span.spanId, 'r');
  assert.equal(boxAt(layout, 7, 10), undefined);
});

test('a chain 100,000 spans deep lays out one span per row', () => {
  const spans = Array.from({ length: 100_000 }, (_, i) => span(`s${i}`, i === 0 ? null : `s${i - 1}`, 0, 1));
  const layout = layoutFlame(buildTree(spans));
  assert.equal(layout.rows, 100_000);
  assert.equal(layout.byId.get('s99999')?.row, 99_999);
});

test('100,000 concurrent siblings lay out in bounded work (quadratic would time out)', () => {
  const spans = [span('r', null, 0, 200_000)];
  for (let i = 0; i < 100_000; i++) spans.push(span(`c${i}`, 'r', i, 150_000));
  const layout = layoutFlame(buildTree(spans));
  assert.equal(layout.rows, 1 + MAX_LANES);
  assert.equal(layout.byRow[1]?.length, 100_000 - MAX_LANES + 1);
});
