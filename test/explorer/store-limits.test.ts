/**
 * The store's limits seen from outside, over real sockets against a real
 * explorer process: a trace over its span cap is answered with an OTLP
 * partial success naming the refused spans, and a search that would need more
 * work than one query may is answered 400 with advice, while the explorer
 * keeps serving. The limits are lowered through their environment variables.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getJson, hex, otlpJson, postJson } from './helpers.ts';
import { type ExplorerProcess, startExplorerProcess, waitExit } from './process.ts';

const LIMITS = { TRACEWIRE_MAX_SPANS_PER_TRACE: '50', TRACEWIRE_SEARCH_SCAN_TRACES: '100' };
const T0 = 1_750_000_000_000n * 1_000_000n;

function span(trace: string, n: number, name: string, startMs: number, durMs = 1) {
  const start = T0 + BigInt(startMs) * 1_000_000n;
  return { traceId: trace, spanId: hex(n, 16), name, kind: 2, startTimeUnixNano: String(start), endTimeUnixNano: String(start + BigInt(durMs) * 1_000_000n) };
}

describe('store limits through a real explorer', () => {
  let ex: ExplorerProcess;
  before(async () => {
    const saved = Object.fromEntries(Object.keys(LIMITS).map((k) => [k, process.env[k]]));
    Object.assign(process.env, LIMITS);
    try {
      ex = await startExplorerProcess(fs.mkdtempSync(path.join(os.tmpdir(), 'tw-limits-')));
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  after(async () => {
    ex.child.kill('SIGTERM');
    await waitExit(ex.child);
  });

  it('answers spans beyond the per-trace cap as rejected in the partial success, and stores the rest', async () => {
    const trace = `cab${hex(1, 29)}`;
    const first = await postJson(ex.httpPort, otlpJson(Array.from({ length: 30 }, (_, i) => span(trace, i + 1, 'op', i))));
    assert.deepEqual([first.status, await first.json()], [200, {}]);
    const second = await postJson(ex.httpPort, otlpJson(Array.from({ length: 30 }, (_, i) => span(trace, i + 31, 'op', 30 + i))));
    assert.equal(second.status, 200);
    const body = (await second.json()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    assert.equal(body.partialSuccess.rejectedSpans, '10');
    assert.match(body.partialSuccess.errorMessage, /10 span\(s\) refused: their trace already holds the most spans a trace may \(50\)/);
    const stored = await getJson<{ spans: unknown[] }>(`${ex.url}/api/tw/traces/${trace}`);
    assert.equal(stored.body.spans.length, 50);
  });

  it('answers 400 with advice to a search that would examine more traces than one query may, and keeps serving', async () => {
    // The needle is the oldest trace, told apart only by its duration, which no index answers.
    const spans = Array.from({ length: 300 }, (_, i) => span(`5ea${hex(i + 1, 29)}`, 1000 + i, 'GET /hay', 1000 + i, i === 0 ? 50 : 1));
    assert.equal((await postJson(ex.httpPort, otlpJson(spans))).status, 200);
    const refused = await getJson<{ error: string }>(`${ex.url}/api/tw/search?minDuration=10ms&start=0&limit=20`);
    assert.equal(refused.status, 400);
    assert.match(refused.body.error, /would take too long: no page of matches was found among the newest 100 traces of the time range\. Narrow the time range/);
    const found = await getJson<{ traces: Array<{ rootName: string }> }>(`${ex.url}/api/tw/search?q=hay&start=0&limit=20`);
    assert.equal(found.status, 200);
    assert.equal(found.body.traces.length, 20);
  });
});
