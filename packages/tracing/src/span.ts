/**
 * Span helpers: run work inside an active span, record failures the way the
 * OpenTelemetry spec asks (exception event + ERROR status), always end.
 */
import {
  type Attributes,
  type Context,
  type Span,
  type SpanOptions,
  SpanStatusCode,
  type Tracer,
  context,
  trace,
} from '@opentelemetry/api';

/** Instrumentation scope name for every span the helpers create. */
export const TRACER_NAME = '@tracewire/tracing';
export const TRACER_VERSION = '0.1.0';

let cachedTracer: Tracer | undefined;

/**
 * The helpers' tracer. The API hands out a proxy that follows whatever provider
 * is registered later, so it is resolved once; `initTracing` and `shutdown`
 * drop it because they replace the API's globals.
 */
export function tracer(): Tracer {
  cachedTracer ??= trace.getTracer(TRACER_NAME, TRACER_VERSION);
  return cachedTracer;
}

/** Forgets the cached tracer (the API's globals were replaced). */
export function resetTracer(): void {
  cachedTracer = undefined;
}

/**
 * Records `error` on `span` as an `exception` event and sets ERROR status.
 * Non-Error values (a thrown string) are recorded too.
 */
export function recordError(span: Span, error: unknown, attributes?: Attributes): void {
  const err = error instanceof Error ? error : new Error(typeof error === 'string' ? error : JSON.stringify(error));
  span.recordException(err);
  if (attributes) span.setAttributes(attributes);
  span.setAttribute('error.type', err.name && err.name !== 'Error' ? err.name : err.constructor?.name || 'Error');
  span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
}

export interface WithSpanOptions extends SpanOptions {
  /** Parent context; the active context by default. */
  parent?: Context;
}

/**
 * Runs `fn` inside a new active span. When `fn` throws or rejects, the error is
 * recorded and rethrown; the span always ends.
 *
 * @example
 * const total = await withSpan('price-order', { attributes: { 'order.id': id } }, async (span) => {
 *   span.setAttribute('order.items', items.length);
 *   return price(items);
 * });
 */
export function withSpan<T>(name: string, fn: (span: Span) => T): T;
export function withSpan<T>(name: string, options: WithSpanOptions, fn: (span: Span) => T): T;
export function withSpan<T>(
  name: string,
  optionsOrFn: WithSpanOptions | ((span: Span) => T),
  maybeFn?: (span: Span) => T,
): T {
  const options = typeof optionsOrFn === 'function' ? {} : optionsOrFn;
  const fn = typeof optionsOrFn === 'function' ? optionsOrFn : maybeFn;
  if (!fn) throw new TypeError('withSpan: missing function');
  // Avoid copying the options on the hot path unless a parent must be split off.
  const parent = options.parent ?? context.active();
  const spanOptions: SpanOptions = options.parent === undefined ? options : { ...options, parent: undefined };
  return tracer().startActiveSpan(name, spanOptions, parent, (span) => {
    let result: T;
    try {
      result = fn(span);
    } catch (error) {
      recordError(span, error);
      span.end();
      throw error;
    }
    if (result instanceof Promise) {
      return result.then(
        (value) => {
          span.end();
          return value;
        },
        (error: unknown) => {
          recordError(span, error);
          span.end();
          throw error;
        },
      ) as T;
    }
    span.end();
    return result;
  });
}

/** Trace and span id of the active span, for log correlation; empty when none. */
export function currentIds(ctx: Context = context.active()): { trace_id?: string; span_id?: string } {
  const sc = trace.getSpanContext(ctx);
  if (!sc || !trace.isSpanContextValid(sc)) return {};
  return { trace_id: sc.traceId, span_id: sc.spanId };
}
