import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sortStats, traceStats } from './stats.ts';
import { span } from './test-spans.ts';
import { buildTree } from './tree.ts';

const ms = 1_000_000;
// web GET /  0..100, calls api 'load' twice (10..40 and 30..60, overlapping) and db 'query' 70..90 (error)
const spans = [
  span('root', null, 0, 100, { service: 'web', name: 'GET /' }),
  span('l1', 'root', 10, 40, { service: 'api', name: 'load' }),
  span('l2', 'root', 30, 60, { service: 'api', name: 'load' }),
  span('q', 'root', 70, 90, { service: 'db', name: 'query', status: { code: 'ERROR' } }),
  span('q2', 'l1', 15, 25, { service: 'db', name: 'query' }),
];

test('per operation: count, total, self time (overlapping children counted once), longest and errors', () => {
  const { rows, selfTotalNs } = traceStats(buildTree(spans), 'operation');
  const load = rows.find((r) => r.operation === 'load');
  assert.deepEqual(load, { service: 'api', operation: 'load', count: 2, totalNs: 60 * ms, selfNs: 50 * ms, maxNs: 30 * ms, errors: 0 });
  const root = rows.find((r) => r.operation === 'GET /');
  assert.equal(root?.selfNs, 30 * ms, '100 ms minus 10..60 and 70..90');
  const query = rows.find((r) => r.operation === 'query');
  assert.deepEqual([query?.count, query?.totalNs, query?.errors], [2, 30 * ms, 1]);
  assert.equal(selfTotalNs, (30 + 50 + 30) * ms);
});

test('per service: one row per service, operations merged', () => {
  const { rows } = traceStats(buildTree(spans), 'service');
  assert.deepEqual(rows.map((r) => [r.service, r.operation, r.count]), [['api', null, 2], ['db', null, 2], ['web', null, 1]]);
});

test('rows start sorted by self time (ties by service), and sort by any column either way', () => {
  const { rows } = traceStats(buildTree(spans), 'operation');
  assert.deepEqual(rows.map((r) => r.operation), ['load', 'query', 'GET /']);
  assert.deepEqual(sortStats(rows, 'count', 'asc').map((r) => r.operation), ['GET /', 'load', 'query']);
  assert.deepEqual(sortStats(rows, 'errors', 'desc').map((r) => r.operation), ['query', 'load', 'GET /']);
  assert.deepEqual(sortStats(rows, 'avgNs', 'desc').map((r) => r.operation), ['GET /', 'load', 'query']);
  assert.deepEqual(sortStats(rows, 'service', 'asc').map((r) => r.service), ['api', 'db', 'web']);
});

test('an empty trace has no rows', () => {
  assert.deepEqual(traceStats(buildTree([]), 'service'), { rows: [], selfTotalNs: 0 });
});
