/**
 * Context propagation: the global W3C Trace Context + Baggage propagator, and
 * `inject`/`extract` helpers for manual control (the guide's
 * `otel.GetTextMapPropagator().Inject(ctx, carrier)`).
 *
 * Both propagators are our own small codecs rather than @opentelemetry/core's,
 * which skip parts of the specs: tracestate members are not checked against
 * their grammar and limits, Level 2's random flag is dropped, and baggage is
 * neither validated nor cut at its limits before it is forwarded (see
 * docs/design.md). Tracing never throws into the application: a malformed
 * header yields the incoming context unchanged, i.e. the receiver starts a
 * new root, and a failing carrier is ignored.
 */
import {
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  diag,
  propagation,
} from '@opentelemetry/api';
import { CompositePropagator } from '@opentelemetry/core';
import { BaggagePropagator } from './baggage-propagator.ts';
import { TraceContextPropagator } from './trace-context-propagator.ts';

/** W3C Trace Context + W3C Baggage, optionally with a baggage allow-list for outgoing requests. */
export function createPropagator(baggageAllowList?: readonly string[]): TextMapPropagator {
  return new CompositePropagator({
    propagators: [new TraceContextPropagator(), new BaggagePropagator(baggageAllowList)],
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
  try {
    propagation.inject(ctx, carrier, setter);
  } catch (error) {
    // A carrier that refuses a value (a closed request, a strict metadata map) must not fail the call it belongs to.
    diag.warn('tracewire: inject failed', error);
  }
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
