/**
 * What the raw-socket fuzzers share: an explorer process with short timeouts,
 * spans stored before the barrage (and the check that they still read back the
 * same after it), a bounded pool to run cases on, and the seed.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before } from 'node:test';
import { getJson, hex, otlpJson, postJson, tempDir } from '../explorer/helpers.ts';
import { type ExplorerProcess, startExplorerProcess, waitExit } from '../explorer/process.ts';

export const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
export const SEED = Number(process.env.FUZZ_SEED ?? 20261202);

export interface FuzzTarget {
  ex: ExplorerProcess;
  stop(): Promise<void>;
}

/** 1 MiB bodies and a 2 s request timeout: oversized and stalled cases end fast. */
export async function startTarget(): Promise<FuzzTarget> {
  const dir = tempDir('tw-fuzz-');
  const ex = await startExplorerProcess(dir, ['--max-body', '1MiB', '--request-timeout', '2s', '--idle-timeout', '2s']);
  return {
    ex,
    async stop() {
      ex.child.kill('SIGTERM');
      await waitExit(ex.child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Stores 20 traces of 5 spans; returns how each reads back through the API. */
export async function storeBaseline(ex: ExplorerProcess): Promise<Map<string, string>> {
  const seen = new Map<string, string>();
  for (let t = 0; t < 20; t++) {
    const traceId = `f0${hex(t + 1, 30)}`;
    const spans = Array.from({ length: 5 }, (_, i) => ({
      traceId, spanId: hex(t * 10 + i + 1, 16), parentSpanId: i ? hex(t * 10 + 1, 16) : '', name: `base-${i}`, kind: 2,
      startTimeUnixNano: String(1_750_000_000_000_000_000n + BigInt(i)), endTimeUnixNano: String(1_750_000_000_000_001_000n),
      attributes: [{ key: 'n', value: { intValue: String(i) } }],
    }));
    assert.equal((await postJson(ex.httpPort, otlpJson(spans, 'baseline'))).status, 200);
  }
  for (let t = 0; t < 20; t++) {
    const traceId = `f0${hex(t + 1, 30)}`;
    const r = await getJson(`${ex.url}/api/tw/traces/${traceId}/otlp`);
    assert.equal(r.status, 200);
    seen.set(traceId, JSON.stringify(r.body));
  }
  return seen;
}

/** The process is alive, answers its health probe, accepts an export, and every baseline trace reads back unchanged. */
export async function assertIntact(ex: ExplorerProcess, baseline: Map<string, string>): Promise<void> {
  assert.equal(ex.child.exitCode, null, `explorer exited: ${ex.stderr()}`);
  assert.equal((await getJson(`${ex.url}/api/tw/status`)).status, 200);
  const after = otlpJson([{ traceId: hex(0xafe, 32), spanId: hex(1, 16), name: 'after-fuzz', startTimeUnixNano: '1', endTimeUnixNano: '2' }]);
  assert.equal((await postJson(ex.httpPort, after)).status, 200);
  for (const [traceId, before] of baseline) {
    const r = await getJson(`${ex.url}/api/tw/traces/${traceId}/otlp`);
    assert.equal(JSON.stringify(r.body), before, `trace ${traceId} unchanged`);
  }
}

/** Runs `fn` over `items`, `concurrency` at a time. */
export async function pool<T>(items: T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

export function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/**
 * The file's fuzz target: an explorer started before its tests with spans
 * stored in it (`baseline`, compared by `assertIntact` after the fuzz), and
 * stopped after them.
 */
export function useFuzzTarget(): { t: FuzzTarget; baseline: Map<string, string> } {
  const target = {} as ReturnType<typeof useFuzzTarget>;
  before(async () => {
    target.t = await startTarget();
    target.baseline = await storeBaseline(target.t.ex);
  });
  after(() => target.t?.stop());
  return target;
}
