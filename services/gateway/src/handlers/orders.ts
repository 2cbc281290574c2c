/** POST /api/orders and GET /api/orders/:id. */
import type { IncomingMessage } from 'node:http';
import { trace } from '@opentelemetry/api';
import { IDEMPOTENCY_KEY_RULE, type Order, type OrdersClient, parseIdempotencyKeyHeader } from '@tracewire/service-common';
import { z } from 'zod';
import { HttpError, fromOrders } from '../errors.ts';
import { readJson, requireJson } from './body.ts';

export const CreateOrderBody = z.object({
  customer_id: z.string().trim().min(1, 'required').max(64, 'at most 64 characters'),
  product_id: z.string().trim().min(1, 'required').max(64, 'at most 64 characters'),
  quantity: z.number('must be a number').int('must be an integer').min(1, 'must be at least 1').max(1000, 'must be at most 1000'),
  amount: z.number('must be a number').nonnegative('must not be negative').max(1e9, 'too large'),
});
export type CreateOrderBody = z.infer<typeof CreateOrderBody>;

const ORDER_ID = /^[A-Za-z0-9-]{1,64}$/;

export interface Reply {
  status: number;
  body: unknown;
}

export interface OrderHandlerDeps {
  orders: OrdersClient;
  maxBodyBytes: number;
}

function validate(json: unknown): CreateOrderBody {
  const parsed = CreateOrderBody.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') || undefined;
  const message = field ? `${field}: ${issue?.message ?? 'invalid'}` : 'body must be a JSON object';
  throw new HttpError(400, message, field);
}

/**
 * The optional `Idempotency-Key` header: a retry with the same key (by the same
 * customer) gets the first answer and creates nothing. A repeated header
 * arrives joined with ", " and so is refused like any other malformed value.
 */
function idempotencyKey(req: IncomingMessage): string | undefined {
  const raw = req.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  const key = typeof raw === 'string' ? parseIdempotencyKeyHeader(raw) : undefined;
  if (key === undefined) throw new HttpError(400, `Idempotency-Key: must be ${IDEMPOTENCY_KEY_RULE}, optionally in double quotes`, 'idempotency-key');
  return key;
}

export function orderHandlers({ orders, maxBodyBytes }: OrderHandlerDeps) {
  return {
    async create(req: IncomingMessage, deadline: number): Promise<Reply> {
      const key = idempotencyKey(req);
      requireJson(req);
      const body = validate(await readJson(req, maxBodyBytes));
      const span = trace.getActiveSpan();
      span?.setAttributes({ 'customer.id': body.customer_id, 'product.id': body.product_id });
      let order: Order;
      try {
        order = await orders.createOrder(key === undefined ? body : { ...body, idempotency_key: key }, deadline);
      } catch (error) {
        throw fromOrders(error, 'create');
      }
      span?.setAttribute('order.id', order.order_id);
      return { status: 201, body: order };
    },

    async get(orderId: string, deadline: number): Promise<Reply> {
      trace.getActiveSpan()?.setAttribute('order.id', orderId);
      if (!ORDER_ID.test(orderId)) throw new HttpError(404, `order not found: ${orderId.slice(0, 64)}`);
      try {
        const order = await orders.getOrder({ order_id: orderId }, deadline);
        trace.getActiveSpan()?.setAttributes({ 'customer.id': order.customer_id, 'product.id': order.product_id });
        return { status: 200, body: order };
      } catch (error) {
        throw fromOrders(error, 'get');
      }
    },
  };
}
