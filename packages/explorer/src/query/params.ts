/**
 * Parsing of query parameters shared by the API routes. Every failure is a
 * ParamError naming the parameter, which the server maps to 400 {error, parameter}.
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

/** Go duration strings (`1.2s`, `100ms`, `1h30m`) plus `d` for days, as nanoseconds. */
export function parseDuration(parameter: string, raw: string): bigint {
  const s = raw.trim();
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|μs|ms|s|m|h|d)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while (pos < s.length && (m = re.exec(s)) !== null) {
    const unit = UNIT_NS[m[2] as string] as bigint;
    total += Number(m[1]) * Number(unit);
    pos = re.lastIndex;
  }
  if (s === '' || pos !== s.length) {
    throw new ParamError(parameter, `${parameter} must be a duration like 100ms, 1.5s, 15m, 1h or 2d (got ${JSON.stringify(raw)})`);
  }
  return BigInt(Math.round(total));
}

/** Milliseconds since epoch or an RFC 3339 date-time, as nanoseconds. */
export function parseTimeMsOrIso(parameter: string, raw: string): bigint {
  if (/^\d{1,16}$/.test(raw)) return BigInt(raw) * 1_000_000n;
  const ms = Date.parse(raw);
  if (/^\d{4}-\d{2}-\d{2}/.test(raw) && Number.isFinite(ms)) return BigInt(ms) * 1_000_000n;
  throw new ParamError(parameter, `${parameter} must be milliseconds since the epoch or an RFC 3339 time (got ${JSON.stringify(raw)})`);
}

/** Jaeger's microseconds since epoch, as nanoseconds. */
export function parseMicros(parameter: string, raw: string): bigint {
  if (!/^\d{1,19}$/.test(raw)) throw new ParamError(parameter, `${parameter} must be microseconds since the epoch (got ${JSON.stringify(raw)})`);
  return BigInt(raw) * 1_000n;
}

export function parseIntParam(parameter: string, raw: string, min: number, max: number): number {
  if (!/^\d{1,9}$/.test(raw)) throw new ParamError(parameter, `${parameter} must be a whole number (got ${JSON.stringify(raw)})`);
  const n = Number(raw);
  if (n < min || n > max) throw new ParamError(parameter, `${parameter} must be between ${min} and ${max}`);
  return n;
}

/** A single-valued parameter; '' counts as absent (forms send empty fields). */
export function one(params: URLSearchParams, name: string): string | undefined {
  const all = params.getAll(name);
  if (all.length > 1) throw new ParamError(name, `${name} may be given once`);
  const v = all[0];
  return v === undefined || v === '' ? undefined : v;
}
