/**
 * Search totals are counted up to a bound, and newest-first pages are the
 * same whichever plan serves them: gathering and sorting every match (few
 * matches) or walking the start-time index and stopping at the page (many).
 * Arrival order here deliberately differs from start order.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { StoredSpan } from '../model.ts';
import { SqliteStore } from './sqlite-store.ts';
import type { SearchQuery, TraceSummary } from './store.ts';

const T0 = 1_800_000_000_000n * 1_000_000n;
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tw-paging-'));

function span(trace: number, n: number, service: string, name: string, startMs: number, parent = ''): StoredSpan {
  const start = T0 + BigInt(startMs) * 1_000_000n;
  return {
    resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
    scope: { name: 's' },
    service,
    span: {
      traceId: trace.toString(16).padStart(32, '0'),
      spanId: (trace * 100 + n).toString(16).padStart(16, '0'),
      parentSpanId: parent,
      name,
      kind: 2,
      startTimeUnixNano: String(start),
      endTimeUnixNano: String(start + BigInt(1 + (trace % 7)) * 1_000_000n),
      attributes: [{ key: 'parity', value: { stringValue: trace % 2 ? 'odd' : 'even' } }],
      events: [],
      links: [],
      status: { code: 0 },
    },
  };
}

interface Planned {
  trace: number;
  startMs: number;
  service: string;
}

/** 60 traces, stored one batch each in an order unrelated to their start times; some starts tie. */
function plan(): Planned[] {
  const out: Planned[] = [];
  for (let i = 0; i < 60; i++) out.push({ trace: i + 1, startMs: ((i * 37) % 60) * 10 - (i % 5 === 0 ? 10 : 0), service: i % 3 === 0 ? 'api' : 'worker' });
  return out;
}

describe('search paging and totals', () => {
  const planned = plan();
  // The order 'recent' promises: start time descending, then the trace stored later first.
  const expected = (filter: (p: Planned) => boolean) =>
    planned
      .map((p, arrival) => ({ ...p, arrival, startMs: p.trace === 7 ? -1000 : p.startMs }))
      .filter(filter)
      .sort((a, b) => b.startMs - a.startMs || b.arrival - a.arrival)
      .map((p) => p.trace.toString(16).padStart(32, '0'));
  let exact: SqliteStore;
  let capped: SqliteStore;

  before(async () => {
    exact = new SqliteStore({ dataDir: tmp() });
    capped = new SqliteStore({ dataDir: tmp(), searchCountCap: 4 });
    for (const store of [exact, capped]) {
      for (const p of planned) await store.write([span(p.trace, 1, p.service, `GET /${p.service}`, p.startMs)]);
      // A late span with an earlier start moves trace 7 to the end of 'recent' although it arrived early.
      await store.write([span(7, 2, 'api', 'late child', -1000, span(7, 1, 'x', 'x', 0).span.spanId)]);
    }
  });
  after(async () => {
    await exact.close();
    await capped.close();
  });

  async function allPages(store: SqliteStore, q: Omit<SearchQuery, 'limit' | 'offset'>, limit: number): Promise<TraceSummary[]> {
    const out: TraceSummary[] = [];
    for (let offset = 0; ; offset += limit) {
      const page = await store.search({ ...q, limit, offset });
      out.push(...page.traces);
      if (page.traces.length < limit) return out;
    }
  }

  it('counts every match up to the bound and says when it stopped there', async () => {
    const all = await capped.search({ attrs: [], limit: 2, offset: 0, sort: 'recent' });
    assert.deepEqual([all.total, all.totalCapped], [4, true]);
    const deep = await capped.search({ attrs: [], limit: 2, offset: 10, sort: 'recent' });
    assert.deepEqual([deep.total, deep.totalCapped, deep.traces.length], [12, true, 2], 'never below the traces already shown');
    const last = await capped.search({ attrs: [], limit: 5, offset: 58, sort: 'recent' });
    assert.deepEqual([last.total, last.totalCapped, last.traces.length], [60, false, 2], 'a short last page makes the total exact');
    const beyond = await capped.search({ attrs: [], limit: 5, offset: 80, sort: 'recent' });
    assert.deepEqual([beyond.total, beyond.totalCapped, beyond.traces.length], [80, true, 0]);
    const exactAll = await exact.search({ attrs: [], limit: 2, offset: 0, sort: 'recent' });
    assert.deepEqual([exactAll.total, exactAll.totalCapped], [60, false]);
    const few = await capped.search({ attrs: [{ op: 'eq', key: 'parity', value: 'odd' }], service: 'api', operation: 'late child', limit: 2, offset: 0, sort: 'recent' });
    assert.deepEqual([few.total, few.totalCapped], [1, false]);
  });

  it('reports a total of exactly the bound as exact', async () => {
    const store = new SqliteStore({ dataDir: tmp(), searchCountCap: 3 });
    for (const p of planned.slice(0, 3)) await store.write([span(p.trace, 1, p.service, 'op', p.startMs)]);
    const r = await store.search({ attrs: [], limit: 10, offset: 0, sort: 'recent' });
    assert.deepEqual([r.total, r.totalCapped, r.traces.length], [3, false, 3]);
    await store.close();
  });

  const queries: Array<[string, Omit<SearchQuery, 'limit' | 'offset'>, (p: Planned) => boolean]> = [
    ['no filter', { attrs: [], sort: 'recent' }, () => true],
    ['service + operation', { attrs: [], service: 'worker', operation: 'GET /worker', sort: 'recent' }, (p) => p.service === 'worker'],
    ['service (any span)', { attrs: [], service: 'api', sort: 'recent' }, (p) => p.service === 'api' || p.trace === 7],
    ['attribute', { attrs: [{ op: 'eq', key: 'parity', value: 'even' }], sort: 'recent' }, (p) => p.trace % 2 === 0],
    ['absent attribute', { attrs: [{ op: 'absent', key: 'parity' }], sort: 'recent' }, () => false],
    ['text and time window', { attrs: [], text: 'worker', startNs: T0 + 100_000_000n, endNs: T0 + 400_000_000n, sort: 'recent' }, (p) => p.service === 'worker' && p.startMs >= 100 && p.startMs <= 400],
  ];
  for (const [what, q, filter] of queries) {
    it(`pages newest first by start time, ties by arrival, past the count bound (${what})`, async () => {
      const want = expected(filter);
      for (const limit of [1, 3, 7, 50]) {
        assert.deepEqual((await allPages(capped, q, limit)).map((t) => t.traceId), want, `capped, limit ${limit}`);
        assert.deepEqual((await allPages(exact, q, limit)).map((t) => t.traceId), want, `exact, limit ${limit}`);
      }
    });
  }

  it('sorts by duration and span count over every match, counted or not', async () => {
    for (const sort of ['longest', 'spans'] as const) {
      const q = { attrs: [], service: 'worker', sort };
      const a = await allPages(capped, q, 3);
      assert.deepEqual(a, await allPages(exact, q, 100));
      assert.equal(a.length, 40);
    }
    const longest = await capped.search({ attrs: [], limit: 1, offset: 0, sort: 'longest' });
    // Trace 7: its late child starts at -1000 ms, its first span ends at 421 ms.
    assert.equal(longest.traces[0]?.durationNs, 1_421_000_000n);
  });
});
