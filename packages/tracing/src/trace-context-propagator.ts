/**
 * W3C Trace Context (Level 1 and Level 2) as an OpenTelemetry propagator:
 * `traceparent` and `tracestate` read and written through getter/setter
 * objects, so HTTP headers, gRPC metadata, Kafka and AMQP headers share it.
 *
 * Level 2's random-trace-id flag (0x02): the SDK builds span contexts with
 * only the sampled bit, so the flag is decided here when a span context is
 * written out (https://www.w3.org/TR/trace-context-2/#random-trace-id-flag):
 * - a remote span context carries the flags as they were received;
 * - a local span of a trace we received takes the received trace's flag
 *   ("MUST set the random-trace-id flag … to the same value that was found
 *   in the incoming traceparent"), remembered in the context at extract time;
 * - a local span of a trace we started has it set: our trace ids come from
 *   the SDK's random id generator, all 16 bytes random.
 */
import {
  type Context,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  createContextKey,
  trace,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { FLAG_RANDOM, FLAG_SAMPLED, formatTraceparent, parseTraceparent } from './traceparent.ts';
import { W3CTraceState } from './tracestate.ts';

const TRACEPARENT = 'traceparent';
const TRACESTATE = 'tracestate';

/** The trace id received at extract, and whether its random flag was set. */
interface ReceivedTrace {
  traceId: string;
  random: boolean;
}
const RECEIVED_TRACE = createContextKey('tracewire.w3c.received-trace');

/** The trace-flags to send for `sc` in `ctx`: sampled as decided, random per Level 2. */
export function outgoingFlags(ctx: Context, sc: SpanContext): number {
  const sampled = sc.traceFlags & FLAG_SAMPLED;
  if (sc.isRemote || (sc.traceFlags & FLAG_RANDOM) !== 0) return sampled | (sc.traceFlags & FLAG_RANDOM);
  const received = ctx.getValue(RECEIVED_TRACE) as ReceivedTrace | undefined;
  if (received?.traceId === sc.traceId) return received.random ? sampled | FLAG_RANDOM : sampled;
  return sampled | FLAG_RANDOM;
}

export class TraceContextPropagator implements TextMapPropagator {
  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    const sc = trace.getSpanContext(ctx);
    if (!sc || !trace.isSpanContextValid(sc) || isTracingSuppressed(ctx)) return;
    setter.set(carrier, TRACEPARENT, formatTraceparent(sc.traceId, sc.spanId, outgoingFlags(ctx, sc)));
    if (sc.traceState) {
      const state = W3CTraceState.from(sc.traceState).serialize();
      // "Vendors … SHOULD avoid sending" an empty tracestate (§3.3.1.1).
      if (state !== '') setter.set(carrier, TRACESTATE, state);
    }
  }

  /**
   * A missing or invalid `traceparent` leaves `ctx` as it is (the trace
   * restarts), and then `tracestate` is not read: "If the vendor failed to
   * parse traceparent, it MUST NOT attempt to parse tracestate" (§3.3).
   */
  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const parent = parseTraceparent(getter.get(carrier, TRACEPARENT));
    if (!parent) return ctx;
    const traceState = W3CTraceState.parse(getter.get(carrier, TRACESTATE));
    const sc: SpanContext = {
      traceId: parent.traceId,
      spanId: parent.spanId,
      traceFlags: parent.flags,
      isRemote: true,
      ...(traceState ? { traceState } : {}),
    };
    const received: ReceivedTrace = { traceId: parent.traceId, random: (parent.flags & FLAG_RANDOM) !== 0 };
    return trace.setSpanContext(ctx, sc).setValue(RECEIVED_TRACE, received);
  }

  fields(): string[] {
    return [TRACEPARENT, TRACESTATE];
  }
}
