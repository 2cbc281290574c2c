/**
 * The Kafka consumer loop: one record at a time, committed after it was
 * handled (at-least-once; the handler deduplicates). A record that fails
 * `maxAttempts` times, or cannot be parsed at all, is sent to the dead-letter
 * topic with its headers and a fresh trace context in the same trace, and the
 * failure is recorded on the consumer span. The loop survives broker outages
 * by rebuilding the consumer with backoff.
 */
import type { Message } from '@platformatic/kafka';
import type { Span } from '@opentelemetry/api';
import {
  PoisonMessageError,
  type ShopNames,
  type ShopProducer,
  backoffMs,
  createConsumer,
  createProducer,
  ensureTopics,
  sleep,
} from '@tracewire/service-common';
import { type Logger, processTraced, recordError, sendTraced } from '@tracewire/tracing';

export type RecordHandler = (value: Buffer | undefined, span: Span) => Promise<unknown>;

export interface ConsumerLoopOptions {
  brokers: string[];
  names: ShopNames;
  maxAttempts: number;
  handler: RecordHandler;
  log: Logger;
}

const TRACE_HEADERS = new Set(['traceparent', 'tracestate']);

function deadLetterHeaders(message: Message, error: unknown, attempts: number): Record<string, Buffer> {
  const headers: Record<string, Buffer> = {};
  for (const [k, v] of message.headers) {
    const key = Buffer.isBuffer(k) ? k.toString('utf8') : String(k);
    const value = Buffer.isBuffer(v) ? v : Buffer.from(String(v));
    // The original context is kept under its own name; sendTraced writes the new one.
    headers[TRACE_HEADERS.has(key) ? `x-original-${key}` : key] = value;
  }
  headers['x-original-topic'] = Buffer.from(message.topic);
  headers['x-original-partition'] = Buffer.from(String(message.partition));
  headers['x-original-offset'] = Buffer.from(String(message.offset));
  headers['x-attempts'] = Buffer.from(String(attempts));
  headers['x-error'] = Buffer.from((error instanceof Error ? error.message : String(error)).slice(0, 500));
  return headers;
}

export class NotificationsConsumer {
  private stopped = false;
  private stream: { close(): Promise<void> } | undefined;
  private loop: Promise<void> | undefined;
  private deadLetters: ShopProducer;

  constructor(private readonly options: ConsumerLoopOptions) {
    this.deadLetters = createProducer('notifications-dlq', options.brokers);
  }

  start(onSubscribed: () => void): void {
    this.loop ??= this.run(onSubscribed);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.stream?.close().catch(() => {});
    await this.loop;
    await (this.deadLetters.close() as Promise<void>).catch(() => {});
  }

  private async run(onSubscribed: () => void): Promise<void> {
    const { brokers, names, log } = this.options;
    let failures = 0;
    while (!this.stopped) {
      const consumer = createConsumer('notifications', names.notificationsGroup, brokers);
      try {
        await ensureTopics(brokers, [names.topic, names.deadLetterTopic]);
        const stream = await consumer.consume({
          topics: [names.topic],
          mode: 'committed',
          fallbackMode: 'earliest',
          autocommit: false,
          sessionTimeout: 10_000,
          heartbeatInterval: 500,
        });
        this.stream = stream;
        failures = 0;
        onSubscribed();
        for await (const message of stream as AsyncIterable<Message>) {
          await this.handle(message);
          await message.commit();
          if (this.stopped) break;
        }
      } catch (error) {
        if (!this.stopped) log.warn('kafka consumer failed, reconnecting', { error, attempt: failures + 1 });
      } finally {
        this.stream = undefined;
        await (consumer.close(true) as unknown as Promise<void>)?.catch?.(() => {});
      }
      if (!this.stopped) await sleep(backoffMs(failures++, 500, 5_000));
    }
  }

  /**
   * Tries the record up to maxAttempts times, each attempt its own CONSUMER
   * span. Throws only when the record could not even be dead-lettered: the
   * loop then rebuilds the consumer and the uncommitted record comes again.
   */
  private async handle(message: Message): Promise<void> {
    const { maxAttempts, handler, names, log } = this.options;
    const traceOptions = { groupId: names.notificationsGroup, clientId: 'notifications' };
    let deadLetterFailure: unknown;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const outcome = await processTraced(
        message,
        async (span) => {
          span.setAttribute('tracewire.delivery.attempt', attempt);
          try {
            await handler(message.value, span);
            return 'done' as const;
          } catch (error) {
            const poison = error instanceof PoisonMessageError;
            if (!poison && attempt < maxAttempts) throw error; // recorded by processTraced; retried below
            recordError(span, error);
            span.setAttribute('tracewire.dead_lettered', true);
            log.error('dead-lettering record', { topic: message.topic, offset: message.offset, attempt, error });
            try {
              await sendTraced(
                (messages) => this.deadLetters.send({ messages }),
                [
                  {
                    topic: names.deadLetterTopic,
                    key: message.key?.toString('utf8') ?? '',
                    value: message.value?.toString('utf8') ?? '',
                    headers: deadLetterHeaders(message, error, attempt),
                  },
                ],
                { clientId: 'notifications' },
              );
            } catch (sendError) {
              deadLetterFailure = sendError;
              throw sendError;
            }
            return 'dead-lettered' as const;
          }
        },
        traceOptions,
      ).catch(() => 'retry' as const);
      if (deadLetterFailure !== undefined) throw deadLetterFailure;
      if (outcome !== 'retry') return;
      await sleep(backoffMs(attempt - 1, 100, 1_000));
    }
  }
}
