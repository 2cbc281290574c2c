/**
 * Outbox relay: publishes pending rows of one destination until the broker
 * acknowledges, with capped exponential backoff while it does not. Each row
 * is published under the context stored with it, so the PRODUCER span is a
 * child of the request that created the order, however late it is sent.
 * Delivery is at-least-once (a crash between ack and markSent resends);
 * consumers deduplicate by event id.
 */
import { ROOT_CONTEXT, context } from '@opentelemetry/api';
import { backoffMs } from '@tracewire/service-common';
import { type Logger, extract } from '@tracewire/tracing';
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

export class OutboxRelay {
  private stopped = false;
  private failures = 0;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly destination: Destination,
    private readonly store: OrdersStore,
    private readonly publish: Publish,
    private readonly log: Logger,
    private readonly options: RelayOptions,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Called after a commit so new rows go out without waiting for the poll. */
  wake(): void {
    this.wakeUp?.();
  }

  /** Stops after the batch in flight; rows not yet acknowledged stay pending for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loop;
  }

  private idle(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    }).finally(() => {
      this.wakeUp = undefined;
    });
  }

  private async run(): Promise<void> {
    const batchSize = this.options.batchSize ?? 100;
    const concurrency = this.options.concurrency ?? 16;
    while (!this.stopped) {
      let rows: OutboxRow[];
      try {
        rows = this.store.pending(this.destination, batchSize);
      } catch (error) {
        this.log.error('outbox read failed', { destination: this.destination, error });
        await this.idle(this.options.pollMs);
        continue;
      }
      if (rows.length === 0) {
        await this.idle(this.options.pollMs);
        continue;
      }
      let failed = false;
      for (let i = 0; i < rows.length && !failed && !this.stopped; i += concurrency) {
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
      if (failed) {
        const delay = backoffMs(this.failures++, 200, 5_000);
        this.log.warn('outbox publish failed, retrying', { destination: this.destination, attempt: this.failures, retry_in_ms: delay });
        // Wakes from new orders are ignored while backing off: the broker is the problem.
        await new Promise((resolve) => setTimeout(resolve, delay));
      } else if (this.failures > 0) {
        this.log.info('outbox publishing again', { destination: this.destination, after_failures: this.failures });
        this.failures = 0;
      }
    }
  }
}
