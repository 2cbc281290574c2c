/**
 * In-process tracing for tests: the real SDK through `initTracing`, exporting
 * synchronously into memory so a test can assert spans right after the work.
 */
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { type InitTracingOptions, type TracingHandle, initTracing } from '../../packages/tracing/src/index.ts';

export interface MemoryTracing {
  handle: TracingHandle;
  /** Finished spans, after flushing what is still in flight. */
  spans(): Promise<ReadableSpan[]>;
  /** The one finished span named `name`; throws when there are none or several. */
  one(name: string): Promise<ReadableSpan>;
  reset(): void;
  shutdown(): Promise<void>;
}

export function memoryTracing(options: InitTracingOptions = {}): MemoryTracing {
  const exporter = new InMemorySpanExporter();
  const handle = initTracing({ serviceName: 'test', spanExporter: exporter, simpleProcessor: true, ...options });
  return {
    handle,
    async spans() {
      await handle.forceFlush();
      return exporter.getFinishedSpans();
    },
    async one(name) {
      // SimpleSpanProcessor exports asynchronously once the resource's async attributes resolve.
      await handle.forceFlush();
      const found = exporter.getFinishedSpans().filter((s) => s.name === name);
      if (found.length !== 1) {
        const names = exporter.getFinishedSpans().map((s) => s.name);
        throw new Error(`expected one span "${name}", found ${found.length} among [${names.join(', ')}]`);
      }
      return found[0] as ReadableSpan;
    },
    reset: () => exporter.reset(),
    shutdown: () => handle.shutdown(),
  };
}

/** Parent span id of a finished span (SDK 2.x keeps it on `parentSpanContext`). */
export function parentId(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

/** Polls until `check` returns a value other than undefined. */
export async function eventually<T>(check: () => T | undefined, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Header values that must never break a receiver: malformed, oversized, wrong-version W3C fields. */
export const HOSTILE_CONTEXT_HEADERS: ReadonlyArray<Record<string, string>> = [
  { traceparent: 'garbage' },
  { traceparent: '00-00000000000000000000000000000000-0000000000000000-01' },
  { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra' },
  { traceparent: 'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
  { traceparent: '00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01' },
  { traceparent: `00-${'a'.repeat(4096)}-00f067aa0ba902b7-01` },
  { tracestate: 'x'.repeat(10_000), traceparent: 'not-a-traceparent' },
  { baggage: '%%%;;;===,,,' },
  { baggage: Array.from({ length: 200 }, (_, i) => `k${i}=${'v'.repeat(40)}`).join(',') },
  { baggage: 'a=b;c;;;=d', traceparent: '' },
];
