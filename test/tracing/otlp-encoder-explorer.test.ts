/**
 * The library's OTLP protobuf encoder, end to end: the same SDK spans sent
 * by its exporter to one real explorer and by the official exporter to
 * another, over OTLP/HTTP protobuf and OTLP/gRPC, come out of both
 * explorers' receivers as the same stored trace.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as OfficialGrpc } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OfficialProto } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { type Explorer, startExplorer } from '../../packages/explorer/src/index.ts';
import { OtlpGrpcExporter, OtlpHttpProtoExporter } from '../../packages/tracing/src/otlp-exporter.ts';

const dirs: string[] = [];
const explorers: Explorer[] = [];
async function explorer(): Promise<Explorer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-enc-'));
  dirs.push(dataDir);
  const e = await startExplorer({ dataDir, grpcPort: 0, httpPort: 0, uiPort: 0, onError: () => undefined });
  explorers.push(e);
  return e;
}
let ours: Explorer;
let theirs: Explorer;
before(async () => {
  ours = await explorer();
  theirs = await explorer();
});
after(async () => {
  for (const e of explorers) await e.close();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A small trace with what the shop's spans carry: kinds, parents, typed attributes, an event, a link, an error. */
function traceSpans(): ReadableSpan[] {
  const ended: ReadableSpan[] = [];
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'encoder-e2e', 'process.pid': process.pid }),
    spanProcessors: [{ onStart() {}, onEnd: (s) => void ended.push(s), forceFlush: async () => {}, shutdown: async () => {} }],
  });
  const tracer = provider.getTracer('@tracewire/tracing', '0.1.0');
  const root = tracer.startSpan('POST /api/orders', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'POST', 'http.response.status_code': 201 } });
  const ctx = trace.setSpan(ROOT_CONTEXT, root);
  const child = tracer.startSpan('orders.Orders/Create', { kind: SpanKind.CLIENT, attributes: { 'rpc.system': 'grpc', amount: 19.99, tags: ['a', 'ü'], ok: true }, links: [{ context: root.spanContext(), attributes: { why: 'test' } }] }, ctx);
  child.addEvent('retry', { attempt: 2 });
  child.recordException(new Error('stock ran out'));
  child.setStatus({ code: 2, message: 'stock ran out' });
  child.end();
  root.end();
  return ended;
}

const send = (exporter: SpanExporter, spans: ReadableSpan[]) =>
  new Promise<void>((resolve, reject) =>
    exporter.export(spans, (r) => (r.code === ExportResultCode.SUCCESS ? resolve() : reject(r.error ?? new Error('export failed')))),
  );

async function stored(e: Explorer, traceId: string): Promise<unknown> {
  const res = await fetch(`${e.url}/api/tw/traces/${traceId}/otlp`);
  assert.equal(res.status, 200);
  return res.json();
}

describe("the library's OTLP encoder through a real explorer", () => {
  const cases: Array<[string, (e: Explorer) => SpanExporter, (e: Explorer) => SpanExporter]> = [
    ['OTLP/HTTP protobuf', (e) => new OtlpHttpProtoExporter({ url: `http://127.0.0.1:${e.httpPort}/v1/traces`, timeoutMillis: 10_000 }), (e) => new OfficialProto({ url: `http://127.0.0.1:${e.httpPort}/v1/traces` })],
    ['OTLP/gRPC', (e) => new OtlpGrpcExporter({ url: `http://127.0.0.1:${e.grpcPort}`, timeoutMillis: 10_000 }), (e) => new OfficialGrpc({ url: `http://127.0.0.1:${e.grpcPort}` })],
  ];
  for (const [name, lean, official] of cases) {
    it(`${name}: the explorer stores exactly what it stores from the official exporter`, async () => {
      const spans = traceSpans();
      const traceId = (spans[0] as ReadableSpan).spanContext().traceId;
      const a = lean(ours);
      const b = official(theirs);
      await send(a, spans);
      await send(b, spans);
      await a.shutdown();
      await b.shutdown();
      const got = await stored(ours, traceId);
      assert.deepEqual(got, await stored(theirs, traceId));
      const text = JSON.stringify(got);
      for (const expected of ['stock ran out', 'orders.Orders/Create', '"intValue":"201"', '"doubleValue":19.99', 'exception']) assert.ok(text.includes(expected), expected);
    });
  }
});
