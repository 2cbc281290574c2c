/**
 * Context propagation: the global W3C Trace Context + Baggage propagator, and
 * `inject`/`extract` helpers for manual control (the guide's
 * `otel.GetTextMapPropagator().Inject(ctx, carrier)`).
 *
 * Propagators never throw into the application: a malformed `traceparent`
 * yields the incoming context unchanged, i.e. the receiver starts a new root.
 */
import {
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
} from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * Baggage propagator that only lets allow-listed keys leave the process.
 * Baggage arrives from callers we do not control; forwarding all of it would
 * carry a client's data to every downstream hop (and to third parties).
 */
class AllowListBaggagePropagator implements TextMapPropagator {
  private readonly inner = new W3CBaggagePropagator();
  private readonly allowed: ReadonlySet<string>;

  constructor(allowList: readonly string[]) {
    this.allowed = new Set(allowList);
  }

  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    const baggage = propagation.getBaggage(ctx);
    if (!baggage) return;
    let filtered = baggage;
    for (const [key] of baggage.getAllEntries()) {
      if (!this.allowed.has(key)) filtered = filtered.removeEntry(key);
    }
    this.inner.inject(propagation.setBaggage(ctx, filtered), carrier, setter);
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    return this.inner.extract(ctx, carrier, getter);
  }

  fields(): string[] {
    return this.inner.fields();
  }
}

/** W3C Trace Context + W3C Baggage, optionally with a baggage allow-list for outgoing requests. */
export function createPropagator(baggageAllowList?: readonly string[]): TextMapPropagator {
  return new CompositePropagator({
    propagators: [
      new W3CTraceContextPropagator(),
      baggageAllowList ? new AllowListBaggagePropagator(baggageAllowList) : new W3CBaggagePropagator(),
    ],
  });
}

/**
 * Writes the active (or given) context into `carrier` through `setter`.
 *
 * @example
 * const headers: Record<string, string> = {};
 * inject(headers); // headers.traceparent = '00-…'
 */
export function inject<C>(
  carrier: C,
  setter: TextMapSetter<C> = defaultTextMapSetter as TextMapSetter<C>,
  ctx: Context = context.active(),
): C {
  propagation.inject(ctx, carrier, setter);
  return carrier;
}

/**
 * Reads a remote context from `carrier`; returns `base` (the active context by
 * default) unchanged when the carrier holds nothing valid.
 *
 * @example
 * const ctx = extract(req.headers);
 * context.with(ctx, () => handle(req));
 */
export function extract<C>(
  carrier: C,
  getter: TextMapGetter<C> = defaultTextMapGetter as TextMapGetter<C>,
  base: Context = context.active(),
): Context {
  try {
    return propagation.extract(base, carrier, getter);
  } catch {
    // A misbehaving carrier (odd header types) must not reach the handler.
    return base;
  }
}
