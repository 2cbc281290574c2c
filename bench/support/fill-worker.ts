/**
 * One OTLP/HTTP-protobuf exporter for the fill bench (explorer-fill), run in
 * a worker thread: the same pre-encoded requests and sender as the ingest
 * bench, but sending until the run's shared request budget is used up rather
 * than for a time window, and keeping the time of every acknowledgement, so
 * the main thread can compute the rate over any stretch of the fill.
 * The budget is claimed one request at a time from a SharedArrayBuffer
 * (Atomics), so all exporters together send exactly `requests` requests.
 * A refused request (429/503) is sent again after 100 ms, as an SDK exporter
 * retries it; a failed one after 200 ms, up to MAX_FAILURES in a row.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildTemplate, stampTraceIds } from './otlp-bodies.ts';
import { makeSender } from './otlp-sender.ts';
import { ACKED, CLAIMED, waitForStart } from './sender-threads.ts';

export interface FillWorkerData {
  host: string;
  port: number;
  sender: number;
  tracesPerRequest: number;
  inflight: number;
  /** Requests all exporters send together. */
  requests: number;
  /** sender-threads.ts budgetCounters(): CLAIMED, ACKED. */
  counters: SharedArrayBuffer;
}

export interface FillWorkerResult {
  sender: number;
  spansPerRequest: number;
  /** Date.now() of each acknowledged request, in order. */
  ackTimes: number[];
  refused: number;
  failed: number;
  firstError?: string;
}

const MAX_FAILURES = 50;

const data = workerData as FillWorkerData;
const counters = new Int32Array(data.counters);
const template = buildTemplate(`bench-exporter-${data.sender}`, data.tracesPerRequest);
const sender = makeSender('http/protobuf', data.host, data.port, data.inflight);
const result: FillWorkerResult = { sender: data.sender, spansPerRequest: template.spans, ackTimes: [], refused: 0, failed: 0 };
const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function sendUntilAcked(body: Buffer): Promise<void> {
  for (let failures = 0; ; ) {
    const outcome = await sender.send(body);
    if (outcome === 'ok') {
      result.ackTimes.push(Date.now());
      Atomics.add(counters, ACKED, 1);
      return;
    }
    if (outcome === 'refused') {
      result.refused++;
      await pause(100);
      continue;
    }
    result.failed++;
    if (++failures >= MAX_FAILURES) throw new Error(`sender ${data.sender}: ${MAX_FAILURES} failures in a row, first: ${sender.firstError()}`);
    await pause(200);
  }
}

let seq = 0;
async function loop(): Promise<void> {
  while (Atomics.add(counters, CLAIMED, 1) < data.requests) await sendUntilAcked(stampTraceIds(template, data.sender, ++seq));
}

await waitForStart();
await Promise.all(Array.from({ length: data.inflight }, () => loop()));
sender.close();
result.ackTimes.sort((a, b) => a - b);
const firstError = sender.firstError();
parentPort?.postMessage({ ...result, ...(firstError ? { firstError } : {}) });
