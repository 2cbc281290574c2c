/**
 * Stored spans for the store's unit tests: a span of a numbered trace with
 * fixed times, overridable field by field. Test support, not used by the store.
 */
import type { Resource, Scope, SpanRecord, StoredSpan } from '../model.ts';

/** One resource object shared by every test span, as an export's spans share theirs. */
export const TEST_RESOURCE: Resource = { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] };
const TEST_SCOPE: Scope = { name: 's' };

export const traceIdOf = (trace: number): string => trace.toString(16).padStart(32, '0');
export const spanIdOf = (n: number): string => n.toString(16).padStart(16, '0');

/** Span `i` of trace `trace`: id i + 1, started i ns after 1 s, ended at 2 s, a root unless `span` says otherwise. */
export function testSpan(trace: number, i: number, span: Partial<SpanRecord> = {}, service = 'svc'): StoredSpan {
  return {
    resource: TEST_RESOURCE,
    scope: TEST_SCOPE,
    service,
    span: {
      traceId: traceIdOf(trace),
      spanId: spanIdOf(i + 1),
      parentSpanId: '',
      name: 'op',
      kind: 1,
      startTimeUnixNano: String(1_000_000_000n + BigInt(i)),
      endTimeUnixNano: String(2_000_000_000n),
      attributes: [],
      events: [],
      links: [],
      status: { code: 0 },
      ...span,
    },
  };
}
