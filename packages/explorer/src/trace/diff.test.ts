import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffTraces } from './diff.ts';
import { chain, span } from './test-spans.ts';
import { buildTree } from './tree.ts';

const ms = 1_000_000;
const web = { service: 'web', name: 'GET /' };
const load = { service: 'api', name: 'load' };
const query = { service: 'db', name: 'query' };
const cache = { service: 'cache', name: 'get' };

// A: web -> api load -> 2x db query; web -> cache get
const a = buildTree([
  span('a1', null, 0, 100, web),
  span('a2', 'a1', 10, 50, load),
  span('a3', 'a2', 12, 22, query),
  span('a4', 'a2', 25, 35, query),
  span('a5', 'a1', 60, 70, cache),
]);
// B: same ids differ; load is slower, db query once and failing, no cache, a new api 'audit'
const b = buildTree([
  span('b1', null, 0, 200, web),
  span('b2', 'b1', 10, 150, load),
  span('b3', 'b2', 12, 20, { ...query, status: { code: 'ERROR' } }),
  span('b4', 'b1', 160, 190, { service: 'api', name: 'audit' }),
]);

test('matches spans by service + name path from the root, whatever their ids', () => {
  const diff = diffTraces(a, b);
  assert.deepEqual(
    diff.preorder.map((d) => [d.depth, d.service, d.name, d.a.count, d.b.count, d.status]),
    [
      [0, 'web', 'GET /', 1, 1, 'slower'],
      [1, 'api', 'load', 1, 1, 'slower'],
      [2, 'db', 'query', 2, 1, 'faster'],
      [1, 'cache', 'get', 1, 0, 'missing'],
      [1, 'api', 'audit', 0, 1, 'added'],
    ],
  );
  assert.deepEqual(diff.counts, { added: 1, missing: 1, slower: 2, faster: 1, same: 0 });
  const q = diff.preorder[2];
  assert.deepEqual([q?.a.totalNs, q?.b.totalNs, q?.a.errors, q?.b.errors, q?.a.firstSpanId, q?.b.firstSpanId], [20 * ms, 8 * ms, 0, 1, 'a3', 'b3']);
});

test('a trace compared with itself is the same everywhere', () => {
  const diff = diffTraces(a, a);
  assert.equal(diff.counts.same, 4);
  assert.equal(diff.preorder.length, 4);
});

test('small changes count as the same: under 10 % or under 1 % of the longer trace', () => {
  const one = buildTree([span('r', null, 0, 1000, web), span('c', 'r', 0, 5, load), span('d', 'r', 10, 110, query)]);
  const two = buildTree([span('r', null, 0, 1050, web), span('c', 'r', 0, 9, load), span('d', 'r', 10, 140, query)]);
  assert.deepEqual(diffTraces(one, two).preorder.map((d) => d.status), ['same', 'same', 'slower']);
  assert.deepEqual(diffTraces(one, two, { minRatio: 0.01, minShareOfTrace: 0 }).preorder.map((d) => d.status), ['slower', 'slower', 'slower']);
});

test('stays linear on a chain 100,000 spans deep', () => {
  const deep = buildTree(chain(100_000));
  const diff = diffTraces(deep, deep);
  assert.equal(diff.preorder.length, 100_000);
  assert.equal(diff.preorder.at(-1)?.depth, 99_999);
});
