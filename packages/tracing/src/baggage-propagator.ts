/**
 * W3C Baggage as an OpenTelemetry propagator, with the spec's limits applied
 * on extract and on inject (baggage-codec.ts), so every service that uses the
 * library gets them, and an optional allow-list of keys that may leave the
 * process: baggage arrives from callers we do not control, and forwarding all
 * of it would carry a client's data to every downstream hop.
 */
import {
  type Baggage,
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  baggageEntryMetadataFromString,
  propagation,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { type BaggageMember, parseBaggage, serializeBaggage } from './baggage-codec.ts';
import { joinFields } from './header-text.ts';

const BAGGAGE = 'baggage';

/** The entries that may leave the process, in order (a plain loop: this runs on every outgoing call). */
function outgoing(baggage: Baggage, allowed: ReadonlySet<string> | undefined): BaggageMember[] {
  const members: BaggageMember[] = [];
  for (const [key, entry] of baggage.getAllEntries()) {
    if (allowed && !allowed.has(key)) continue;
    const properties = entry.metadata?.toString();
    members.push(properties ? { key, value: entry.value, properties } : { key, value: entry.value });
  }
  return members;
}

export class BaggagePropagator implements TextMapPropagator {
  private readonly allowed: ReadonlySet<string> | undefined;

  /** `allowList`: the only keys written on inject; every valid key is still read on extract. */
  constructor(allowList?: readonly string[]) {
    this.allowed = allowList ? new Set(allowList) : undefined;
  }

  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    const baggage = propagation.getBaggage(ctx);
    if (!baggage || isTracingSuppressed(ctx)) return;
    const header = serializeBaggage(outgoing(baggage, this.allowed));
    if (header !== '') setter.set(carrier, BAGGAGE, header);
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const header = joinFields(getter.get(carrier, BAGGAGE));
    if (header === undefined) return ctx;
    const members = parseBaggage(header);
    if (members.length === 0) return ctx;
    // Entry by entry, not from a record: a record would put integer-like keys
    // ("4") first and treat `__proto__` specially; the list keeps its order.
    let baggage = propagation.createBaggage();
    for (const { key, value, properties } of members) {
      baggage = baggage.setEntry(key, properties === undefined ? { value } : { value, metadata: baggageEntryMetadataFromString(properties) });
    }
    return propagation.setBaggage(ctx, baggage);
  }

  fields(): string[] {
    return [BAGGAGE];
  }
}
