/**
 * A trace holds at most `maxSpansPerTrace` spans, and a write to a trace costs
 * what it brings, not what the trace already holds.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { StoredSpan } from '../model.ts';
import { SqliteStore } from './sqlite-store.ts';
import { spanIdOf, testSpan } from './test-spans.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tw-cap-'));

/** Spans `from`..`to - 1` of one trace. */
function spans(trace: number, from: number, to: number): StoredSpan[] {
  const out: StoredSpan[] = [];
  for (let i = from; i < to; i++) {
    out.push(testSpan(trace, i, { parentSpanId: i === 0 ? '' : spanIdOf(1), name: `op ${i % 4}`, status: { code: i % 3 === 0 ? 2 : 0 } }));
  }
  return out;
}

describe('the per-trace span cap', () => {
  it('refuses the spans beyond the cap, says how many and why, and stores the rest', async () => {
    const store = new SqliteStore({ dataDir: tmp(), synchronous: 'NORMAL', maxSpansPerTrace: 10 });
    assert.deepEqual(await store.write(spans(1, 0, 6)), { rejected: 0, messages: [] });
    const r = await store.write(spans(1, 6, 14));
    assert.equal(r.rejected, 4);
    assert.match(r.messages.join(), /4 span\(s\) refused: their trace already holds the most spans a trace may \(10\)/);
    assert.equal((await store.getTrace(spans(1, 0, 1)[0]?.span.traceId as string))?.length, 10);
    const found = await store.search({ attrs: [], limit: 10, offset: 0, sort: 'recent' });
    assert.equal(found.traces[0]?.spanCount, 10);
    await store.close();
  });

  it('does not count a retried export as refused, even when the trace is full', async () => {
    const store = new SqliteStore({ dataDir: tmp(), synchronous: 'NORMAL', maxSpansPerTrace: 10 });
    await store.write(spans(1, 0, 10));
    assert.deepEqual(await store.write(spans(1, 0, 10)), { rejected: 0, messages: [] });
    await store.close();
  });

  it('refuses only the spans of the full trace when exports share a transaction', async () => {
    const store = new SqliteStore({ dataDir: tmp(), synchronous: 'NORMAL', maxSpansPerTrace: 5 });
    const [a, b] = await Promise.all([store.write([...spans(1, 0, 4), ...spans(2, 0, 2)]), store.write([...spans(1, 4, 8), ...spans(2, 2, 4)])]);
    assert.deepEqual([a?.rejected, b?.rejected], [0, 3]);
    assert.equal((await store.status()).spans, 9);
    await store.close();
  });

  // 40,000 one-span exports of one trace: reading the trace's stored ids on each write
  // reads 800 million ids in all, far beyond the timeout; a write that costs what it
  // brings finishes in seconds.
  it('stores a trace sent one span per export in time linear in its size', { timeout: 90_000 }, async () => {
    const store = new SqliteStore({ dataDir: tmp(), synchronous: 'NORMAL' });
    const all = spans(7, 0, 40_000);
    for (const s of all) await store.write([s]);
    // And retried exports are still recognised, from the cache and after it was forgotten.
    assert.deepEqual(await store.write(all.slice(100, 200)), { rejected: 0, messages: [] });
    const traces = await store.search({ attrs: [], limit: 1, offset: 0, sort: 'recent' });
    assert.equal(traces.traces[0]?.spanCount, 40_000);
    await store.close();
  });
});
