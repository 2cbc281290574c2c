/**
 * Compensation for stock that inventory reserved for an order orders could
 * not store. Without it, a failure between Reserve and the order's commit
 * (the transaction failing, or a Reserve whose outcome is unknown) keeps
 * that stock reserved for an order that does not exist. Release is idempotent
 * per order id at inventory, so retrying it never puts stock back twice.
 * Tries that all fail hand the order to `defer` (a durable row the release
 * retrier works through), so the stock comes back once inventory does.
 */
import { status } from '@grpc/grpc-js';
import { trace } from '@opentelemetry/api';
import { type InventoryClient, backoffMs, isServiceError, sleep } from '@tracewire/service-common';
import type { Logger } from '@tracewire/tracing';

/** Reserve failures that prove no stock was taken. Any other failure (a deadline, a lost connection) may have reserved it. */
const NOTHING_RESERVED: readonly number[] = [status.NOT_FOUND, status.FAILED_PRECONDITION, status.INVALID_ARGUMENT, status.ABORTED];

export function mayHaveReserved(error: unknown): boolean {
  return !isServiceError(error) || !NOTHING_RESERVED.includes(error.code);
}

export interface ReleaseOptions {
  /** Deadline of each Release call (ms). */
  budgetMs: number;
  /** Calls before handing over to `defer` (default 3). */
  attempts?: number;
  /**
   * Records the order for later retries (under the active context); throws if
   * it cannot. Without it, or when it throws, the stock stays reserved.
   */
  defer?: (orderId: string, attempts: number, error: string) => void;
}

/**
 * Releases `orderId`'s reservation, retrying with backoff. Never throws: the
 * caller is already failing with the error that matters. Each call is a
 * CLIENT span under the active span, which also gets a `reservation_released`
 * (or `reservation_release_failed`) event. Resolves true once inventory answered.
 */
export async function releaseReservation(inventory: InventoryClient, orderId: string, log: Logger, options: ReleaseOptions): Promise<boolean> {
  const attempts = options.attempts ?? 3;
  const span = trace.getActiveSpan();
  for (let attempt = 1; ; attempt++) {
    try {
      // Its own deadline: the caller's may be spent, and the stock must come back regardless.
      const reply = await inventory.release({ order_id: orderId }, Date.now() + options.budgetMs);
      span?.addEvent('reservation_released', { 'order.id': orderId, 'reservation.released': reply.released, 'release.attempts': attempt });
      log.warn('reservation released after a failed order', { order_id: orderId, released: reply.released, quantity: reply.quantity });
      return true;
    } catch (error) {
      if (attempt >= attempts) {
        if (deferred(orderId, attempt, error, log, options)) {
          span?.addEvent('reservation_release_deferred', { 'order.id': orderId, 'release.attempts': attempt });
          return false;
        }
        span?.addEvent('reservation_release_failed', { 'order.id': orderId, 'release.attempts': attempt });
        log.error('reservation not released: its stock stays reserved until Release is called for this order', { order_id: orderId, attempts: attempt, error });
        return false;
      }
      await sleep(backoffMs(attempt, 100, 1_000));
    }
  }
}

function deferred(orderId: string, attempts: number, error: unknown, log: Logger, options: ReleaseOptions): boolean {
  if (!options.defer) return false;
  try {
    options.defer(orderId, attempts, error instanceof Error ? error.message : String(error));
  } catch (deferError) {
    log.error('pending release not recorded', { order_id: orderId, error: deferError });
    return false;
  }
  log.warn('reservation not released yet: retrying in the background', { order_id: orderId, attempts, error });
  return true;
}
