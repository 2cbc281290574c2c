/**
 * One OTLP exporter for the ingest bench, run in a worker thread: sends
 * pre-encoded export requests over gRPC or HTTP/protobuf, keeping `inflight`
 * requests outstanding, and counts the spans the explorer acknowledged
 * (acknowledged = committed to disk, see docs/explorer.md) inside the
 * measurement window. Refusals (429 / UNAVAILABLE) are counted and retried
 * after a short pause, as an SDK exporter would.
 */
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import * as grpc from '@grpc/grpc-js';
import { buildTemplate, stampTraceIds } from './otlp-bodies.ts';

export interface IngestWorkerData {
  protocol: 'grpc' | 'http/protobuf';
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
const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

type Outcome = 'ok' | 'refused' | 'failed';
let firstError: string | undefined;
const noteError = (e: string): void => {
  firstError ??= e;
};

function makeSender(): { send(body: Buffer): Promise<Outcome>; close(): void } {
  if (data.protocol === 'grpc') {
    const client = new grpc.Client(`${data.host}:${data.port}`, grpc.credentials.createInsecure(), {
      'grpc.max_send_message_length': 64 * 2 ** 20,
    });
    const id = (b: Buffer): Buffer => b;
    return {
      send: (body) =>
        new Promise((resolve) => {
          client.makeUnaryRequest(EXPORT_PATH, id, id, body, (err) => {
            if (!err) return resolve('ok');
            if (err.code === grpc.status.UNAVAILABLE || err.code === grpc.status.RESOURCE_EXHAUSTED) return resolve('refused');
            noteError(`grpc ${err.code}: ${err.details}`);
            resolve('failed');
          });
        }),
      close: () => client.close(),
    };
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: data.inflight });
  return {
    send: (body) =>
      new Promise((resolve) => {
        const req = http.request(
          { host: data.host, port: data.port, path: '/v1/traces', method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } },
          (res) => {
            res.resume();
            res.on('end', () => {
              if (res.statusCode === 200) return resolve('ok');
              if (res.statusCode === 429 || res.statusCode === 503) return resolve('refused');
              noteError(`http ${res.statusCode}`);
              resolve('failed');
            });
          },
        );
        req.on('error', (e) => {
          noteError(e.message);
          resolve('failed');
        });
        req.end(body);
      }),
    close: () => agent.destroy(),
  };
}

const sender = makeSender();
// All exporters start together: the main thread says when, once every worker is ready.
parentPort?.postMessage({ ready: true });
const t0 = await new Promise<number>((resolve) => parentPort?.once('message', (m: { startAt: number }) => resolve(m.startAt)));
await new Promise((r) => setTimeout(r, Math.max(0, t0 - Date.now())));
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
parentPort?.postMessage({ ...result, ...(firstError ? { firstError } : {}) });
