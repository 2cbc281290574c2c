/**
 * A batch span processor that encodes each span to OTLP protobuf when it
 * ends, instead of keeping the span object until its batch is exported. The
 * span is still in the CPU's cache then, and the queue holds bytes rather
 * than span objects, so spans die young instead of being promoted while they
 * wait (docs/performance.md, section 2). Batching, the queue bound, the
 * schedule, one export at a time and the export timeout follow the SDK's
 * BatchSpanProcessor; the bytes sent are what the official serializer would
 * write for the same batch.
 */
import { type Context, TraceFlags } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { type SpanGroup, assembleRequest, encodeSpan } from './otlp-encoder.ts';
import { OtlpWriter } from './otlp-writer.ts';
import type { StatsCollector } from './stats.ts';

/** An encoded ExportTraceServiceRequest and how many spans it carries. */
export interface EncodedBatch {
  readonly bytes: Uint8Array;
  readonly spans: number;
}

export interface EncodedBatchSender {
  /** Never called again before `done` (the SpanExporter contract: no concurrent exports). */
  export(batch: EncodedBatch, done: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
}

export interface EncodingBatchOptions {
  scheduledDelayMillis: number;
  maxQueueSize: number;
  maxExportBatchSize: number;
  exportTimeoutMillis: number;
}

/** Spans of one resource and scope in the open batch, as encoded `spans` fields of ScopeSpans. */
interface OpenGroup extends SpanGroup {
  writer: OtlpWriter;
}

interface SealedBatch {
  groups: SpanGroup[];
  spans: number;
}

export class EncodingSpanProcessor implements SpanProcessor {
  private groups = new Map<Resource, Map<ReadableSpan['instrumentationScope'], OpenGroup>>();
  private openSpans = 0;
  private readonly sealed: SealedBatch[] = [];
  private exporting: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly idle = new Set<() => void>();

  constructor(
    private readonly sender: EncodedBatchSender,
    private readonly options: EncodingBatchOptions,
    private readonly collector: StatsCollector,
  ) {}

  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (this.stopped || (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    const stats = this.collector.stats;
    if (stats.queued >= this.options.maxQueueSize) return this.collector.noteDrop();
    const group = this.groupOf(span);
    encodeSpan(group.writer, span);
    group.spans++;
    this.openSpans++;
    stats.queued++;
    if (this.openSpans >= this.options.maxExportBatchSize) {
      this.seal();
      this.pump();
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.seal();
        this.pump();
      }, this.options.scheduledDelayMillis).unref();
    }
  }

  private groupOf(span: ReadableSpan): OpenGroup {
    let scopes = this.groups.get(span.resource);
    if (!scopes) this.groups.set(span.resource, (scopes = new Map()));
    let group = scopes.get(span.instrumentationScope);
    if (!group) {
      group = { resource: span.resource, scope: span.instrumentationScope, writer: new OtlpWriter(16 * 1024), spans: 0, bytes: Buffer.alloc(0) };
      scopes.set(span.instrumentationScope, group);
    }
    return group;
  }

  /** Closes the open batch: its groups' bytes are copied out and the writers start again. */
  private seal(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.openSpans === 0) return;
    const groups: SpanGroup[] = [];
    for (const scopes of this.groups.values()) {
      for (const g of scopes.values()) groups.push({ resource: g.resource, scope: g.scope, spans: g.spans, bytes: g.writer.take() });
    }
    this.sealed.push({ groups, spans: this.openSpans });
    // New maps each batch, so a resource or scope no longer used does not stay referenced.
    this.groups = new Map();
    this.openSpans = 0;
  }

  /** Exports sealed batches one at a time, in order. */
  private pump(): void {
    if (this.exporting) return;
    const next = this.sealed.shift();
    if (!next) {
      for (const wake of this.idle) wake();
      this.idle.clear();
      return;
    }
    this.exporting = this.exportOne(next).finally(() => {
      this.exporting = undefined;
      this.pump();
    });
  }

  private async exportOne(batch: SealedBatch): Promise<void> {
    const stats = this.collector.stats;
    stats.queued = Math.max(0, stats.queued - batch.spans);
    // A resource still detecting attributes (host id) is encoded once they are known, as the SDK's processor waits.
    for (const g of batch.groups) if (g.resource.asyncAttributesPending) await g.resource.waitForAsyncAttributes?.().catch(() => undefined);
    const result = await new Promise<ExportResult>((resolve) => {
      const timeout = setTimeout(() => resolve({ code: ExportResultCode.FAILED, error: new Error('export timed out') }), this.options.exportTimeoutMillis);
      this.sender.export({ bytes: assembleRequest(batch.groups), spans: batch.spans }, (r) => {
        clearTimeout(timeout);
        resolve(r);
      });
    });
    if (result.code === ExportResultCode.SUCCESS) stats.exported += batch.spans;
    else stats.failed += batch.spans;
  }

  /** Exports everything ended so far; resolves when the last of it is answered. */
  forceFlush(): Promise<void> {
    this.seal();
    if (!this.exporting && this.sealed.length === 0) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.idle.add(resolve));
    this.pump();
    return done;
  }

  /** Spans that end from now on are not taken (as the SDK's processor); what was taken is exported first. */
  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.forceFlush();
    await this.sender.shutdown();
  }
}
