/**
 * What the protobuf and the JSON decoder share: the limits and budgets of one
 * request, string truncation, span validation and the partial-success report
 * (https://opentelemetry.io/docs/specs/otlp/#partial-success).
 */
import type { SpanRecord, StoredSpan } from '../model.ts';
import type { SpanLimits } from './limits.ts';

export class MalformedPayloadError extends Error {
  override name = 'MalformedPayloadError';
}

export interface DecodeResult {
  spans: StoredSpan[];
  rejected: number;
  /** Human-readable reasons (rejections and truncations), a few at most. */
  messages: string[];
}

/** Items left for one owner (span, resource, scope, event or link) and its nested values. */
export interface Owner {
  left: number;
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ZEROS = /^0+$/;
/** OTLP times are fixed64, the store's SQLite int64: past 2^63-1 (year 2262) an insert would throw. */
const MAX_I64 = 9223372036854775807n;
const MAX_MESSAGES = 5;

/** Decimal strings of at most 18 digits are below 2^63 without parsing them. */
function pastInt64(ns: string): boolean {
  return ns.length > 18 && BigInt(ns) > MAX_I64;
}

export function validTraceId(id: string): boolean {
  return TRACE_ID.test(id) && !ZEROS.test(id);
}

export function validSpanId(id: string): boolean {
  return SPAN_ID.test(id) && !ZEROS.test(id);
}

export class DecodeContext {
  readonly spans: StoredSpan[] = [];
  private rejected = 0;
  private readonly messages: string[] = [];
  /** Strings cut, values emptied, nested elements dropped. */
  private truncated = 0;
  private overSpanLimit = 0;
  private itemsLeft: number;
  private itemsDropped = 0;

  constructor(readonly limits: SpanLimits) {
    this.itemsLeft = limits.maxItemsPerRequest;
  }

  text(v: string): string {
    if (v.length <= this.limits.maxValueLength) return v;
    this.truncated++;
    return v.slice(0, this.limits.maxValueLength);
  }

  /** Counts a value emptied or an element dropped by a limit. */
  truncate(): void {
    this.truncated++;
  }

  newOwner(): Owner {
    return { left: this.limits.maxAttributes };
  }

  /** Takes one item (attribute, array element, kvlist entry) from the owner's and the request's budget. */
  takeItem(owner: Owner): boolean {
    if (owner.left <= 0) return false;
    if (!this.takeRequestItem()) return false;
    owner.left--;
    return true;
  }

  /** Takes one item (event, link) from the request's budget only. */
  takeRequestItem(): boolean {
    if (this.itemsLeft <= 0) {
      this.itemsDropped++;
      return false;
    }
    this.itemsLeft--;
    return true;
  }

  /** Whether the next span may be read; past the per-request bound it is rejected unread. */
  spanSlot(): boolean {
    if (this.spans.length + this.rejected < this.limits.maxSpansPerRequest) return true;
    this.rejected++;
    this.overSpanLimit++;
    return false;
  }

  reject(why: string): undefined {
    this.rejected++;
    if (this.messages.length < MAX_MESSAGES) this.messages.push(why);
    return undefined;
  }

  /** Checks ids and times; a span that fails is rejected alone (partial success). */
  checkSpan(s: Pick<SpanRecord, 'traceId' | 'spanId' | 'parentSpanId' | 'startTimeUnixNano' | 'endTimeUnixNano'>): boolean {
    if (!validTraceId(s.traceId)) return Boolean(this.reject(`span with invalid traceId ${JSON.stringify(s.traceId.slice(0, 40))}`));
    if (!validSpanId(s.spanId)) return Boolean(this.reject(`span with invalid spanId ${JSON.stringify(s.spanId.slice(0, 40))}`));
    if (s.parentSpanId !== '' && !SPAN_ID.test(s.parentSpanId)) return Boolean(this.reject(`span ${s.spanId} has an invalid parentSpanId`));
    if (pastInt64(s.startTimeUnixNano) || pastInt64(s.endTimeUnixNano)) {
      return Boolean(this.reject(`span ${s.spanId} has a timestamp after the year 2262`));
    }
    return true;
  }

  result(): DecodeResult {
    const messages = [...this.messages];
    const note = (m: string) => {
      if (messages.length < MAX_MESSAGES + 3) messages.push(m);
    };
    if (this.overSpanLimit > 0) note(`${this.overSpanLimit} spans over the limit of ${this.limits.maxSpansPerRequest} per request rejected; send smaller batches`);
    if (this.itemsDropped > 0) note(`${this.itemsDropped} attributes, events or links dropped: over the limit of ${this.limits.maxItemsPerRequest} per request`);
    if (this.truncated > 0) note(`${this.truncated} strings or values truncated or emptied by limits`);
    return { spans: this.spans, rejected: this.rejected, messages };
  }
}
