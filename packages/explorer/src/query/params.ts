/**
 * Parsing of query parameters shared by the API routes. Every failure is a
 * ParamError naming the parameter, which the server maps to 400 {error, parameter}.
 *
 * Bounds, so that no parameter can make a query fail inside the store or
 * make one request do unbounded work (docs/reliability.md, "Query API limits"):
 * - every time and duration is nanoseconds in SQLite's signed 64-bit INTEGER,
 *   so it must lie in 0 ..= 2^63 − 1 (a bigger bound value makes the driver
 *   throw, which used to answer 500);
 * - a value is at most MAX_VALUE_CHARS characters;
 * - a search takes at most MAX_FILTERS attribute filters (each one is a
 *   subquery the store runs on the event loop).
 */
export class ParamError extends Error {
  override name = 'ParamError';
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

/** Largest nanosecond value SQLite's INTEGER holds (2262-04-11T23:47:16Z as a time, ~106,751 days as a duration). */
export const MAX_NS = 2n ** 63n - 1n;
/** Longest parameter value: names, free text and attribute expressions (the store indexes 256 characters of a value). */
export const MAX_VALUE_CHARS = 1024;
/** Attribute filters in one search (`attr`; Jaeger `tags` + `tag` together). */
export const MAX_FILTERS = 16;

const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n,
  'μs': 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
};

/** Longest duration string: `1h30m15s250ms` is 13; nothing sensible needs 64. */
const MAX_DURATION_CHARS = 64;

/** `12.5` of unit `u` in exact integer nanoseconds (fractions below 1 ns are dropped). */
function component(digits: string, unit: bigint): bigint {
  const [whole = '0', frac = ''] = digits.split('.');
  return BigInt(whole) * unit + (BigInt(frac.slice(0, 18).padEnd(18, '0')) * unit) / 10n ** 18n;
}

/** Go duration strings (`1.2s`, `100ms`, `1h30m`) plus `d` for days, as nanoseconds, at most MAX_NS. */
export function parseDuration(parameter: string, raw: string): bigint {
  const s = raw.trim();
  const bad = () => new ParamError(parameter, `${parameter} must be a duration like 100ms, 1.5s, 15m, 1h or 2d (got ${JSON.stringify(raw.slice(0, 80))})`);
  if (s === '' || s.length > MAX_DURATION_CHARS) throw bad();
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|μs|ms|s|m|h|d)/gy;
  let total = 0n;
  let pos = 0;
  let m: RegExpExecArray | null;
  while (pos < s.length && (m = re.exec(s)) !== null) {
    total += component(m[1] as string, UNIT_NS[m[2] as string] as bigint);
    pos = re.lastIndex;
  }
  if (pos !== s.length) throw bad();
  if (total > MAX_NS) throw new ParamError(parameter, `${parameter} must be at most 106751d (2^63 − 1 ns)`);
  return total;
}

/** `raw` units (decimal digits) in nanoseconds, or a 400 when past MAX_NS. */
function scaled(parameter: string, raw: string, unitNs: bigint): bigint {
  const ns = BigInt(raw) * unitNs;
  if (ns > MAX_NS) throw new ParamError(parameter, `${parameter} is too large: at most 2^63 − 1 ns (2262-04-11 as a time, 106751 days as a duration)`);
  return ns;
}

/** Milliseconds since epoch or an RFC 3339 date-time (1970 to 2262), as nanoseconds. */
export function parseTimeMsOrIso(parameter: string, raw: string): bigint {
  if (/^\d+$/.test(raw)) return scaled(parameter, raw, 1_000_000n);
  const ms = Date.parse(raw);
  if (/^\d{4}-\d{2}-\d{2}/.test(raw) && Number.isFinite(ms)) {
    if (ms < 0) throw new ParamError(parameter, `${parameter} must not be before 1970`);
    return scaled(parameter, String(ms), 1_000_000n);
  }
  throw new ParamError(parameter, `${parameter} must be milliseconds since the epoch or an RFC 3339 time (got ${JSON.stringify(raw.slice(0, 80))})`);
}

/** Jaeger's microseconds since epoch, as nanoseconds. */
export function parseMicros(parameter: string, raw: string): bigint {
  if (!/^\d+$/.test(raw)) throw new ParamError(parameter, `${parameter} must be microseconds since the epoch (got ${JSON.stringify(raw.slice(0, 80))})`);
  return scaled(parameter, raw, 1_000n);
}

/** Jaeger's milliseconds (dependencies' `endTs` and `lookback`), as nanoseconds. */
export function parseMillis(parameter: string, raw: string): bigint {
  if (!/^\d+$/.test(raw)) throw new ParamError(parameter, `${parameter} must be milliseconds (got ${JSON.stringify(raw.slice(0, 80))})`);
  return scaled(parameter, raw, 1_000_000n);
}

export function parseIntParam(parameter: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw)) throw new ParamError(parameter, `${parameter} must be a whole number (got ${JSON.stringify(raw.slice(0, 80))})`);
  const n = Number(raw);
  if (n < min || n > max) throw new ParamError(parameter, `${parameter} must be between ${min} and ${max}`);
  return n;
}

/** `end − lookback`, no earlier than the epoch: a lookback longer than the time since 1970 means "everything". */
export function startFromLookback(endNs: bigint, lookbackNs: bigint): bigint {
  return endNs > lookbackNs ? endNs - lookbackNs : 0n;
}

/** Refuses a value over MAX_VALUE_CHARS, naming the parameter. */
export function checkLength(parameter: string, value: string): string {
  if (value.length > MAX_VALUE_CHARS) throw new ParamError(parameter, `${parameter} values must be at most ${MAX_VALUE_CHARS} characters (got ${value.length})`);
  return value;
}

/** A single-valued parameter; '' counts as absent (forms send empty fields). */
export function one(params: URLSearchParams, name: string): string | undefined {
  const all = params.getAll(name);
  if (all.length > 1) throw new ParamError(name, `${name} may be given once`);
  const v = all[0];
  return v === undefined || v === '' ? undefined : checkLength(name, v);
}

/** A repeatable parameter's non-blank values: at most `max` of them, each at most `maxChars` characters. */
export function many(params: URLSearchParams, name: string, max: number, maxChars = MAX_VALUE_CHARS): string[] {
  const values = params.getAll(name).filter((v) => v.trim() !== '');
  if (values.length > max) throw new ParamError(name, `${name} may be given at most ${max} times (got ${values.length})`);
  for (const v of values) {
    if (v.length > maxChars) throw new ParamError(name, `${name} must be at most ${maxChars} characters (got ${v.length})`);
  }
  return values;
}

/** Refuses a window whose start is after its end, and durations whose minimum is above their maximum. */
export function checkOrder(q: { startNs?: bigint; endNs?: bigint; minDurationNs?: bigint; maxDurationNs?: bigint }): void {
  if (q.startNs !== undefined && q.endNs !== undefined && q.startNs > q.endNs) throw new ParamError('start', 'start must not be after end');
  if (q.minDurationNs !== undefined && q.maxDurationNs !== undefined && q.minDurationNs > q.maxDurationNs) {
    throw new ParamError('minDuration', 'minDuration must not be above maxDuration');
  }
}
