/**
 * The `traceparent` header, W3C Trace Context Level 1 and Level 2:
 * https://www.w3.org/TR/trace-context/#traceparent-header
 * https://www.w3.org/TR/trace-context-2/#traceparent-header
 *
 * Pure functions over strings; the propagator (trace-context-propagator.ts)
 * decides what a parsed value means for the context.
 */
import { trimOws } from './header-text.ts';

/** §3.2.2.5.1: the caller may have recorded trace data. */
export const FLAG_SAMPLED = 0x01;
/** Level 2 §3.2.2.5.2: at least the right-most 7 bytes of the trace-id are random. */
export const FLAG_RANDOM = 0x02;
/**
 * The flags this implementation knows. Others are reserved: "Vendors MUST set
 * those to zero" (§3.2.2.5.3), and for a higher version the spec has us "only
 * parse flags values supported by the current version" (§3.2.4).
 */
export const KNOWN_FLAGS = FLAG_SAMPLED | FLAG_RANDOM;

export interface Traceparent {
  traceId: string;
  spanId: string;
  /** The received trace-flags with reserved bits cleared. */
  flags: number;
}

/** Length of `00-<32 hex>-<16 hex>-<2 hex>`, the version-00 format. */
const V00_LENGTH = 55;

/** HEXDIGLC: `0-9` and `a-f` only; upper case is invalid. */
function isHexLc(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66);
}

/** True when `value[from, to)` is lowercase hex and not all zeros ("All zeroes forbidden"). */
function isNonZeroHex(value: string, from: number, to: number): boolean {
  let nonZero = false;
  for (let i = from; i < to; i++) {
    const code = value.charCodeAt(i);
    if (!isHexLc(code)) return false;
    if (code !== 0x30) nonZero = true;
  }
  return nonZero;
}

/**
 * Reads a received `traceparent`. Undefined means "restart the trace": the
 * header is missing, repeated (a carrier holding two values), malformed,
 * version `ff`, or carries an all-zero id.
 *
 * A higher version is parsed per §3.2.4 (forward compatibility): at least 55
 * characters, the version-00 fields in place, and after the flags either the
 * end of the value or a dash; what follows that dash is not looked at.
 * Version 00 must be exactly 55 characters.
 */
export function parseTraceparent(raw: string | string[] | undefined): Traceparent | undefined {
  if (Array.isArray(raw)) {
    if (raw.length !== 1) return undefined;
    raw = raw[0];
  }
  if (typeof raw !== 'string') return undefined;
  const value = trimOws(raw);
  if (value.length < V00_LENGTH) return undefined;
  const v0 = value.charCodeAt(0);
  const v1 = value.charCodeAt(1);
  if (!isHexLc(v0) || !isHexLc(v1) || value.charCodeAt(2) !== 0x2d) return undefined;
  const version = value.slice(0, 2);
  if (version === 'ff') return undefined;
  if (version === '00' ? value.length !== V00_LENGTH : value.length > V00_LENGTH && value.charCodeAt(V00_LENGTH) !== 0x2d) {
    return undefined;
  }
  if (value.charCodeAt(35) !== 0x2d || value.charCodeAt(52) !== 0x2d) return undefined;
  if (!isNonZeroHex(value, 3, 35) || !isNonZeroHex(value, 36, 52)) return undefined;
  if (!isHexLc(value.charCodeAt(53)) || !isHexLc(value.charCodeAt(54))) return undefined;
  return {
    traceId: value.slice(3, 35),
    spanId: value.slice(36, 52),
    flags: parseInt(value.slice(53, 55), 16) & KNOWN_FLAGS,
  };
}

/** Writes a version-00 `traceparent`, the highest version we know (§3.2.4: "construct the new traceparent … according to the highest version"). */
export function formatTraceparent(traceId: string, spanId: string, flags: number): string {
  return `00-${traceId}-${spanId}-0${(flags & KNOWN_FLAGS).toString(16)}`;
}
