/**
 * Outbox relay: publishes pending rows of one destination until the broker
 * acknowledges, with capped exponential backoff while it does not. Each row
 * is published under the context stored with it, so the PRODUCER span is a
 * child of the request that created the order, however late it is sent.
 * Delivery is at-least-once (a crash between ack and markSent resends);
 * consumers deduplicate by event id.
 */
import { ROOT_CONTEXT, context } from '@opentelemetry/api';
import { type Logger, extract } from '@tracewire/tracing';
import { PollLoop, type RoundResult } from '../poll-loop.ts';
import type { Destination, OrdersStore, OutboxRow, StoredContext } from '../store.ts';

export type Publish = (row: OutboxRow) => Promise<void>;

export interface RelayOptions {
  pollMs: number;
  batchSize?: number;
  /** Rows published at once within a batch. */
  concurrency?: number;
}

/** The W3C context stored with a row; a row without one publishes as a new root. */
export function rowContext(row: StoredContext) {
  const carrier: Record<string, string> = {};
  if (row.traceparent) carrier.traceparent = row.traceparent;
  if (row.tracestate) carrier.tracestate = row.tracestate;
  if (row.baggage) carrier.baggage = row.baggage;
  return extract(carrier, undefined, ROOT_CONTEXT);
}

export class OutboxRelay extends PollLoop {
  constructor(
    private readonly destination: Destination,
    private readonly store: OrdersStore,
    private readonly publish: Publish,
    private readonly log: Logger,
    private readonly options: RelayOptions,
  ) {
    super({ pollMs: options.pollMs, maxBackoffMs: 5_000 });
  }

  protected async round(): Promise<RoundResult> {
    const batchSize = this.options.batchSize ?? 100;
    const concurrency = this.options.concurrency ?? 16;
    let rows: OutboxRow[];
    try {
      rows = this.store.pending(this.destination, batchSize);
    } catch (error) {
      this.log.error('outbox read failed', { destination: this.destination, error });
      return 'idle';
    }
    if (rows.length === 0) return 'idle';
    let failed = false;
    for (let i = 0; i < rows.length && !failed && !this.isStopped; i += concurrency) {
      const chunk = rows.slice(i, i + concurrency);
      const results = await Promise.allSettled(chunk.map((row) => context.with(rowContext(row), () => this.publish(row))));
      results.forEach((result, j) => {
        const row = chunk[j] as OutboxRow;
        if (result.status === 'fulfilled') {
          this.store.markSent(row.seq);
          return;
        }
        failed = true;
        const message = result.reason instanceof Error ? result.reason.message : String(result.reason);
        this.store.markFailed(row.seq, message);
      });
    }
    return failed ? 'failed' : 'done';
  }

  protected onFailedRound(failures: number, retryInMs: number): void {
    this.log.warn('outbox publish failed, retrying', { destination: this.destination, attempt: failures, retry_in_ms: retryInMs });
  }

  protected override onRecovered(failures: number): void {
    this.log.info('outbox publishing again', { destination: this.destination, after_failures: failures });
  }
}
