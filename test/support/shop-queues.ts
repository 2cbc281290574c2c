/**
 * A test or bench shop runs on its own queue prefix, and its RabbitMQ queues and exchanges are
 * durable: they outlived every shop, until a broker that had to recover ~1,000 of them at boot
 * (under Debian's 1,024 open files) never became ready. A shop deletes its own on close.
 */
import amqp, { type ChannelModel } from 'amqplib';
import { amqpUrl, shopNames } from '@tracewire/service-common';

/** Deletes the queues and exchanges of the shop on `queuePrefix`; best effort (the broker may be down in a fault test). The demo's unprefixed names are never touched. */
export async function deleteShopQueues(queuePrefix: string): Promise<void> {
  if (!queuePrefix) return;
  const names = shopNames({ QUEUE_PREFIX: queuePrefix });
  let connection: ChannelModel | undefined;
  try {
    connection = await amqp.connect(amqpUrl(), { timeout: 5_000 });
    const channel = await connection.createChannel();
    for (const queue of [names.shippingQueue, names.shippingDeadLetterQueue]) await channel.deleteQueue(queue);
    for (const exchange of [names.exchange, names.deadLetterExchange]) await channel.deleteExchange(exchange);
  } catch {
    // Left for the next prune; a broken cleanup must not fail the test that used the shop.
  } finally {
    await connection?.close().catch(() => {});
  }
}
