/** RabbitMQ connection and the shop's topology, declared idempotently by whoever connects. */
import amqp, { type ChannelModel } from 'amqplib';
import type { ShopNames } from './env.ts';

export async function connectAmqp(url: string): Promise<ChannelModel> {
  return amqp.connect(url, { timeout: 5_000 });
}

/**
 * Exchange `orders` (topic) → queue `shipping.orders` (routing key
 * `order.created`); rejected deliveries go through `orders.dlx` to
 * `shipping.orders.dlq`, headers (and so the trace context) intact.
 */
export async function declareShopTopology(connection: ChannelModel, names: ShopNames): Promise<void> {
  const channel = await connection.createChannel();
  try {
    await channel.assertExchange(names.exchange, 'topic', { durable: true });
    await channel.assertExchange(names.deadLetterExchange, 'topic', { durable: true });
    await channel.assertQueue(names.shippingDeadLetterQueue, { durable: true });
    await channel.bindQueue(names.shippingDeadLetterQueue, names.deadLetterExchange, '#');
    await channel.assertQueue(names.shippingQueue, { durable: true, deadLetterExchange: names.deadLetterExchange });
    await channel.bindQueue(names.shippingQueue, names.exchange, names.routingKey);
  } finally {
    await channel.close();
  }
}
