/**
 * Durability: SIGKILL the explorer while a client streams spans, restart it
 * on the same data directory, and find every acknowledged span. Also: SIGTERM
 * shuts down cleanly with exit code 0.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getJson, hex, otlpJson, tempDir } from './helpers.ts';
import { startExplorerProcess, waitExit } from './process.ts';

describe('explorer durability', () => {
  for (const flags of [[], ['--shards', '2']]) {
  it(`keeps every acknowledged span across SIGKILL${flags.length ? ` (${flags.join(' ')})` : ''}`, async () => {
    const dir = tempDir('tw-crash-');
    const first = await startExplorerProcess(dir, flags);
    const acked: Array<{ traceId: string; spanIds: string[] }> = [];
    let stop = false;
    let n = 0;
    const client = async (lane: number) => {
      while (!stop) {
        const t = ++n;
        const traceId = `c0${hex(lane, 2)}${hex(t, 28)}`;
        const spans = Array.from({ length: 20 }, (_, i) => ({
          traceId,
          spanId: hex(t * 100 + i + 1, 16),
          name: `op ${i}`,
          kind: 1,
          startTimeUnixNano: `${Date.now()}000000`,
          endTimeUnixNano: `${Date.now() + 1}000000`,
          attributes: [{ key: 'i', value: { intValue: String(i) } }],
        }));
        try {
          const res = await fetch(`http://127.0.0.1:${first.httpPort}/v1/traces`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(otlpJson(spans, 'crash')),
          });
          if (res.status === 200) acked.push({ traceId, spanIds: spans.map((s) => s.spanId) });
          await res.arrayBuffer();
        } catch {
          return; // the process is gone
        }
      }
    };
    const lanes = [client(1), client(2), client(3)];
    await new Promise((r) => setTimeout(r, 1500));
    first.child.kill('SIGKILL');
    await waitExit(first.child);
    stop = true;
    await Promise.all(lanes);
    assert.ok(acked.length > 10, `only ${acked.length} batches acknowledged`);

    // The directory keeps its layout: no flag needed to find the shards again.
    const second = await startExplorerProcess(dir);
    try {
      for (const a of acked) {
        const r = await getJson<{ spans: Array<{ spanId: string }> }>(`${second.url}/api/tw/traces/${a.traceId}`);
        assert.equal(r.status, 200, `trace ${a.traceId} lost`);
        const got = new Set(r.body.spans.map((s) => s.spanId));
        for (const id of a.spanIds) assert.ok(got.has(id), `span ${id} of ${a.traceId} lost`);
      }
    } finally {
      second.child.kill('SIGTERM');
      assert.equal(await waitExit(second.child), 0, second.stderr());
    }
  });
  }
});
