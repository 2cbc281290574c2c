/**
 * The RabbitMQ consumer: manual acks through consumeTraced. A delivery that
 * fails is requeued until it has failed `maxAttempts` times (counted per
 * message id in this process), then rejected, which sends it through the
 * dead-letter exchange to `shipping.orders.dlq` with its headers, trace
 * context included. A message that cannot be parsed is rejected at once.
 * A lost connection is re-established with backoff.
 */
import type { ChannelModel, ConsumeMessage } from 'amqplib';
import type { Span } from '@opentelemetry/api';
import { PoisonMessageError, type ShopNames, backoffMs, connectAmqp, declareShopTopology, sleep } from '@tracewire/service-common';
import { type AmqpFailureAction, type Logger, consumeTraced } from '@tracewire/tracing';

export interface ShippingConsumerOptions {
  url: string;
  names: ShopNames;
  maxAttempts: number;
  prefetch: number;
  handler: (content: Buffer, span: Span) => Promise<unknown>;
  log: Logger;
}

export class ShippingConsumer {
  private connection: ChannelModel | undefined;
  private stopped = false;
  private readonly failures = new Map<string, number>();

  constructor(private readonly options: ShippingConsumerOptions) {}

  /** Connects (retrying until it succeeds or stop is called) and starts consuming. */
  async start(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      try {
        await this.connect();
        return;
      } catch (error) {
        this.options.log.warn('rabbitmq connect failed, retrying', { error, attempt: ++attempt });
        await sleep(backoffMs(attempt, 500, 5_000));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // Closing the channel model lets in-flight handlers' acks fail harmlessly; unacked messages are redelivered.
    await this.connection?.close().catch(() => {});
  }

  private key(message: ConsumeMessage): string {
    return String(message.properties.messageId ?? `${message.fields.deliveryTag}`);
  }

  private onFailure = (error: unknown, message: ConsumeMessage): AmqpFailureAction => {
    const key = this.key(message);
    const count = (this.failures.get(key) ?? 0) + 1;
    if (error instanceof PoisonMessageError || count >= this.options.maxAttempts) {
      this.failures.delete(key);
      this.options.log.error('dead-lettering delivery', { message_id: key, attempts: count, error });
      return 'reject';
    }
    this.failures.set(key, count);
    return 'requeue';
  };

  private async connect(): Promise<void> {
    const { url, names, prefetch, handler, log } = this.options;
    const connection = await connectAmqp(url);
    this.connection = connection;
    connection.on('error', (error: unknown) => log.warn('rabbitmq connection error', { error }));
    connection.on('close', () => {
      if (this.stopped) return;
      log.warn('rabbitmq connection closed, reconnecting');
      void this.start();
    });
    await declareShopTopology(connection, names);
    const channel = await connection.createChannel();
    await channel.prefetch(prefetch);
    await consumeTraced(
      channel,
      names.shippingQueue,
      async (message, span) => {
        const attempt = (this.failures.get(this.key(message)) ?? 0) + 1;
        span.setAttribute('tracewire.delivery.attempt', attempt);
        await handler(message.content, span);
        this.failures.delete(this.key(message));
      },
      { onFailure: this.onFailure },
    );
  }
}
