/**
 * Bounded span queue accounting. The SDK's BatchSpanProcessor drops spans
 * silently once its queue is full; we keep the bound ourselves so every drop
 * is counted, logged once per burst, and visible through `TracingHandle.stats()`.
 */
import type { Context } from '@opentelemetry/api';
import { TraceFlags } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface ExportStats {
  /** Spans the exporter confirmed. */
  exported: number;
  /** Spans the exporter failed to deliver (collector down, rejected). */
  failed: number;
  /** Spans never queued because the queue was full. */
  dropped: number;
  /** Spans waiting in the queue now. */
  queued: number;
}

export class StatsCollector {
  readonly stats: ExportStats = { exported: 0, failed: 0, dropped: 0, queued: 0 };
  private lastWarn = 0;

  constructor(private readonly warn: (message: string) => void = (m) => process.emitWarning(m, 'TracewireWarning')) {}

  noteDrop(): void {
    this.stats.dropped++;
    const now = Date.now();
    if (now - this.lastWarn > 10_000) {
      this.lastWarn = now;
      this.warn(`tracewire: span queue full, ${this.stats.dropped} span(s) dropped so far`);
    }
  }
}

/**
 * Wraps an exporter to count what it delivers and what it loses, and to let
 * shutdown wait for exports already in flight: the SDK's batch processor
 * shuts the exporter down without awaiting them, which loses those spans.
 */
export class CountingExporter implements SpanExporter {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly inner: SpanExporter,
    private readonly collector: StatsCollector,
  ) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    const s = this.collector.stats;
    s.queued = Math.max(0, s.queued - spans.length);
    let settle: () => void = () => {};
    const pending = new Promise<void>((resolve) => {
      settle = resolve;
    });
    this.inFlight.add(pending);
    this.inner.export(spans, (result) => {
      if (result.code === 0) s.exported += spans.length;
      else s.failed += spans.length;
      this.inFlight.delete(pending);
      settle();
      done(result);
    });
  }

  private async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  async shutdown(): Promise<void> {
    await this.drain();
    await this.inner.shutdown();
  }

  async forceFlush(): Promise<void> {
    await this.drain();
    await this.inner.forceFlush?.();
  }
}

/** Refuses (and counts) spans beyond `maxQueueSize` before they reach the batch processor. */
export class BoundedProcessor implements SpanProcessor {
  constructor(
    private readonly inner: SpanProcessor,
    private readonly maxQueueSize: number,
    private readonly collector: StatsCollector,
    /**
     * Resolves when the resource's async attributes are known. The batch
     * processor holds a batch back until then, and its shutdown does not wait
     * for such a batch, so flushing waits for it first.
     */
    private readonly resourceReady: Promise<unknown> = Promise.resolve(),
  ) {}

  private async settled(): Promise<void> {
    await this.resourceReady.catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
  }

  onStart(span: Span, parentContext: Context): void {
    this.inner.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    const s = this.collector.stats;
    if (s.queued >= this.maxQueueSize) {
      this.collector.noteDrop();
      return;
    }
    s.queued++;
    this.inner.onEnd(span);
  }

  async forceFlush(): Promise<void> {
    await this.settled();
    await this.inner.forceFlush();
  }

  async shutdown(): Promise<void> {
    await this.settled();
    await this.inner.shutdown();
  }
}
