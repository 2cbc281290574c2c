/**
 * The Kafka consumer loop: one record at a time, committed after it was
 * handled (at-least-once; the handler deduplicates). A failed record is tried
 * again in this loop (its offset stays uncommitted) until it has failed
 * `maxAttempts` times, or at once if it cannot be parsed at all; then it is
 * sent to the dead-letter topic with its headers and a fresh trace context in
 * the same trace, and the failure is recorded on the consumer span. Failures
 * are counted per record in notifications' own database before the record is
 * tried again, so a restart (or a crash) between attempts does not start the
 * count again. The loop survives broker outages by rebuilding the consumer
 * with backoff.
 */
import type { Message } from '@platformatic/kafka';
import type { Span } from '@opentelemetry/api';
import {
  type DeliveryFailures,
  PoisonMessageError,
  type RecordedFailures,
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
  /** Pause before a failed record is tried again (ms); default: 100 ms doubling to 1 s, jittered. */
  retryDelayMs?: number | undefined;
  handler: RecordHandler;
  /** Where failed attempts are counted. */
  failures: DeliveryFailures;
  log: Logger;
}

const TRACE_HEADERS = new Set(['traceparent', 'tracestate']);

/**
 * Identifies a record across redeliveries and restarts: the `event-id` header
 * the outbox relay sets (so a relay resend of the same event shares the
 * count), else where the record sits (topic/partition/offset), which a
 * redelivery of an uncommitted offset keeps.
 */
export function recordKey(message: Message): string {
  for (const [k, v] of message.headers) {
    const name = Buffer.isBuffer(k) ? k.toString('utf8') : String(k);
    if (name !== 'event-id') continue;
    const id = Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
    if (id) return id;
  }
  return `${message.topic}/${message.partition}/${message.offset}`;
}

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
          const settled = await this.handle(message);
          await message.commit();
          // Forgotten only once committed: a crash before the commit redelivers the record with its count kept.
          if (settled !== undefined) this.forget(settled);
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
   * Tries the record until it has failed maxAttempts times in all, each
   * attempt its own CONSUMER span, then dead-letters it. Each failure is
   * written to the store before the next attempt, so a record redelivered
   * after a crash or restart (its offset was never committed) continues its
   * count instead of starting again. Returns the key whose count is to be
   * forgotten once the offset is committed. Throws only when the record could
   * not even be dead-lettered: the loop then rebuilds the consumer and the
   * uncommitted record comes again, its count still at the limit.
   */
  private async handle(message: Message): Promise<string | undefined> {
    const { maxAttempts, handler, names, log } = this.options;
    const traceOptions = { groupId: names.notificationsGroup, clientId: 'notifications' };
    const key = recordKey(message);
    const earlier = this.recordedFailures(key);
    let failed = earlier?.failures ?? 0;
    let deadLetterFailure: unknown;
    const deadLetter = async (span: Span, error: unknown, attempts: number): Promise<'dead-lettered'> => {
      recordError(span, error);
      span.setAttribute('tracewire.dead_lettered', true);
      log.error('dead-lettering record', { message_key: key, topic: message.topic, offset: message.offset, attempts, error });
      try {
        await sendTraced(
          (messages) => this.deadLetters.send({ messages }),
          [
            {
              topic: names.deadLetterTopic,
              key: message.key?.toString('utf8') ?? '',
              value: message.value?.toString('utf8') ?? '',
              headers: deadLetterHeaders(message, error, attempts),
            },
          ],
          { clientId: 'notifications' },
        );
      } catch (sendError) {
        deadLetterFailure = sendError;
        throw sendError;
      }
      return 'dead-lettered';
    };

    if (earlier !== undefined && failed >= maxAttempts) {
      // The last attempt failed before a crash, or its dead letter could not be sent: no attempt beyond the limit.
      await processTraced(message, (span) => deadLetter(span, new Error(earlier.lastError), failed), traceOptions).catch(() => {});
      if (deadLetterFailure !== undefined) throw deadLetterFailure;
      return key;
    }
    for (;;) {
      const attempt = failed + 1;
      const outcome = await processTraced(
        message,
        async (span) => {
          span.setAttribute('tracewire.delivery.attempt', attempt);
          try {
            await handler(message.value, span);
            return 'done' as const;
          } catch (error) {
            if (error instanceof PoisonMessageError) return deadLetter(span, error, attempt);
            failed = this.recordFailure(key, error, attempt);
            if (failed >= maxAttempts) return deadLetter(span, error, failed);
            log.warn('record failed, retrying', { message_key: key, topic: message.topic, offset: message.offset, attempts: failed, error });
            throw error; // recorded by processTraced; retried below
          }
        },
        traceOptions,
      ).catch(() => 'retry' as const);
      if (deadLetterFailure !== undefined) throw deadLetterFailure;
      if (outcome !== 'retry') return failed > 0 ? key : undefined;
      await sleep(this.options.retryDelayMs ?? backoffMs(attempt - 1, 100, 1_000));
    }
  }

  private recordedFailures(key: string): RecordedFailures | undefined {
    try {
      return this.options.failures.failures(key);
    } catch (error) {
      this.options.log.error('could not read a record\'s failed attempts; counting from 0', { message_key: key, error });
      return undefined;
    }
  }

  /** Counts one more failure in the store; if the store fails, counts on in memory rather than dead-letter the order for it. */
  private recordFailure(key: string, error: unknown, attempt: number): number {
    try {
      return this.options.failures.recordFailure(key, String((error as Error)?.message ?? error));
    } catch (storeError) {
      this.options.log.error('could not record a failed attempt; counting it in memory', { message_key: key, error: storeError });
      return attempt;
    }
  }

  private forget(key: string): void {
    try {
      this.options.failures.clearFailures(key);
    } catch (error) {
      this.options.log.error('could not clear a settled record\'s failed attempts', { message_key: key, error });
    }
  }
}
