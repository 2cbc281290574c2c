/**
 * One OTLP exporter for the ingest bench, run in a worker thread: sends
 * pre-encoded export requests over gRPC or HTTP/protobuf, keeping `inflight`
 * requests outstanding, and counts the spans the explorer acknowledged
 * (acknowledged = committed to disk, see docs/explorer.md) inside the
 * measurement window. Refusals (429 / UNAVAILABLE) are counted and retried
 * after a short pause, as an SDK exporter would.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { buildTemplate, stampTraceIds } from './otlp-bodies.ts';
import { type Protocol, makeSender } from './otlp-sender.ts';
import { waitForStart } from './sender-threads.ts';

export interface IngestWorkerData {
  protocol: Protocol;
  host: string;
  port: number;
  sender: number;
  tracesPerRequest: number;
  inflight: number;
  warmupMs: number;
  durationMs: number;
}

export interface IngestWorkerResult {
  sender: number;
  ackedSpans: number;
  windowMs: number;
  requests: number;
  refused: number;
  failed: number;
  latenciesMs: number[];
  firstError?: string;
}

const data = workerData as IngestWorkerData;
const template = buildTemplate(`bench-exporter-${data.sender}`, data.tracesPerRequest);
const sender = makeSender(data.protocol, data.host, data.port, data.inflight);
const t0 = await waitForStart();
const windowStart = t0 + data.warmupMs;
const windowEnd = windowStart + data.durationMs;
let seq = 0;
const result: IngestWorkerResult = { sender: data.sender, ackedSpans: 0, windowMs: data.durationMs, requests: 0, refused: 0, failed: 0, latenciesMs: [] };

async function loop(): Promise<void> {
  while (Date.now() < windowEnd) {
    const body = stampTraceIds(template, data.sender, ++seq);
    const sent = performance.now();
    const outcome = await sender.send(body);
    const ackedAt = Date.now();
    const inWindow = ackedAt >= windowStart && ackedAt < windowEnd;
    if (inWindow) {
      result.requests++;
      result.latenciesMs.push(performance.now() - sent);
    }
    if (outcome === 'ok' && inWindow) result.ackedSpans += template.spans;
    if (outcome === 'refused') {
      if (inWindow) result.refused++;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (outcome === 'failed') {
      if (inWindow) result.failed++;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

await Promise.all(Array.from({ length: data.inflight }, () => loop()));
sender.close();
const firstError = sender.firstError();
parentPort?.postMessage({ ...result, ...(firstError ? { firstError } : {}) });
