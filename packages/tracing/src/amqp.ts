/**
 * RabbitMQ (amqplib): a PRODUCER span per publish with context in the message
 * headers, and a consumer wrapper that runs each delivery in a CONSUMER span
 * continuing the publisher's trace, then acks or nacks by the handler's outcome.
 * Attributes: https://opentelemetry.io/docs/specs/semconv/messaging/rabbitmq/
 */
import type { Channel, ConfirmChannel, ConsumeMessage, Options } from 'amqplib';
import { type Attributes, type Span, SpanKind, context, trace } from '@opentelemetry/api';
import { amqpHeadersGetter, amqpHeadersSetter } from './carriers.ts';
import { type ConsumerContextMode, runConsumerSpan } from './messaging.ts';
import { extract, inject } from './propagation.ts';
import { recordError, tracer } from './span.ts';

const SYSTEM = { 'messaging.system': 'rabbitmq' } as const;

function isConfirmChannel(channel: Channel | ConfirmChannel): channel is ConfirmChannel {
  return typeof (channel as ConfirmChannel).waitForConfirms === 'function';
}

/**
 * Publishes with a PRODUCER span (`publish <exchange>`). On a ConfirmChannel
 * the promise settles when the broker confirms, and a nack fails the span;
 * on a plain channel it settles once the message is handed to the socket.
 *
 * @example
 * await publishTraced(channel, 'orders', 'order.created', Buffer.from(json), { persistent: true });
 */
export function publishTraced(
  channel: Channel | ConfirmChannel,
  exchange: string,
  routingKey: string,
  content: Buffer,
  options: Options.Publish = {},
): Promise<void> {
  const span = tracer().startSpan(`publish ${exchange || 'amq.default'}`, {
    kind: SpanKind.PRODUCER,
    attributes: {
      ...SYSTEM,
      'messaging.operation.name': 'publish',
      'messaging.operation.type': 'send',
      'messaging.destination.name': exchange,
      'messaging.message.body.size': content.length,
      ...(routingKey ? { 'messaging.rabbitmq.destination.routing_key': routingKey } : {}),
      ...(options.messageId ? { 'messaging.message.id': String(options.messageId) } : {}),
      ...(options.correlationId ? { 'messaging.message.conversation_id': String(options.correlationId) } : {}),
    },
  });
  const headers: Record<string, unknown> = { ...(options.headers as Record<string, unknown> | undefined) };
  inject(headers, amqpHeadersSetter, trace.setSpan(context.active(), span));
  const publishOptions = { ...options, headers };
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const settle = (err: unknown): void => {
      if (settled) return;
      settled = true;
      if (err) {
        const error = err instanceof Error ? err : new Error('message nacked by broker');
        recordError(span, error);
        span.end();
        reject(error);
        return;
      }
      span.end();
      resolve();
    };
    try {
      if (isConfirmChannel(channel)) channel.publish(exchange, routingKey, content, publishOptions, settle);
      else {
        channel.publish(exchange, routingKey, content, publishOptions);
        settle(null);
      }
    } catch (error) {
      settle(error); // closed channel, oversized frame
    }
  });
}

/** What to do with a delivery whose handler failed. */
export type AmqpFailureAction = 'requeue' | 'reject';

export interface AmqpConsumeOptions {
  /** Parent (default) or link to the publisher's span. */
  mode?: ConsumerContextMode;
  /**
   * Decides the fate of a failed delivery. Default: requeue once, reject
   * (dead-letter, when the queue has a DLX) if it was already redelivered.
   */
  onFailure?: (error: unknown, message: ConsumeMessage) => AmqpFailureAction;
  consumeOptions?: Options.Consume;
}

const defaultOnFailure = (_error: unknown, message: ConsumeMessage): AmqpFailureAction =>
  message.fields.redelivered ? 'reject' : 'requeue';

function deliveryAttributes(queue: string, message: ConsumeMessage): Attributes {
  const { exchange, routingKey, deliveryTag } = message.fields;
  return {
    ...SYSTEM,
    'messaging.operation.name': 'process',
    'messaging.operation.type': 'process',
    'messaging.destination.name': exchange,
    'messaging.destination.subscription.name': queue,
    'messaging.rabbitmq.message.delivery_tag': deliveryTag,
    'messaging.message.body.size': message.content.length,
    ...(routingKey ? { 'messaging.rabbitmq.destination.routing_key': routingKey } : {}),
    ...(message.properties.messageId ? { 'messaging.message.id': String(message.properties.messageId) } : {}),
  };
}

/**
 * Consumes `queue` with manual acks: each delivery runs `handler` inside a
 * CONSUMER span (`process <exchange>`); success acks, failure nacks per
 * `onFailure`. The outcome is recorded as `tracewire.amqp.outcome`.
 * Returns the consumer tag.
 *
 * @example
 * await consumeTraced(channel, 'shipping.orders', async (msg) => ship(JSON.parse(msg.content.toString())));
 */
export async function consumeTraced(
  channel: Channel,
  queue: string,
  handler: (message: ConsumeMessage, span: Span) => unknown,
  options: AmqpConsumeOptions = {},
): Promise<string> {
  const onFailure = options.onFailure ?? defaultOnFailure;
  const reply = await channel.consume(
    queue,
    (message) => {
      if (!message) return; // the broker cancelled the consumer
      const creation = extract(message.properties.headers as Record<string, unknown> | undefined, amqpHeadersGetter);
      const name = `process ${message.fields.exchange || queue}`;
      runConsumerSpan(name, deliveryAttributes(queue, message), creation, options.mode ?? 'parent', async (span) => {
        try {
          await handler(message, span);
        } catch (error) {
          let action: AmqpFailureAction = 'requeue';
          try {
            action = onFailure(error, message);
          } catch {
            // a throwing policy must not leave the message unacknowledged
          }
          span.setAttribute('tracewire.amqp.outcome', action === 'requeue' ? 'nack_requeue' : 'nack');
          channel.nack(message, false, action === 'requeue');
          throw error;
        }
        span.setAttribute('tracewire.amqp.outcome', 'ack');
        channel.ack(message);
      }).catch((error: unknown) => {
        // Already recorded on the span; the consumer keeps running.
        void error;
      });
    },
    { ...options.consumeOptions, noAck: false },
  );
  return reply.consumerTag;
}
