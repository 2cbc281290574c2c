/**
 * Reference readings of the W3C specs, written from the text rather than from
 * the implementation under test, so property tests have an independent oracle.
 * Trace Context: https://www.w3.org/TR/trace-context/#traceparent-header
 */
export interface ParsedTraceparent {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

const HEX = /^[0-9a-f]+$/;

/** §3.2: version-format for 00; higher versions parse their 00-compatible prefix. */
export function parseTraceparentSpec(raw: string): ParsedTraceparent | null {
  const value = raw.trim();
  if (value.length < 55) return null;
  const version = value.slice(0, 2);
  if (!HEX.test(version) || version === 'ff') return null;
  if (version === '00' && value.length !== 55) return null;
  if (version !== '00' && value.length > 55 && value[55] !== '-') return null;
  const [v, traceId, spanId, flags] = value.slice(0, 55).split('-');
  if (v !== version || !traceId || !spanId || !flags) return null;
  if (traceId.length !== 32 || spanId.length !== 16 || flags.length !== 2) return null;
  if (!HEX.test(traceId) || !HEX.test(spanId) || !HEX.test(flags)) return null;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return null;
  return { traceId, spanId, sampled: (parseInt(flags, 16) & 1) === 1 };
}

/** §3.3.1: tracestate keys and values. */
export const TRACESTATE_KEY = /^([a-z][a-z0-9_\-*/]{0,255}|[a-z0-9][a-z0-9_\-*/]{0,240}@[a-z][a-z0-9_\-*/]{0,13})$/;
export const TRACESTATE_VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
export const TRACESTATE_MAX_MEMBERS = 32;

/** W3C Baggage §3.3.2 limits as OpenTelemetry applies them. */
export const BAGGAGE_MAX_MEMBERS = 180;
export const BAGGAGE_MAX_BYTES = 8192;
