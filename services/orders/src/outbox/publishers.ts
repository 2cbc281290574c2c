/**
 * How the relay hands a row to each broker. Connections are made lazily and
 * dropped after a failure, so a broker that comes back is reconnected on the
 * next attempt rather than through a client stuck in a bad state.
 */
import type { ChannelModel, ConfirmChannel } from 'amqplib';
import { type ShopNames, type ShopProducer, connectAmqp, createProducer, declareShopTopology, ensureTopics } from '@tracewire/service-common';
import { type Logger, publishTraced, sendTraced } from '@tracewire/tracing';
import type { OutboxRow } from '../store.ts';
import { KafkaSendBatcher } from './kafka-batcher.ts';

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export interface Publisher {
  publish(row: OutboxRow): Promise<void>;
  close(): Promise<void>;
}

export function kafkaPublisher(brokers: string[], names: ShopNames, log: Logger): Publisher {
  let producer: ShopProducer | undefined;
  let topicsReady = false;
  const batcher = new KafkaSendBatcher(() => {
    producer ??= createProducer('orders', brokers);
    return producer;
  });

  const reset = (): void => {
    const old = producer;
    producer = undefined;
    topicsReady = false;
    if (old) void withTimeout(old.close(true) as unknown as Promise<void>, 2_000, 'producer close').catch(() => {});
  };

  return {
    async publish(row) {
      try {
        if (!topicsReady) {
          await withTimeout(ensureTopics(brokers, [names.topic, names.deadLetterTopic]), 10_000, 'topic creation');
          topicsReady = true;
        }
        await withTimeout(
          sendTraced(
            (messages) => batcher.send(messages),
            [{ topic: names.topic, key: row.order_id, value: row.payload, headers: { 'event-id': row.event_id } }],
            { clientId: 'orders' },
          ),
          10_000,
          'kafka send',
        );
      } catch (error) {
        log.debug('kafka publish failed', { event_id: row.event_id, error });
        reset();
        throw error;
      }
    },
    close: async () => {
      if (producer) await withTimeout(producer.close(), 5_000, 'producer close').catch(() => {});
    },
  };
}

export function amqpPublisher(url: string, names: ShopNames, log: Logger): Publisher {
  let connecting: Promise<{ connection: ChannelModel; channel: ConfirmChannel }> | undefined;

  const connect = async () => {
    const connection = await connectAmqp(url);
    const drop = (): void => {
      connecting = undefined;
    };
    connection.on('error', (error: unknown) => log.warn('rabbitmq connection error', { error }));
    connection.on('close', drop);
    await declareShopTopology(connection, names);
    const channel = await connection.createConfirmChannel();
    channel.on('error', (error: unknown) => log.warn('rabbitmq channel error', { error }));
    channel.on('close', drop);
    return { connection, channel };
  };

  return {
    async publish(row) {
      try {
        connecting ??= connect();
        const { channel } = await connecting;
        await withTimeout(
          publishTraced(channel, names.exchange, names.routingKey, Buffer.from(row.payload), {
            persistent: true,
            contentType: 'application/json',
            messageId: row.event_id,
            headers: { 'event-id': row.event_id },
          }),
          10_000,
          'rabbitmq publish',
        );
      } catch (error) {
        log.debug('rabbitmq publish failed', { event_id: row.event_id, error });
        const stale = connecting;
        connecting = undefined;
        void stale?.then(({ connection }) => connection.close()).catch(() => {});
        throw error;
      }
    },
    close: async () => {
      const current = connecting;
      connecting = undefined;
      if (current) await current.then(({ connection }) => connection.close()).catch(() => {});
    },
  };
}
