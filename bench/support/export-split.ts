/**
 * `node --import tsx bench/support/export-split.ts [batches]`: where the
 * main thread's export cost goes, in isolation. Builds 512-span batches
 * (8 attributes each, like the shop's spans) and measures this process's CPU
 * (`process.cpuUsage()`) per span for (1) serialising to OTLP protobuf alone,
 * (2) the official OTLP/HTTP protobuf exporter (serialise + send) to a
 * discard sink in another process, main thread only and whole process, each
 * with the official serialiser and with the library's encoder. (A
 * third case, a worker-thread sender, was measured within noise and removed:
 * docs/performance.md, section 2.) For docs/performance.md.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BasicTracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { encodeTraceRequest } from '../../packages/tracing/src/otlp-encoder.ts';
import { OtlpHttpProtoExporter } from '../../packages/tracing/src/otlp-exporter.ts';
import { mainThreadCpuSeconds } from './proc.ts';
import { startDiscardSink } from './sink-process.ts';

function makeSpans(n: number): ReadableSpan[] {
  const ended: ReadableSpan[] = [];
  const provider = new BasicTracerProvider({
    spanProcessors: [{ onStart() {}, onEnd: (s) => void ended.push(s), forceFlush: async () => {}, shutdown: async () => {} }],
  });
  const tracer = provider.getTracer('split');
  for (let i = 0; i < n; i++) {
    const span = tracer.startSpan(`op-${i % 7}`);
    for (let a = 0; a < 8; a++) span.setAttribute(`attr.${a}`, a % 2 ? `value-${i}-${a}` : i * a);
    span.end();
  }
  return ended;
}

/** CPU µs per span (main thread, whole process) while `fn` runs over every batch (awaited one at a time). */
async function cpuPerSpan(batches: ReadableSpan[][], fn: (b: ReadableSpan[]) => Promise<void> | void): Promise<{ main: number; proc: number }> {
  const m0 = mainThreadCpuSeconds(process.pid);
  const c0 = process.cpuUsage();
  for (const b of batches) await fn(b);
  const c = process.cpuUsage(c0);
  const main = mainThreadCpuSeconds(process.pid) - m0;
  const spans = batches.length * (batches[0]?.length ?? 0);
  // The main thread's own CPU (/proc, 10 ms ticks) against the whole process's (worker and V8 helper threads included).
  return { main: (main * 1e6) / spans, proc: (c.user + c.system) / spans };
}

const exportOnce = (e: SpanExporter) => (b: ReadableSpan[]) =>
  new Promise<void>((resolve, reject) => e.export(b, (r) => (r.code === 0 ? resolve() : reject(r.error ?? new Error('export failed')))));

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 100);
  const sink = await startDiscardSink();
  const url = `http://127.0.0.1:${sink.httpPort}/v1/traces`;
  const batches = Array.from({ length: n }, () => makeSpans(512));
  const official = new OTLPTraceExporter({ url });
  const ours = new OtlpHttpProtoExporter({ url, timeoutMillis: 10_000 });
  const cases: [string, (b: ReadableSpan[]) => Promise<void> | void][] = [
    ['official serialiser only', (b) => void ProtobufTraceSerializer.serializeRequest(b)],
    ['library encoder only', (b) => void encodeTraceRequest(b)],
    ['official exporter (serialise + send)', exportOnce(official)],
    ['library exporter (encode + send)', exportOnce(ours)],
  ];
  for (const [, fn] of cases) await cpuPerSpan(batches.slice(0, 10), fn); // warm-up
  for (let round = 0; round < 3; round++) {
    for (const [name, fn] of cases) {
      const r = await cpuPerSpan(batches, fn);
      process.stdout.write(`${name}: main thread ${r.main.toFixed(2)} µs/span, process CPU ${r.proc.toFixed(2)} µs/span\n`);
    }
  }
  await official.shutdown();
  await ours.shutdown();
  await sink.stop();
}

await main();
