/**
 * Reference readings of the W3C specs, written from their text (ABNF turned
 * into regular expressions, rules into plain code) and kept apart from the
 * implementation under test, so property tests have an independent oracle.
 *
 * Trace Context Level 1: https://www.w3.org/TR/trace-context/
 * Trace Context Level 2: https://www.w3.org/TR/trace-context-2/
 * Baggage:               https://www.w3.org/TR/baggage/
 * Where the spec leaves a choice ("MAY discard the entire header"), the
 * reading follows the W3C test suite at its default strictness (level 2).
 */

/** OWS = *( SP / HTAB ), stripped around a field value (RFC 9110 §5.5). */
const OWS_AROUND = /^[ \t]*([\s\S]*?)[ \t]*$/;
const stripOws = (s: string): string => (OWS_AROUND.exec(s) as RegExpExecArray)[1] as string;

// ---------------------------------------------------------------- traceparent

export interface ParsedTraceparent {
  traceId: string;
  spanId: string;
  sampled: boolean;
  /** Level 2 random-trace-id flag (0x02). */
  random: boolean;
}

/**
 * version "-" trace-id "-" parent-id "-" trace-flags, all HEXDIGLC (§3.2.2);
 * for a version above 00 (§3.2.4) the same prefix is followed by the end or
 * by a dash and fields that "MUST NOT" be parsed.
 */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-[\s\S]*)?$/;

/**
 * What a participant must make of the received `traceparent` field(s): null
 * means restart the trace (missing, repeated, malformed, version ff, zero ids).
 */
export function parseTraceparentSpec(fields: string | readonly string[]): ParsedTraceparent | null {
  const all = typeof fields === 'string' ? [fields] : fields;
  if (all.length !== 1) return null; // two traceparent fields: the W3C suite expects a new trace
  const m = TRACEPARENT.exec(stripOws(all[0] as string));
  if (!m) return null;
  const [, version, traceId, spanId, flags, future] = m as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff') return null; // "Version ff is forbidden"
  if (version === '00' && future !== undefined) return null; // version 00 has exactly four fields
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return null; // "All zeroes forbidden"
  const bits = parseInt(flags, 16);
  return { traceId, spanId, sampled: (bits & 1) === 1, random: (bits & 2) === 2 };
}

/** The traceparent a participant sends: version 00, reserved flags zero (§3.2.2.5). */
export const TRACEPARENT_OUT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[0-3])$/;

// ----------------------------------------------------------------- tracestate

/** key = simple-key / multi-tenant-key (§3.3.1.3.1). */
const TS_KEY = '(?:[a-z][a-z0-9_\\-*/]{0,255}|[a-z0-9][a-z0-9_\\-*/]{0,240}@[a-z][a-z0-9_\\-*/]{0,13})';
/** value = 0*255(chr) nblk-chr (§3.3.1.3.2). */
const TS_VALUE = '[\\x20-\\x2b\\x2d-\\x3c\\x3e-\\x7e]{0,255}[\\x21-\\x2b\\x2d-\\x3c\\x3e-\\x7e]';
export const TRACESTATE_KEY = new RegExp(`^${TS_KEY}$`);
export const TRACESTATE_VALUE = new RegExp(`^${TS_VALUE}$`);
const TS_MEMBER = new RegExp(`^(${TS_KEY})=(${TS_VALUE})$`);
export const TRACESTATE_MAX_MEMBERS = 32;

/**
 * The tracestate list a participant keeps from the received field(s), in
 * order; null when the header is discarded: an invalid member, a repeated key
 * or more than 32 members (W3C suite, strict level 2). Empty and OWS-only
 * members are allowed (§3.3.1.1). No members at all: [].
 */
export function parseTracestateSpec(fields: readonly string[]): Array<[string, string]> | null {
  const members: Array<[string, string]> = [];
  for (const raw of fields.join(',').split(',')) {
    const member = stripOws(raw);
    if (member === '') continue;
    const m = TS_MEMBER.exec(member);
    if (!m) return null;
    if (members.some(([k]) => k === m[1])) return null;
    members.push([m[1] as string, m[2] as string]);
  }
  return members.length > TRACESTATE_MAX_MEMBERS ? null : members;
}

// -------------------------------------------------------------------- baggage

/** Baggage §3.3.2 limits. */
export const BAGGAGE_MAX_MEMBERS = 180;
export const BAGGAGE_MAX_BYTES = 8192;

/** token (RFC 9110 §5.6.2) and baggage-octet (Baggage §3.2.1). */
const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
const OCTETS = '[\\x21\\x23-\\x2b\\x2d-\\x3a\\x3c-\\x5b\\x5d-\\x7e]*';
const BG_PAIR = new RegExp(`^[ \\t]*(${TOKEN})[ \\t]*=[ \\t]*(${OCTETS})[ \\t]*$`);
const BG_PROPERTY = new RegExp(`^[ \\t]*(${TOKEN})[ \\t]*(?:=[ \\t]*(${OCTETS}))?[ \\t]*$`);
export const BAGGAGE_MEMBER_OUT = new RegExp(`^${TOKEN}=${OCTETS}(?:;${TOKEN}(?:=${OCTETS})?)*$`);

export interface BaggageEntrySpec {
  key: string;
  value: string;
  /** Properties without OWS, `k=v` or `k`, joined by `;`. */
  properties?: string;
}

/** "A value contains a URL encoded UTF-8 string"; octets that are not UTF-8 become U+FFFD. */
export function percentDecodeSpec(raw: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; ) {
    const esc = /^%[0-9A-Fa-f]{2}/.exec(raw.slice(i, i + 3));
    if (esc) {
      bytes.push(parseInt(raw.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      bytes.push(raw.charCodeAt(i));
      i += 1;
    }
  }
  // ignoreBOM: a value may begin with U+FEFF; a default TextDecoder would swallow it as a byte order mark.
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(new Uint8Array(bytes));
}

/**
 * The members a platform keeps from received baggage field(s): the fields
 * joined by commas, read only as far as the limits allow (at most 180
 * comma-separated members and 8192 bytes, cut at a member boundary), members
 * not in the ABNF dropped, the first of a repeated key kept.
 */
export function parseBaggageSpec(fields: readonly string[]): BaggageEntrySpec[] {
  const kept: string[] = [];
  let bytes = -1; // the first member has no comma before it
  for (const member of fields.join(',').split(',')) {
    bytes += 1 + new TextEncoder().encode(member).length;
    if (kept.length === BAGGAGE_MAX_MEMBERS || bytes > BAGGAGE_MAX_BYTES) break;
    kept.push(member);
  }
  const out: BaggageEntrySpec[] = [];
  for (const member of kept) {
    const [pair, ...props] = member.split(';');
    const m = BG_PAIR.exec(pair as string);
    if (!m) continue;
    const properties = props.map((p) => BG_PROPERTY.exec(p));
    if (properties.some((p) => p === null)) continue;
    if (out.some((e) => e.key === m[1])) continue;
    const entry: BaggageEntrySpec = { key: m[1] as string, value: percentDecodeSpec(m[2] as string) };
    if (properties.length > 0) {
      entry.properties = properties.map((p) => (p?.[2] === undefined ? p?.[1] : `${p[1]}=${p[2]}`)).join(';');
    }
    out.push(entry);
  }
  return out;
}

/** True when `header` is a baggage-string we may send: every member in the ABNF, within both limits. */
export function isSendableBaggage(header: string): boolean {
  const members = header.split(',');
  return (
    members.length <= BAGGAGE_MAX_MEMBERS &&
    new TextEncoder().encode(header).length <= BAGGAGE_MAX_BYTES &&
    members.every((m) => BAGGAGE_MEMBER_OUT.test(m))
  );
}
