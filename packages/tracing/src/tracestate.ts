/**
 * The `tracestate` header, W3C Trace Context §3.3:
 * https://www.w3.org/TR/trace-context/#tracestate-header
 *
 * Received: the whole header is discarded when any member is invalid, a key
 * repeats, or there are more than 32 members. §3.3.1 lets a vendor "discard
 * the entire header" it cannot parse, and the W3C test suite (strict level 2)
 * expects exactly that for each of those cases; keeping half of a list would
 * forward a list no upstream vendor wrote. Empty and whitespace-only members
 * are allowed (§3.3.1.1) and skipped. Several header fields are combined with
 * commas (RFC 9110 §5.3).
 *
 * Propagated: the caller's members in their order; a key we set or change
 * moves to the left (§3.5), and when that makes 33 members the right-most is
 * removed (§3.3.1.1).
 */
import type { TraceState } from '@opentelemetry/api';
import { joinFields, trimOws } from './header-text.ts';

export const TRACESTATE_MAX_MEMBERS = 32;

const KEY_CHARS = /^[a-z0-9_\-*/]*$/;

/**
 * key = simple-key / multi-tenant-key (§3.3.1.3.1)
 * simple-key = lcalpha 0*255( lcalpha / DIGIT / "_" / "-" / "*" / "/" )
 * multi-tenant-key = tenant-id "@" system-id, tenant-id up to 241 characters
 * starting with lcalpha or DIGIT, system-id up to 14 starting with lcalpha.
 */
export function isValidTracestateKey(key: string): boolean {
  const at = key.indexOf('@');
  if (at === -1) return key.length >= 1 && key.length <= 256 && isLcAlpha(key.charCodeAt(0)) && KEY_CHARS.test(key);
  const tenant = key.slice(0, at);
  const system = key.slice(at + 1);
  return (
    tenant.length >= 1 &&
    tenant.length <= 241 &&
    system.length >= 1 &&
    system.length <= 14 &&
    (isLcAlpha(tenant.charCodeAt(0)) || isDigit(tenant.charCodeAt(0))) &&
    isLcAlpha(system.charCodeAt(0)) &&
    KEY_CHARS.test(tenant) &&
    KEY_CHARS.test(system)
  );
}

const isLcAlpha = (c: number): boolean => c >= 0x61 && c <= 0x7a;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** value = 0*255(chr) nblk-chr; chr = %x20 / nblk-chr; nblk-chr = %x21-2B / %x2D-3C / %x3E-7E (§3.3.1.3.2). */
export function isValidTracestateValue(value: string): boolean {
  if (value.length < 1 || value.length > 256) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x2c || c === 0x3d) return false;
  }
  return value.charCodeAt(value.length - 1) !== 0x20;
}

type Member = readonly [key: string, value: string];

/** An immutable W3C tracestate list, usable wherever the OpenTelemetry API takes a `TraceState`. */
export class W3CTraceState implements TraceState {
  private constructor(private readonly members: readonly Member[]) {}

  static readonly EMPTY = new W3CTraceState([]);

  /** Parses the received header field(s); undefined when absent, empty or discarded as invalid. */
  static parse(raw: string | string[] | undefined): W3CTraceState | undefined {
    const text = joinFields(raw);
    if (text === undefined) return undefined;
    const members: Member[] = [];
    const seen = new Set<string>();
    let start = 0;
    while (start <= text.length) {
      const comma = text.indexOf(',', start);
      const end = comma === -1 ? text.length : comma;
      const member = trimOws(text.slice(start, end));
      if (member !== '') {
        const eq = member.indexOf('=');
        if (eq === -1) return undefined;
        const key = member.slice(0, eq);
        const value = member.slice(eq + 1);
        if (!isValidTracestateKey(key) || !isValidTracestateValue(value) || seen.has(key)) return undefined;
        if (members.length === TRACESTATE_MAX_MEMBERS) return undefined;
        seen.add(key);
        members.push([key, value]);
      }
      start = end + 1;
    }
    return members.length === 0 ? undefined : new W3CTraceState(members);
  }

  /**
   * Brings any `TraceState` (one a sampler or the application built) within
   * the rules before it is sent: invalid and repeated members dropped (the
   * first of a key kept), at most 32, left-most first.
   */
  static from(state: TraceState): W3CTraceState {
    if (state instanceof W3CTraceState) return state;
    const members: Member[] = [];
    const seen = new Set<string>();
    for (const part of state.serialize().split(',')) {
      const member = trimOws(part);
      const eq = member.indexOf('=');
      if (eq === -1) continue;
      const key = member.slice(0, eq);
      const value = member.slice(eq + 1);
      if (!isValidTracestateKey(key) || !isValidTracestateValue(value) || seen.has(key)) continue;
      seen.add(key);
      members.push([key, value]);
      if (members.length === TRACESTATE_MAX_MEMBERS) break;
    }
    return new W3CTraceState(members);
  }

  /** Adds or updates `key` as the left-most member; an invalid key or value leaves the list unchanged. */
  set(key: string, value: string): W3CTraceState {
    if (!isValidTracestateKey(key) || !isValidTracestateValue(value)) return this;
    const rest = this.members.filter(([k]) => k !== key);
    return new W3CTraceState([[key, value] as const, ...rest].slice(0, TRACESTATE_MAX_MEMBERS));
  }

  unset(key: string): W3CTraceState {
    return this.members.some(([k]) => k === key) ? new W3CTraceState(this.members.filter(([k]) => k !== key)) : this;
  }

  get(key: string): string | undefined {
    return this.members.find(([k]) => k === key)?.[1];
  }

  get size(): number {
    return this.members.length;
  }

  serialize(): string {
    return this.members.map(([k, v]) => `${k}=${v}`).join(',');
  }
}
