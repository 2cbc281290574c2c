/**
 * Release retrier: calls inventory's Release for every row of
 * `pending_releases` (reservations whose in-process Release tries all failed)
 * until inventory answers, then deletes the row; capped exponential backoff
 * while it does not. Rows survive a crash or restart, and the loop runs from
 * startup, so a reservation is never left behind because orders went down.
 * Each call runs under the context stored with its row: the Release CLIENT
 * span is a child of the failed CreateOrder, in the order's trace, however
 * late it comes. Release is idempotent per order id, so a crash between the
 * answer and the delete only repeats a harmless call.
 */
import { context } from '@opentelemetry/api';
import { backoffMs } from '@tracewire/service-common';
import type { Logger } from '@tracewire/tracing';
import { rowContext } from './outbox/relay.ts';
import type { OrdersStore, PendingRelease } from './store.ts';

/** Resolves once inventory answered Release for the row's order. */
export type Release = (row: PendingRelease) => Promise<void>;

export interface ReleaseRetrierOptions {
  /** Poll interval when nothing failed and nothing woke it (ms). */
  pollMs: number;
  batchSize?: number;
  /** Longest pause between two rounds while Release keeps failing (ms, default 30 s). */
  maxBackoffMs?: number;
}

export class ReleaseRetrier {
  private stopped = false;
  private failures = 0;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly store: OrdersStore,
    private readonly release: Release,
    private readonly log: Logger,
    private readonly options: ReleaseRetrierOptions,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Ends a poll wait early (not a backoff: while inventory fails, a new row does not hurry it). */
  wake(): void {
    this.wakeUp?.();
  }

  /** Stops after the round in flight; rows not released stay for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await this.loop;
  }

  private pause(ms: number, wakeable: boolean): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      // Stop must not wait out a long backoff; wake only ends poll waits.
      this.wakeUp = wakeable ? done : () => (this.stopped ? done() : undefined);
    }).finally(() => {
      this.wakeUp = undefined;
    });
  }

  /** A failed bookkeeping write must not end the loop. */
  private note(write: () => void): boolean {
    try {
      write();
      return true;
    } catch (error) {
      this.log.error('pending release update failed', { error });
      return false;
    }
  }

  private async run(): Promise<void> {
    const batchSize = this.options.batchSize ?? 50;
    while (!this.stopped) {
      let rows: PendingRelease[];
      try {
        rows = this.store.pendingReleases(batchSize);
      } catch (error) {
        this.log.error('pending releases read failed', { error });
        await this.pause(this.options.pollMs, true);
        continue;
      }
      if (rows.length === 0) {
        await this.pause(this.options.pollMs, true);
        continue;
      }
      let failed = false;
      for (const row of rows) {
        if (this.stopped) break;
        try {
          await context.with(rowContext(row), () => this.release(row));
        } catch (error) {
          failed = true;
          this.note(() => this.store.releaseFailed(row.order_id, error instanceof Error ? error.message : String(error)));
          continue;
        }
        this.log.warn('reservation released by the retrier', { order_id: row.order_id, attempts: row.attempts + 1 });
        // If the delete fails the row is retried: Release is idempotent.
        if (!this.note(() => this.store.releaseDone(row.order_id))) failed = true;
      }
      if (failed) {
        const delay = backoffMs(this.failures++, 200, this.options.maxBackoffMs ?? 30_000);
        this.log.warn('release failed, retrying', { attempt: this.failures, retry_in_ms: delay });
        await this.pause(delay, false);
      } else {
        this.failures = 0;
      }
    }
  }
}
