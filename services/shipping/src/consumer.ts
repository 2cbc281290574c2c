/**
 * The RabbitMQ consumer: manual acks through consumeTraced. A delivery that
 * fails is requeued until it has failed `maxAttempts` times, then rejected,
 * which sends it through the dead-letter exchange to `shipping.orders.dlq`
 * with its headers, trace context included. A message that cannot be parsed
 * is rejected at once. Failures are counted per message in shipping's own
 * database before the delivery is requeued, so a restart (or a crash) does
 * not start the count again. A lost connection is re-established with backoff.
 */
import { createHash } from 'node:crypto';
import type { ChannelModel, ConsumeMessage } from 'amqplib';
import type { Span } from '@opentelemetry/api';
import { type DeliveryFailures, PoisonMessageError, type ShopNames, backoffMs, connectAmqp, declareShopTopology, sleep } from '@tracewire/service-common';
import { type AmqpFailureAction, type Logger, consumeTraced } from '@tracewire/tracing';

export interface ShippingConsumerOptions {
  url: string;
  names: ShopNames;
  maxAttempts: number;
  prefetch: number;
  /** Pause before a failed delivery goes back to the queue (ms; 0 = at once). */
  retryDelayMs: number;
  handler: (content: Buffer, span: Span) => Promise<unknown>;
  /** Where failed attempts are counted. */
  failures: DeliveryFailures;
  log: Logger;
}

/**
 * Identifies a message across redeliveries and restarts: the publisher's
 * message id (the outbox event id), else a hash of the body. The delivery tag
 * changes on every redelivery, so it cannot count anything.
 */
export function messageKey(message: ConsumeMessage): string {
  const id = message.properties.messageId;
  return id ? String(id) : `sha256:${createHash('sha256').update(message.content).digest('hex')}`;
}

export class ShippingConsumer {
  private connection: ChannelModel | undefined;
  private stopped = false;
  /** The decision made when a delivery failed, read by onFailure when consumeTraced nacks it. */
  private readonly verdicts = new WeakMap<ConsumeMessage, AmqpFailureAction>();

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

  private async deliver(message: ConsumeMessage, span: Span): Promise<void> {
    const { handler, failures, maxAttempts, retryDelayMs, log } = this.options;
    const key = messageKey(message);
    const earlier = failures.failures(key)?.failures ?? 0;
    span.setAttribute('tracewire.delivery.attempt', earlier + 1);
    try {
      await handler(message.content, span);
    } catch (error) {
      if (error instanceof PoisonMessageError) {
        log.error('dead-lettering poison delivery', { message_id: key, error });
        this.verdicts.set(message, 'reject');
        throw error;
      }
      let attempts = earlier + 1;
      try {
        attempts = failures.recordFailure(key, String((error as Error)?.message ?? error));
      } catch (storeError) {
        // Our own database failing is no reason to dead-letter the order: requeue, uncounted.
        log.error('could not record a failed delivery; requeueing it uncounted', { message_id: key, error: storeError });
        this.verdicts.set(message, 'requeue');
        throw error;
      }
      if (attempts >= maxAttempts) {
        failures.clearFailures(key);
        log.error('dead-lettering delivery', { message_id: key, attempts, error });
        this.verdicts.set(message, 'reject');
        throw error;
      }
      log.warn('delivery failed, requeueing', { message_id: key, attempts, error });
      this.verdicts.set(message, 'requeue');
      if (retryDelayMs > 0) await sleep(retryDelayMs);
      throw error;
    }
    if (earlier > 0) failures.clearFailures(key);
  }

  private onFailure = (_error: unknown, message: ConsumeMessage): AmqpFailureAction => this.verdicts.get(message) ?? 'requeue';

  private async connect(): Promise<void> {
    const { url, names, prefetch, log } = this.options;
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
    await consumeTraced(channel, names.shippingQueue, (message, span) => this.deliver(message, span), { onFailure: this.onFailure });
  }
}
