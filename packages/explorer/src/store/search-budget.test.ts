/**
 * A search examines at most `searchScanTraces` traces (divided among its
 * filters): it answers exactly when that is enough, a newest-first page when
 * the page fills within the newest traces of the window, and QueryBudgetError
 * otherwise; it never reads the whole store. Here the budget is 100 traces and
 * the store holds 1,000.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { StoredSpan } from '../model.ts';
import { SqliteStore } from './sqlite-store.ts';
import type { SearchQuery } from './store.ts';

const TRACES = 1000;

/** Trace i starts at i ms (so trace 1000 is the newest) and lasts i µs; every 10th is an error. */
function trace(i: number, name: string, startMs = i): StoredSpan[] {
  const start = BigInt(startMs) * 1_000_000n;
  return [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: i % 2 ? 'odd' : 'even' } }] },
      scope: { name: 's' },
      service: i % 2 ? 'odd' : 'even',
      span: {
        traceId: i.toString(16).padStart(32, '0'),
        spanId: i.toString(16).padStart(16, '0'),
        parentSpanId: '',
        name,
        kind: 2,
        startTimeUnixNano: String(start),
        endTimeUnixNano: String(start + BigInt(i) * 1000n),
        attributes: [{ key: 'order.id', value: { stringValue: `o-${i}` } }],
        events: [],
        links: [],
        status: { code: i % 10 === 0 ? 2 : 0 },
      },
    },
  ];
}

const q = (over: Partial<SearchQuery>): SearchQuery => ({ attrs: [], limit: 5, offset: 0, sort: 'recent', ...over });
const ids = (r: { traces: Array<{ traceId: string }> }) => r.traces.map((t) => parseInt(t.traceId, 16));

describe('the search budget', () => {
  let store: SqliteStore;
  before(async () => {
    store = new SqliteStore({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'tw-budget-')), synchronous: 'NORMAL', searchScanTraces: 100 });
    const spans: StoredSpan[] = [];
    // The needle is in the oldest trace and in one among the newest 100.
    for (let i = 1; i <= TRACES; i++) spans.push(...trace(i, i === 1 || i === 950 ? 'GET /needle' : `GET /hay/${i % 7}`));
    await store.write(spans);
  });
  after(() => store.close());

  it('answers a text search with the newest page when it fills within the newest traces of the window', async () => {
    const r = await store.search(q({ text: 'hay' }));
    assert.deepEqual(ids(r), [1000, 999, 998, 997, 996]);
    assert.equal(r.totalCapped, true, 'the total is a lower bound: older traces were not examined');
    assert.ok(r.total >= 5);
  });

  it('refuses with QueryBudgetError, saying how to narrow it, when the page does not fill within the budget', async () => {
    await assert.rejects(store.search(q({ text: 'needle' })), (err: Error) => {
      assert.equal(err.name, 'QueryBudgetError');
      assert.match(err.message, /no page of matches was found among the newest 100 traces of the time range\. Narrow the time range, or add a selective filter/);
      return true;
    });
  });

  it('answers exactly when the time range holds no more traces than the budget', async () => {
    const r = await store.search(q({ text: 'needle', startNs: 901n * 1_000_000n }));
    assert.deepEqual(ids(r), [950]);
    assert.deepEqual([r.total, r.totalCapped], [1, false]);
  });

  it('answers exactly through a selective filter, however large the time range', async () => {
    const r = await store.search(q({ text: 'needle', attrs: [{ op: 'eq', key: 'order.id', value: 'o-1' }] }));
    assert.deepEqual(ids(r), [1]);
    assert.deepEqual([r.total, r.totalCapped], [1, false]);
  });

  it('sorts by duration exactly within the budget, and refuses a time range holding more traces', async () => {
    const r = await store.search(q({ sort: 'longest', startNs: 951n * 1_000_000n }));
    assert.deepEqual(ids(r), [1000, 999, 998, 997, 996]);
    assert.equal(r.total, 50);
    await assert.rejects(store.search(q({ sort: 'longest', errorsOnly: true })), { name: 'QueryBudgetError', message: /sorting by duration needs every trace of the time range, and it holds more than 100/ });
  });

  it('shares the budget among the filters', async () => {
    // Two filters: the newest 50 traces. Errors among them: 1000 to 960; 940 is beyond.
    const r = await store.search(q({ text: 'hay', errorsOnly: true, limit: 5 }));
    assert.deepEqual(ids(r), [1000, 990, 980, 970, 960]);
    await assert.rejects(store.search(q({ text: 'hay', errorsOnly: true, limit: 6 })), { name: 'QueryBudgetError' });
  });

  it('does not widen its scope over traces that all start at the same time', async () => {
    const tied = new SqliteStore({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'tw-budget-')), synchronous: 'NORMAL', searchScanTraces: 100 });
    const spans: StoredSpan[] = [];
    for (let i = 1; i <= TRACES; i++) spans.push(...trace(i, i === 1 ? 'GET /needle' : 'GET /hay', 5));
    await tied.write(spans);
    await assert.rejects(tied.search(q({ text: 'needle' })), { name: 'QueryBudgetError' });
    await tied.close();
  });
});
