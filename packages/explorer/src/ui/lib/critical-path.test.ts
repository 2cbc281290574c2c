import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiSpan } from '../../api-types.ts';
import { computeCriticalPath } from './critical-path.ts';
import { buildTraceTree } from './trace-tree.ts';

function span(id: string, parent: string | null, startMs: number, endMs: number): ApiSpan {
  return {
    spanId: id, parentSpanId: parent, name: id, kind: 'INTERNAL', service: 's',
    startNs: String(startMs * 1_000_000), endNs: String(endMs * 1_000_000), durationNs: '0',
    status: { code: 'UNSET' }, attributes: [], resource: [], scope: { name: '' }, events: [], links: [],
  };
}

test('follows the child that finished last, then what ran before it', () => {
  // root 0-100: a 0-30, b 10-90 (overlaps a), c 35-40 (inside b), d 92-95 after b
  const tree = buildTraceTree([
    span('root', null, 0, 100), span('a', 'root', 0, 30), span('b', 'root', 10, 90),
    span('c', 'root', 35, 40), span('d', 'root', 92, 95), span('b1', 'b', 60, 88),
  ]);
  const path = computeCriticalPath(tree);
  assert.deepEqual([...path].sort(), ['a', 'b', 'b1', 'd', 'root']);
});

test('ignores children that start after the parent ended (async work)', () => {
  const tree = buildTraceTree([span('root', null, 0, 10), span('late', 'root', 20, 30)]);
  assert.deepEqual([...computeCriticalPath(tree)], ['root']);
});

test('is empty for an empty trace', () => {
  assert.equal(computeCriticalPath(buildTraceTree([])).size, 0);
});
