/**
 * CreateOrder and GetOrder, inside the SERVER spans traceGrpcService makes.
 * CreateOrder: check stock, reserve it, then store the order with its events
 * (outbox) in one transaction; publishing is the relay's job. If the order
 * cannot be stored after stock was (or may have been) reserved, the
 * reservation is released before the caller gets the error (or, when
 * inventory does not answer, left to the release retrier). With an
 * idempotency key, a repeated request gets the first answer (idempotency.ts).
 */
import { randomUUID } from 'node:crypto';
import type { ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import { trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import {
  type CreateOrderRequest,
  type GetOrderRequest,
  IDEMPOTENCY_KEY_RULE,
  type InventoryClient,
  type Order,
  isValidIdempotencyKey,
  sleep,
} from '@tracewire/service-common';
import type { Logger } from '@tracewire/tracing';
import { mayHaveReserved, releaseReservation } from '../compensation.ts';
import { fromInventory, invalidArgument, orderNotFound, outOfStock } from '../errors.ts';
import { IdempotencyGuard, requestHash } from '../idempotency.ts';
import type { IdempotencyRecord, OrdersStore } from '../store.ts';

const MAX_QUANTITY = 1_000;

function validate(req: CreateOrderRequest): Error | undefined {
  if (!req.customer_id) return invalidArgument('customer_id', 'required');
  if (!req.product_id) return invalidArgument('product_id', 'required');
  if (!Number.isInteger(req.quantity) || req.quantity < 1 || req.quantity > MAX_QUANTITY)
    return invalidArgument('quantity', `must be an integer from 1 to ${MAX_QUANTITY}`);
  if (!Number.isFinite(req.amount) || req.amount < 0) return invalidArgument('amount', 'must be a non-negative number');
  if (req.idempotency_key && !isValidIdempotencyKey(req.idempotency_key)) return invalidArgument('idempotency_key', `must be ${IDEMPOTENCY_KEY_RULE}`);
  return undefined;
}

/**
 * The caller's deadline travels on to inventory unchanged (waiting longer is
 * useless, giving up sooner wastes the caller's budget); our own budget
 * applies only to callers that set none.
 */
function deadlineOf(call: ServerUnaryCall<unknown, unknown>, budgetMs: number): number {
  const raw = call.getDeadline();
  const theirs = raw instanceof Date ? raw.getTime() : Number(raw);
  return Number.isFinite(theirs) ? theirs : Date.now() + budgetMs;
}

export interface OrdersDeps {
  store: OrdersStore;
  inventory: InventoryClient;
  log: Logger;
  budgetMs: number;
  /** Called after an order's transaction committed (wakes the relays). */
  onCommitted: () => void;
  /** Called after a release was left to the retrier (wakes it). */
  onReleaseDeferred?: () => void;
  /**
   * Fault injection (CHAOS_SLOW_REPLY_CUSTOMER): this customer's new orders
   * are answered only after the caller's deadline has passed, so the caller
   * times out although the order was stored (a reply lost on the way back).
   */
  slowReplyFor?: string | undefined;
}

type Outcome = { order: Order } | { error: Error };

const isDuplicateKey = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY';

export function orderHandlers(deps: OrdersDeps) {
  const { store, log, budgetMs, onCommitted, slowReplyFor } = deps;
  const guard = new IdempotencyGuard(store);
  const place = placeOrder(deps, guard);
  return {
    async CreateOrder(call: ServerUnaryCall<CreateOrderRequest, Order>, callback: sendUnaryData<Order>): Promise<void> {
      const req = call.request;
      const span = trace.getActiveSpan();
      span?.setAttributes({ 'customer.id': req.customer_id, 'product.id': req.product_id, 'order.quantity': req.quantity });
      const invalid = validate(req);
      if (invalid) return callback(invalid);
      const deadline = deadlineOf(call, budgetMs);
      const key = req.idempotency_key || undefined;
      let idempotency: IdempotencyRecord | undefined;
      let releaseClaim: (() => void) | undefined;
      if (key !== undefined) {
        idempotency = { key, requestHash: requestHash(req) };
        const admission = guard.admit(req, key, idempotency.requestHash);
        if (admission.kind === 'refuse') return callback(admission.error);
        if (admission.kind === 'replay') return callback(null, replayed(span, admission.order));
        releaseClaim = admission.release;
      }
      let outcome: Outcome;
      try {
        outcome = await place(req, deadline, span, idempotency);
      } finally {
        // Committed (or failed): from here the stored key answers repeats.
        releaseClaim?.();
      }
      if ('error' in outcome) return callback(outcome.error);
      onCommitted();
      log.info('order created', { order_id: outcome.order.order_id, product_id: req.product_id, quantity: req.quantity });
      if (slowReplyFor !== undefined && req.customer_id === slowReplyFor) await sleep(Math.max(0, deadline - Date.now()) + 200);
      callback(null, outcome.order);
    },

    GetOrder(call: ServerUnaryCall<GetOrderRequest, Order>, callback: sendUnaryData<Order>): void {
      const { order_id } = call.request;
      trace.getActiveSpan()?.setAttribute('order.id', order_id);
      if (!order_id) return callback(invalidArgument('order_id', 'required'));
      const order = store.getOrder(order_id);
      return order ? callback(null, order) : callback(orderNotFound(order_id));
    },
  };
}

function replayed(span: Span | undefined, order: Order): Order {
  span?.setAttribute('order.id', order.order_id);
  span?.addEvent('idempotent_replay', { 'order.id': order.order_id });
  return order;
}

/** Check stock, reserve it, store order + outbox (+ idempotency key) in one transaction; release what may be reserved on failure. */
function placeOrder({ store, inventory, log, budgetMs, onReleaseDeferred }: OrdersDeps, guard: IdempotencyGuard) {
  return async (req: CreateOrderRequest, deadline: number, span: Span | undefined, idempotency: IdempotencyRecord | undefined): Promise<Outcome> => {
    const orderId = randomUUID();
    span?.setAttribute('order.id', orderId);
    try {
      const stock = await inventory.checkStock({ product_id: req.product_id, quantity: req.quantity }, deadline);
      if (!stock.available) {
        span?.addEvent('out_of_stock', { 'product.id': req.product_id, 'stock.level': stock.in_stock });
        return { error: outOfStock(req.product_id, stock.in_stock, req.quantity) };
      }
    } catch (error) {
      return { error: fromInventory(error) };
    }
    const defer = (id: string, attempts: number, error: string) => {
      store.deferRelease(id, attempts, error);
      onReleaseDeferred?.();
    };
    const release = () => releaseReservation(inventory, orderId, log, { budgetMs, defer });

    let reservationId: string;
    try {
      const reserved = await inventory.reserve({ order_id: orderId, product_id: req.product_id, quantity: req.quantity }, deadline);
      reservationId = reserved.reservation_id;
    } catch (error) {
      // A deadline can pass after inventory committed the reservation: undo what may exist.
      if (mayHaveReserved(error)) await release();
      return { error: fromInventory(error) };
    }

    const { customer_id, product_id, quantity, amount } = req;
    try {
      return { order: store.createOrder({ order_id: orderId, customer_id, product_id, quantity, amount, reservation_id: reservationId }, idempotency) };
    } catch (error) {
      // Nothing was stored (the transaction rolled back), so the stock is reserved for no order.
      await release();
      // Another writer stored this key first: answer as a repeat would be answered.
      const repeat = idempotency && isDuplicateKey(error) ? guard.replay(customer_id, idempotency.key, idempotency.requestHash) : undefined;
      if (repeat?.kind === 'replay') return { order: repeat.order };
      if (repeat?.kind === 'refuse') return { error: repeat.error };
      // traceGrpcService records this original error on our SERVER span and answers INTERNAL.
      throw error;
    }
  };
}
