/**
 * Raw-socket fuzzing of the UI/API listener of a real `tracewire explorer`
 * process: generated request lines, methods, targets, headers and bodies
 * (valid, truncated, oversized, invalid UTF-8, NUL, CR/LF injection, huge
 * numbers, many parameters, pipelined requests, random bytes) over bare TCP.
 * Every answer is below 500 (or the connection is closed without one, which
 * is how Node refuses a request it cannot parse), every connection is closed
 * by the server, and afterwards the process is alive, answers the status
 * probe, logged no error, and still serves the trace stored before, unchanged.
 *
 * `FUZZ_RUNS` scales the number of cases (default 10,000), `FUZZ_SEED` picks
 * the seed (printed with the figures, and with any failing case).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hex, otlpJson, postJson, tempDir } from '../explorer/helpers.ts';
import { type ExplorerProcess, startExplorerProcess, waitExit } from '../explorer/process.ts';
import { rawGet, rawRequest } from '../explorer/raw-http.ts';
import { type Rng, mulberry32 } from '../support/prng.ts';
import { generateCase } from './http-cases.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 0x7ace);
/** Connections in flight at once: enough to keep the explorer busy, few enough for a shared 2-core box. */
const CONCURRENCY = 8;

const TRACE = hex(0xf022, 32);

function seedSpans() {
  const now = BigInt(Date.now()) * 1_000_000n;
  const attrs = [
    { key: 'http.route', value: { stringValue: '/api/orders/{id}' } },
    { key: 'retries', value: { intValue: '3' } },
    { key: 'big', value: { intValue: '9223372036854775807' } },
  ];
  return otlpJson(
    [
      { traceId: TRACE, spanId: hex(1, 16), name: 'GET /orders', kind: 2, startTimeUnixNano: String(now), endTimeUnixNano: String(now + 9_000_000n), attributes: attrs },
      { traceId: TRACE, spanId: hex(2, 16), parentSpanId: hex(1, 16), name: 'SELECT', kind: 3, startTimeUnixNano: String(now + 1_000_000n), endTimeUnixNano: String(now + 2_000_000n), status: { code: 2, message: 'x' } },
    ],
    'fuzz-api',
  );
}

describe('UI/API listener, raw-socket fuzz', () => {
  let ex: ExplorerProcess;
  let stored: { tw: string; jaeger: string };
  before(async () => {
    ex = await startExplorerProcess(tempDir());
    assert.equal((await postJson(ex.httpPort, seedSpans())).status, 200);
    stored = { tw: (await rawGet(ex.uiPort, `/api/tw/traces/${TRACE}`)).body, jaeger: (await rawGet(ex.uiPort, `/api/traces/${TRACE}`)).body };
    assert.match(stored.tw, /GET \/orders/);
  });
  after(async () => {
    ex.child.kill('SIGTERM');
    await waitExit(ex.child);
  });

  it(`answers ${RUNS} generated requests below 500 and keeps serving the stored trace`, async () => {
    const rng: Rng = mulberry32(SEED);
    const cases = Array.from({ length: RUNS }, () => generateCase(rng, ex.uiPort));
    const statuses = new Map<string, number>();
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++]!;
        const r = await rawRequest(ex.uiPort, c.bytes, { timeoutMs: 20_000 });
        const key = r.status === undefined ? 'closed' : String(r.status);
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        const refused = r.error === 'ECONNREFUSED';
        if (r.timedOut || refused || (r.status !== undefined && r.status >= 500)) {
          failures.push(`${c.kind}: ${r.timedOut ? 'no close within 20 s' : refused ? 'connection refused' : r.status} for ${JSON.stringify(c.bytes.toString('latin1').slice(0, 300))}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    const figures = Object.fromEntries([...statuses].sort(([a], [b]) => a.localeCompare(b)));
    console.log(`# figures ${JSON.stringify({ seed: SEED, cases: RUNS, statuses: figures })}`);
    assert.deepEqual(failures.slice(0, 10), [], `seed ${SEED}: ${failures.length} failing case(s)`);

    assert.equal(ex.child.exitCode, null, `the explorer exited: ${ex.stderr()}`);
    const status = await rawGet(ex.uiPort, '/api/tw/status');
    assert.equal(status.status, 200);
    assert.equal((JSON.parse(status.body) as { spans: number }).spans, 2);
    assert.equal((await rawGet(ex.uiPort, `/api/tw/traces/${TRACE}`)).body, stored.tw);
    assert.equal((await rawGet(ex.uiPort, `/api/traces/${TRACE}`)).body, stored.jaeger);
    const logged = ex.stderr().split('\n').filter((l) => l.trim() !== '' && !l.startsWith('tracewire explorer: UI '));
    assert.deepEqual(logged.slice(0, 20), [], 'nothing reached the error log');
  });
});
