/**
 * The `order_created` event, as orders writes it and both consumers read it.
 * Consumers validate it: a message that does not parse is a poison message.
 */
import { z } from 'zod';

export const OrderCreatedEvent = z.object({
  event_id: z.string().min(1),
  type: z.literal('order_created'),
  order_id: z.string().min(1),
  customer_id: z.string().min(1),
  product_id: z.string().min(1),
  quantity: z.number().int().positive(),
  amount: z.number().nonnegative(),
  created_at: z.string(),
});
export type OrderCreatedEvent = z.infer<typeof OrderCreatedEvent>;

/** Parses a message body; throws a `PoisonMessageError` naming what is wrong. */
export function parseOrderCreated(body: Buffer | string | undefined): OrderCreatedEvent {
  let json: unknown;
  try {
    json = JSON.parse(typeof body === 'string' ? body : (body?.toString('utf8') ?? ''));
  } catch {
    throw new PoisonMessageError('body is not JSON');
  }
  const parsed = OrderCreatedEvent.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PoisonMessageError(`invalid order_created event: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

export class PoisonMessageError extends Error {
  override readonly name = 'PoisonMessageError';
}
