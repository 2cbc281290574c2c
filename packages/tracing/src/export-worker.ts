/**
 * The worker thread behind `WorkerSpanExporter` (worker-exporter.ts): it
 * receives OTLP/HTTP protobuf request bodies already serialised by the main
 * thread and sends them with the official OTLP/HTTP transport
 * (`@opentelemetry/otlp-exporter-base`: retries on 429/502/503/504 with
 * back-off, timeout, OTEL_EXPORTER_OTLP_*_HEADERS, compression, TLS
 * settings), so the request's socket work runs off the service's event loop.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { FromWorker, ToWorker, WorkerSettings } from './worker-protocol.ts';

/** A request body and the number of spans in it (for the exporter's metrics helper). */
interface Body {
  bytes: Uint8Array;
  spans: number;
}

const settings = workerData as WorkerSettings;
const delegate = createOtlpHttpExportDelegate<Body, unknown>(
  convertLegacyHttpOptions({ url: settings.url, timeoutMillis: settings.timeoutMillis }, 'TRACES', 'v1/traces', {
    'Content-Type': 'application/x-protobuf',
  }),
  {
    serializeRequest: (body) => body.bytes,
    // Partial-success responses are decoded (and logged through diag) as the official exporter does.
    deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
  },
  'tracewire_worker_otlp_http_span_exporter',
  { name: 'span', countItems: (body) => body.spans },
  undefined,
);

const port = parentPort;
if (!port) throw new Error('export-worker.ts runs only as a worker thread');

port.on('message', (message: ToWorker) => {
  if (message.kind === 'export') {
    const bytes = new Uint8Array(message.buffer, message.byteOffset, message.byteLength);
    delegate.export({ bytes, spans: message.spans }, (result) => {
      const reply: FromWorker = { kind: 'exported', id: message.id, ok: result.code === 0, error: result.error?.message };
      port.postMessage(reply);
    });
    return;
  }
  void delegate
    .shutdown()
    .catch(() => undefined)
    .then(() => {
      const reply: FromWorker = { kind: 'stopped' };
      port.postMessage(reply);
      port.close();
    });
});
