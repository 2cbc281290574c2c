/**
 * Reading fields of parsed OTLP/JSON: the protobuf JSON mapping's two name
 * forms, typed getters that refuse the wrong shape with MalformedPayloadError,
 * and 64-bit integers as exact decimal strings.
 */
import { MalformedPayloadError } from './decode-context.ts';

export type Loose = Record<string, unknown>;

const UINT64 = /^\d{1,20}$/;
const INT64 = /^-?\d{1,19}$/;
const MAX_U64 = 18446744073709551615n;
const MIN_I64 = -9223372036854775808n;
const MAX_I64 = 9223372036854775807n;

export function isObj(v: unknown): v is Loose {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Protobuf JSON mapping: parsers accept lowerCamelCase and the original snake_case names. */
export function field(o: Loose, camel: string): unknown {
  if (camel in o) return o[camel];
  const snake = camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return o[snake];
}

export function list(o: Loose, camel: string, where: string): unknown[] {
  const v = field(o, camel);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new MalformedPayloadError(`${where}.${camel} must be an array`);
  return v;
}

export function objAt(v: unknown, where: string): Loose {
  if (!isObj(v)) throw new MalformedPayloadError(`${where} must be an object`);
  return v;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function u32(v: unknown): number | undefined {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** Ids are hex strings in OTLP/JSON; '' when absent. */
export function idHex(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v.length <= 64 ? v.toLowerCase() : `${v.slice(0, 40).toLowerCase()}…`;
  return '\u0000invalid';
}

/**
 * An unsigned 64-bit time as a decimal string, or undefined when it is none.
 * Bare integers of 16+ digits arrive quoted (json-scan.ts), so they are exact;
 * a number in exponent form (1.75e18) is accepted with a double's precision.
 */
export function u64(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return '0';
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0) return undefined;
    return Number.isSafeInteger(v) ? String(v) : BigInt(v) <= MAX_U64 ? BigInt(v).toString() : undefined;
  }
  if (typeof v === 'string' && UINT64.test(v)) return BigInt(v) <= MAX_U64 ? BigInt(v).toString() : undefined;
  return undefined;
}

/** An AnyValue intValue: an integer in int64 range, as a number or a decimal string. */
export function int64(v: unknown): string {
  let n: bigint | undefined;
  if (typeof v === 'number' && Number.isInteger(v)) n = BigInt(v);
  else if (typeof v === 'string' && INT64.test(v)) n = BigInt(v);
  if (n === undefined || n < MIN_I64 || n > MAX_I64) throw new MalformedPayloadError(`invalid intValue ${JSON.stringify(String(v)).slice(0, 60)}`);
  return n.toString();
}

export function enumValue(v: unknown, names: readonly string[], prefix: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v >= 0 && v < names.length ? v : 0;
  if (typeof v === 'string') {
    const i = names.indexOf(v.startsWith(prefix) ? v.slice(prefix.length) : v);
    return i >= 0 ? i : 0;
  }
  return 0;
}
