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
import type { Logger } from '@tracewire/tracing';
import { rowContext } from './outbox/relay.ts';
import { type PauseTimer, PollLoop, type RoundResult } from './poll-loop.ts';
import type { OrdersStore, PendingRelease } from './store.ts';

/** Resolves once inventory answered Release for the row's order. */
export type Release = (row: PendingRelease) => Promise<void>;

export interface ReleaseRetrierOptions {
  /** Poll interval when nothing failed and nothing woke it (ms). */
  pollMs: number;
  batchSize?: number;
  /** Longest pause between two rounds while Release keeps failing (ms, default 30 s). */
  maxBackoffMs?: number;
  /** The pause clock (tests); default setTimeout. */
  timer?: PauseTimer;
}

export class ReleaseRetrier extends PollLoop {
  constructor(
    private readonly store: OrdersStore,
    private readonly release: Release,
    private readonly log: Logger,
    private readonly options: ReleaseRetrierOptions,
  ) {
    super({ pollMs: options.pollMs, maxBackoffMs: options.maxBackoffMs ?? 30_000, ...(options.timer ? { timer: options.timer } : {}) });
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

  protected async round(): Promise<RoundResult> {
    let rows: PendingRelease[];
    try {
      rows = this.store.pendingReleases(this.options.batchSize ?? 50);
    } catch (error) {
      this.log.error('pending releases read failed', { error });
      return 'idle';
    }
    if (rows.length === 0) return 'idle';
    let failed = false;
    for (const row of rows) {
      if (this.isStopped) break;
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
    return failed ? 'failed' : 'done';
  }

  protected onFailedRound(failures: number, retryInMs: number): void {
    this.log.warn('release failed, retrying', { attempt: failures, retry_in_ms: retryInMs });
  }
}
