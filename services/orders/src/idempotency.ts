/**
 * Idempotent CreateOrder: a request repeated with the same idempotency key by
 * the same customer gets the first answer (the order it created) and creates
 * no second order and no second reservation.
 *
 * - Stored: `idempotency_keys` in orders.db, primary key (customer_id, key),
 *   written in the order's own transaction, so a key exists if and only if
 *   its order does and survives restarts (store.ts).
 * - Concurrent repeats: the first request claims the key in memory until its
 *   transaction commits; a repeat meanwhile is ABORTED ("in progress", the
 *   gateway's 409), never a second Reserve. Orders is the one writer of its
 *   database, so the claim is process-local; the primary key still refuses a
 *   second row should two writers ever race.
 * - The same key with a different request (another product, quantity,
 *   amount) is ALREADY_EXISTS (the gateway's 422): it is not a retry.
 * - Only successes are stored: a first try that failed created nothing, so a
 *   retry runs again.
 */
import { createHash } from 'node:crypto';
import type { CreateOrderRequest, Order } from '@tracewire/service-common';
import { idempotencyConflict, idempotencyInProgress } from './errors.ts';
import type { OrdersStore } from './store.ts';

/** What identifies "the same request" besides its key. */
export function requestHash(req: CreateOrderRequest): string {
  return createHash('sha256').update(JSON.stringify([req.customer_id, req.product_id, req.quantity, req.amount])).digest('hex');
}

export type Admission =
  | { kind: 'replay'; order: Order }
  | { kind: 'refuse'; error: Error }
  | { kind: 'claimed'; release: () => void };

export class IdempotencyGuard {
  private readonly inFlight = new Set<string>();

  constructor(private readonly store: OrdersStore) {}

  /** The stored answer for this key, a refusal, or a claim the caller releases once its transaction is over. */
  admit(req: CreateOrderRequest, key: string, hash: string): Admission {
    const stored = this.replay(req.customer_id, key, hash);
    if (stored) return stored;
    // Customer ids and keys are bounded and cannot hold NUL, so this scope key is unambiguous.
    const scoped = `${req.customer_id}\u0000${key}`;
    if (this.inFlight.has(scoped)) return { kind: 'refuse', error: idempotencyInProgress() };
    this.inFlight.add(scoped);
    return { kind: 'claimed', release: () => this.inFlight.delete(scoped) };
  }

  /** The answer stored for (customer, key), or a conflict when the key belongs to another request. */
  replay(customerId: string, key: string, hash: string): Admission | undefined {
    const stored = this.store.findByIdempotencyKey(customerId, key);
    if (!stored) return undefined;
    if (stored.requestHash !== hash) return { kind: 'refuse', error: idempotencyConflict() };
    return { kind: 'replay', order: stored.order };
  }
}
