/**
 * Kafka: PRODUCER spans around sends (context injected into each record's
 * headers as UTF-8 bytes) and CONSUMER spans around processing (context
 * extracted from those headers). Client-agnostic by shape; written against
 * @platformatic/kafka's `Producer.send` and `Message`, and fits kafkajs too.
 * Attributes: https://opentelemetry.io/docs/specs/semconv/messaging/kafka/
 */
import { type Attributes, type Context, type Span, SpanKind, context, trace } from '@opentelemetry/api';
import { type KafkaHeaders, kafkaHeadersGetter, kafkaHeadersSetter, kafkaStringHeadersSetter } from './carriers.ts';
import { type ConsumerContextMode, keyText, runBatchConsumerSpan, runConsumerSpan } from './messaging.ts';
import { extract, inject } from './propagation.ts';
import { kafkaRecordPositions } from './kafka-offsets.ts';
import { recordError, tracer } from './span.ts';

export interface OutgoingKafkaMessage {
  topic: string;
  key?: unknown;
  partition?: number;
  headers?: KafkaHeaders;
}

export interface KafkaProduceResult {
  offsets?: ReadonlyArray<{ topic: string; partition: number; offset: bigint | number }>;
}

export interface IncomingKafkaMessage {
  topic: string;
  partition: number;
  offset: bigint | number;
  key?: unknown;
  headers?: KafkaHeaders;
}

export interface KafkaTracingOptions {
  /** `messaging.client.id`. */
  clientId?: string;
  /** `messaging.consumer.group.name` (consumers). */
  groupId?: string;
  /** Parent (default) or link to the producer's span; see ConsumerContextMode. */
  mode?: ConsumerContextMode;
  /**
   * How injected header values are handed to the client (producers): `bytes`
   * (default, Buffers, for clients without header serializers) or `string`
   * (for clients configured with string header serializers, which would drop
   * a Buffer). On the wire both are the same UTF-8 bytes.
   */
  headerValues?: 'bytes' | 'string';
}

export interface KafkaSendTracingOptions<M> extends KafkaTracingOptions {
  /**
   * The parent context of each message's PRODUCER span (the active context by
   * default): for batches whose messages belong to different traces, such as
   * an outbox relay sending rows that each stored the context they were created in.
   */
  parentOf?: (message: M, index: number) => Context;
}

const SYSTEM = { 'messaging.system': 'kafka' } as const;

function clientAttributes(options: KafkaTracingOptions): Attributes {
  return {
    ...SYSTEM,
    ...(options.clientId ? { 'messaging.client.id': options.clientId } : {}),
    ...(options.groupId ? { 'messaging.consumer.group.name': options.groupId } : {}),
  };
}

/**
 * Sends `messages` through `send` with one PRODUCER span per message
 * (`send <topic>`), each message carrying its span's context in its headers.
 * Each span records its record's partition and offset when the broker's
 * answer pins them down (see kafkaRecordPositions): give messages explicit
 * partitions, or send to single-partition topics, to always get them.
 * Returns what `send` returns; a failed send is recorded on every span and rethrown.
 *
 * @example
 * await sendTraced((messages) => producer.send({ messages }), [
 *   { topic: 'order-events', key: orderId, value: JSON.stringify(event) },
 * ]);
 * // one request, each message under the context its row was created in:
 * await sendTraced(send, rows.map(toMessage), { parentOf: (_m, i) => rowContext(rows[i]) });
 */
export async function sendTraced<M extends OutgoingKafkaMessage, R extends KafkaProduceResult | void>(
  send: (messages: M[]) => Promise<R>,
  messages: readonly M[],
  options: KafkaSendTracingOptions<M> = {},
): Promise<R> {
  const active = context.active();
  const setter = options.headerValues === 'string' ? kafkaStringHeadersSetter : kafkaHeadersSetter;
  const spans: Span[] = [];
  const traced = messages.map((message, i) => {
    const parent = options.parentOf?.(message, i) ?? active;
    const span = tracer().startSpan(`send ${message.topic}`, { kind: SpanKind.PRODUCER, attributes: sendAttributes(message, options) }, parent);
    spans.push(span);
    const headers: KafkaHeaders =
      message.headers instanceof Map ? new Map(message.headers) : { ...(message.headers ?? {}) };
    inject(headers, setter, trace.setSpan(parent, span));
    return { ...message, headers };
  });

  try {
    const result = await send(traced);
    kafkaRecordPositions(traced, result || undefined).forEach((position, i) => {
      if (!position) return;
      spans[i]?.setAttributes({
        'messaging.destination.partition.id': String(position.partition),
        'messaging.kafka.offset': position.offset,
      });
    });
    return result;
  } catch (error) {
    for (const span of spans) recordError(span, error);
    throw error;
  } finally {
    for (const span of spans) span.end();
  }
}

function sendAttributes(message: OutgoingKafkaMessage, options: KafkaTracingOptions): Attributes {
  const key = keyText(message.key);
  return {
    ...clientAttributes(options),
    'messaging.operation.name': 'send',
    'messaging.operation.type': 'send',
    'messaging.destination.name': message.topic,
    ...(key !== undefined ? { 'messaging.kafka.message.key': key } : {}),
    ...(message.partition !== undefined ? { 'messaging.destination.partition.id': String(message.partition) } : {}),
  };
}

function consumeAttributes(message: IncomingKafkaMessage, options: KafkaTracingOptions): Attributes {
  const key = keyText(message.key);
  return {
    ...clientAttributes(options),
    'messaging.operation.name': 'process',
    'messaging.operation.type': 'process',
    'messaging.destination.name': message.topic,
    'messaging.destination.partition.id': String(message.partition),
    'messaging.kafka.offset': Number(message.offset),
    ...(key !== undefined ? { 'messaging.kafka.message.key': key } : {}),
  };
}

/** The creation context carried in a record's headers (the active context when none). */
export function kafkaMessageContext(message: IncomingKafkaMessage): Context {
  return message.headers ? extract(message.headers, kafkaHeadersGetter) : context.active();
}

/**
 * Processes one record inside a CONSUMER span (`process <topic>`) that
 * continues the producer's trace. Errors are recorded and rethrown, so the
 * caller decides about retries and dead-lettering.
 *
 * @example
 * for await (const message of stream) {
 *   await processTraced(message, () => notify(message), { groupId: 'notifications' });
 * }
 */
export function processTraced<T>(
  message: IncomingKafkaMessage,
  handler: (span: Span) => T | Promise<T>,
  options: KafkaTracingOptions = {},
): Promise<T> {
  return runConsumerSpan(
    `process ${message.topic}`,
    consumeAttributes(message, options),
    kafkaMessageContext(message),
    options.mode ?? 'parent',
    handler,
  );
}

/**
 * Processes a batch of records in one CONSUMER span linked to every record's
 * creation context, as the messaging conventions ask for batch receivers.
 */
export function processBatchTraced<T>(
  messages: readonly IncomingKafkaMessage[],
  handler: (span: Span) => T | Promise<T>,
  options: KafkaTracingOptions = {},
): Promise<T> {
  const topics = [...new Set(messages.map((m) => m.topic))];
  return runBatchConsumerSpan(
    `process ${topics.length === 1 ? topics[0] : 'multiple'}`,
    {
      ...clientAttributes(options),
      'messaging.operation.name': 'process',
      'messaging.operation.type': 'process',
      'messaging.batch.message_count': messages.length,
      ...(topics.length === 1 ? { 'messaging.destination.name': topics[0] } : {}),
    },
    messages.map(kafkaMessageContext),
    handler,
  );
}
