/** CheckStock, Reserve and Release. Each runs inside the SERVER span traceGrpcService makes. */
import { randomUUID } from 'node:crypto';
import type { ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import { trace } from '@opentelemetry/api';
import type { ReleaseReply, ReleaseRequest, ReserveReply, ReserveRequest, StockReply, StockRequest } from '@tracewire/service-common';
import type { Logger } from '@tracewire/tracing';
import { invalidArgument, orderReleased, outOfStock, simulatedOutage, unknownProduct } from '../errors.ts';
import type { InventoryStore } from '../store.ts';

function validate(productId: string, quantity: number): Error | undefined {
  if (!productId) return invalidArgument('product_id', 'required');
  if (!Number.isInteger(quantity) || quantity <= 0) return invalidArgument('quantity', 'must be a positive integer');
  return undefined;
}

export function inventoryHandlers(store: InventoryStore, log: Logger) {
  return {
    CheckStock(call: ServerUnaryCall<StockRequest, StockReply>, callback: sendUnaryData<StockReply>): void {
      const { product_id, quantity } = call.request;
      const span = trace.getActiveSpan();
      span?.setAttributes({ 'product.id': product_id, 'quantity.requested': quantity });
      const invalid = validate(product_id, quantity);
      if (invalid) return callback(invalid);
      const product = store.product(product_id);
      if (!product) return callback(unknownProduct(product_id));
      const available = product.stock >= quantity;
      span?.setAttributes({ 'stock.available': available, 'stock.level': product.stock });
      callback(null, { product_id, available, in_stock: product.stock });
    },

    Reserve(call: ServerUnaryCall<ReserveRequest, ReserveReply>, callback: sendUnaryData<ReserveReply>): void {
      const { order_id, product_id, quantity } = call.request;
      const span = trace.getActiveSpan();
      span?.setAttributes({ 'order.id': order_id, 'product.id': product_id, 'quantity.requested': quantity });
      const invalid = validate(product_id, quantity) ?? (order_id ? undefined : invalidArgument('order_id', 'required'));
      if (invalid) return callback(invalid);
      const product = store.product(product_id);
      if (!product) return callback(unknownProduct(product_id));
      // A retried Reserve for the same order must not take stock twice (`existing`).
      const result = store.reserve(order_id, product_id, quantity, randomUUID());
      if (result.outcome === 'released') return callback(orderReleased(order_id));
      if (result.outcome === 'out_of_stock') {
        // Out of stock is the caller's problem (FAILED_PRECONDITION), but worth finding in traces.
        span?.addEvent('out_of_stock', { 'product.id': product_id, 'stock.level': product.stock, 'quantity.requested': quantity });
        span?.setAttribute('stock.available', false);
        log.info('out of stock', { product_id, stock: product.stock, quantity });
        return callback(outOfStock(product_id, product.stock, quantity));
      }
      const remaining = result.outcome === 'reserved' ? product.stock - quantity : product.stock;
      callback(null, { reservation_id: result.reservation_id, remaining });
    },

    Release(call: ServerUnaryCall<ReleaseRequest, ReleaseReply>, callback: sendUnaryData<ReleaseReply>): void {
      const { order_id } = call.request;
      const span = trace.getActiveSpan();
      span?.setAttribute('order.id', order_id);
      if (!order_id) return callback(invalidArgument('order_id', 'required'));
      const result = store.release(order_id);
      span?.setAttributes({ 'reservation.released': result.released, 'quantity.released': result.released ? result.quantity : 0 });
      if (result.released) log.info('reservation released', { order_id, reservation_id: result.reservation_id, quantity: result.quantity });
      callback(null, result);
    },
  };
}

/**
 * INVENTORY_DELAY_MS: a slow downstream on demand. Each call waits `delayMs`,
 * then runs only if the caller is still waiting (a passed deadline cancels
 * the call, and the work must not happen after the caller gave up).
 */
export function slowedBy<H extends ReturnType<typeof inventoryHandlers>>(delayMs: number, handlers: H): H {
  if (delayMs <= 0) return handlers;
  const slow = <Q, R>(fn: (call: ServerUnaryCall<Q, R>, cb: sendUnaryData<R>) => void) => (call: ServerUnaryCall<Q, R>, cb: sendUnaryData<R>) => {
    setTimeout(() => {
      if (!call.cancelled) fn(call, cb);
    }, delayMs);
  };
  // Release is not slowed: it is compensation, and delaying it only keeps stock locked longer.
  return { ...handlers, CheckStock: slow(handlers.CheckStock), Reserve: slow(handlers.Reserve) };
}

/**
 * CHAOS_FAIL_RELEASE_TIMES: the first `times` Release calls of this process
 * fail with UNAVAILABLE before touching the store (an inventory that cannot
 * be reached), to watch orders retry the release. Counted in memory.
 */
export function failingRelease<H extends ReturnType<typeof inventoryHandlers>>(times: number, handlers: H): H {
  if (times <= 0) return handlers;
  let left = times;
  const release: H['Release'] = (call, callback) => {
    if (left > 0) {
      left--;
      return callback(simulatedOutage(left));
    }
    handlers.Release(call, callback);
  };
  return { ...handlers, Release: release };
}
