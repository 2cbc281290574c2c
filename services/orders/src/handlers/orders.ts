/**
 * CreateOrder and GetOrder, inside the SERVER spans traceGrpcService makes.
 * CreateOrder: check stock, reserve it, then store the order with its events
 * (outbox) in one transaction; publishing is the relay's job. If the order
 * cannot be stored after stock was (or may have been) reserved, the
 * reservation is released before the caller gets the error (or, when
 * inventory does not answer, left to the release retrier).
 */
import { randomUUID } from 'node:crypto';
import type { ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import { trace } from '@opentelemetry/api';
import type { CreateOrderRequest, GetOrderRequest, InventoryClient, Order } from '@tracewire/service-common';
import type { Logger } from '@tracewire/tracing';
import { mayHaveReserved, releaseReservation } from '../compensation.ts';
import { fromInventory, invalidArgument, orderNotFound, outOfStock } from '../errors.ts';
import type { OrdersStore } from '../store.ts';

const MAX_QUANTITY = 1_000;

function validate(req: CreateOrderRequest): Error | undefined {
  if (!req.customer_id) return invalidArgument('customer_id', 'required');
  if (!req.product_id) return invalidArgument('product_id', 'required');
  if (!Number.isInteger(req.quantity) || req.quantity < 1 || req.quantity > MAX_QUANTITY)
    return invalidArgument('quantity', `must be an integer from 1 to ${MAX_QUANTITY}`);
  if (!Number.isFinite(req.amount) || req.amount < 0) return invalidArgument('amount', 'must be a non-negative number');
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
}

export function orderHandlers({ store, inventory, log, budgetMs, onCommitted, onReleaseDeferred }: OrdersDeps) {
  return {
    async CreateOrder(call: ServerUnaryCall<CreateOrderRequest, Order>, callback: sendUnaryData<Order>): Promise<void> {
      const req = call.request;
      const span = trace.getActiveSpan();
      span?.setAttributes({ 'customer.id': req.customer_id, 'product.id': req.product_id, 'order.quantity': req.quantity });
      const invalid = validate(req);
      if (invalid) return callback(invalid);
      const deadline = deadlineOf(call, budgetMs);
      const orderId = randomUUID();
      span?.setAttribute('order.id', orderId);

      try {
        const stock = await inventory.checkStock({ product_id: req.product_id, quantity: req.quantity }, deadline);
        if (!stock.available) {
          span?.addEvent('out_of_stock', { 'product.id': req.product_id, 'stock.level': stock.in_stock });
          return callback(outOfStock(req.product_id, stock.in_stock, req.quantity));
        }
      } catch (error) {
        return callback(fromInventory(error));
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
        return callback(fromInventory(error));
      }

      let order: Order;
      try {
        order = store.createOrder({
          order_id: orderId,
          customer_id: req.customer_id,
          product_id: req.product_id,
          quantity: req.quantity,
          amount: req.amount,
          reservation_id: reservationId,
        });
      } catch (error) {
        // Nothing was stored (the transaction rolled back), so the stock is reserved for no order.
        await release();
        // traceGrpcService records this original error on our SERVER span and answers INTERNAL.
        throw error;
      }
      onCommitted();
      log.info('order created', { order_id: orderId, product_id: req.product_id, quantity: req.quantity });
      callback(null, order);
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
