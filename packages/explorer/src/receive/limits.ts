/**
 * Limits the receivers enforce while decoding (configurable; generous defaults). They are
 * applied during the decode, so what is dropped is never materialised: a 16 MiB request of
 * empty events costs a walk over its bytes, not millions of objects. docs/explorer.md,
 * "Limits", lists them; docs/reliability.md names the test behind each.
 */
export interface SpanLimits {
  /**
   * Attributes kept per span, resource, scope, event or link. Array elements and kvlist
   * entries inside their values count against the same bound; top-level attributes past it
   * are added to `droppedAttributesCount`, nested elements to the truncation count.
   */
  maxAttributes: number;
  /** Every string (values, keys, names, versions, schema URLs, trace states, messages) and bytes value is cut to this many characters. */
  maxValueLength: number;
  maxEvents: number;
  maxLinks: number;
  /** Nesting depth of array / kvlist values. */
  maxValueDepth: number;
  /** Spans read per request; the rest are rejected (partial success) without being decoded. */
  maxSpansPerRequest: number;
  /** Attributes, array elements, kvlist entries, events and links kept per request, summed. */
  maxItemsPerRequest: number;
  /** Objects and arrays an OTLP/JSON body may hold; past it the body is refused before JSON.parse. */
  maxJsonContainers: number;
  /** Spans per store write: a larger export is written in groups of this size, one after another. */
  spansPerWrite: number;
}

export const DEFAULT_LIMITS: SpanLimits = {
  maxAttributes: 1000,
  maxValueLength: 64 * 1024,
  maxEvents: 1000,
  maxLinks: 1000,
  maxValueDepth: 8,
  maxSpansPerRequest: 100_000,
  maxItemsPerRequest: 1_000_000,
  maxJsonContainers: 2_000_000,
  spansPerWrite: 5000,
};
