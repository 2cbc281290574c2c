/**
 * What Kafka and RabbitMQ consumers share: a CONSUMER span that continues the
 * producer's trace (as parent, or as a link for fan-in/batch work), per
 * https://opentelemetry.io/docs/specs/semconv/messaging/messaging-spans/#context-propagation
 */
import {
  type Attributes,
  type Context,
  type Link,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  context,
  propagation,
  trace,
} from '@opentelemetry/api';
import { recordError, tracer } from './span.ts';

/**
 * `parent`: the consumer span is a child of the producer's span (one trace).
 * `link`: the consumer starts a new trace that links to the producer's span,
 * for long-lived processing that should not stretch the producer's trace.
 */
export type ConsumerContextMode = 'parent' | 'link';

function remoteLink(ctx: Context): Link[] {
  const sc = trace.getSpanContext(ctx);
  return sc && trace.isSpanContextValid(sc) ? [{ context: sc }] : [];
}

/** Runs `handler` in a CONSUMER span tied to the message's creation context. */
export function runConsumerSpan<T>(
  name: string,
  attributes: Attributes,
  creation: Context,
  mode: ConsumerContextMode,
  handler: (span: Span) => T | Promise<T>,
): Promise<T> {
  // In link mode the new trace keeps the baggage but not the remote parent.
  const baggage = propagation.getBaggage(creation);
  const parent =
    mode === 'parent' ? creation : baggage ? propagation.setBaggage(ROOT_CONTEXT, baggage) : ROOT_CONTEXT;
  const links = mode === 'link' ? remoteLink(creation) : [];
  return runSpan(name, { kind: SpanKind.CONSUMER, attributes, links }, parent, handler);
}

/** One CONSUMER span for a batch, linked to every message's creation context. */
export function runBatchConsumerSpan<T>(
  name: string,
  attributes: Attributes,
  creations: readonly Context[],
  handler: (span: Span) => T | Promise<T>,
): Promise<T> {
  const links = creations.flatMap(remoteLink);
  return runSpan(name, { kind: SpanKind.CONSUMER, attributes, links }, context.active(), handler);
}

function runSpan<T>(
  name: string,
  options: { kind: SpanKind; attributes: Attributes; links: Link[] },
  parent: Context,
  handler: (span: Span) => T | Promise<T>,
): Promise<T> {
  const span = tracer().startSpan(name, options, parent);
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      return await handler(span);
    } catch (error) {
      recordError(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Text form of a message key for `messaging.*.message.key`; undefined for binary noise. */
export function keyText(key: unknown): string | undefined {
  if (typeof key === 'string') return key;
  if (Buffer.isBuffer(key)) return key.toString('utf8');
  return undefined;
}
