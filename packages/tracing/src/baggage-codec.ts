/**
 * The `baggage` header, W3C Baggage (https://www.w3.org/TR/baggage/):
 *
 *   baggage-string = list-member 0*179( OWS "," OWS list-member )
 *   list-member    = key OWS "=" OWS value *( OWS ";" OWS property )
 *   property       = key OWS "=" OWS value / key OWS
 *   key            = token                       ; RFC 9110 §5.6.2
 *   value          = *baggage-octet              ; percent-encoded UTF-8
 *   baggage-octet  = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E
 *
 * Limits, on the way in and on the way out: at most 180 list-members and
 * 8192 bytes. A received header over either limit is cut after the last whole
 * member that fits, so nothing past the limit is ever read or forwarded; a
 * list-member not in the format above is dropped ("it MAY remove that entry").
 */

/** §3.3.2: 180 list-members (the ABNF's `0*179` after the first). */
export const BAGGAGE_MAX_MEMBERS = 180;
/** §3.3.2: 8192 bytes of baggage-string. */
export const BAGGAGE_MAX_BYTES = 8192;

export interface BaggageMember {
  key: string;
  /** Percent-decoded; invalid UTF-8 became U+FFFD. */
  value: string;
  /** The properties as `k=v;k2` (OWS removed), opaque to this spec; absent when there are none. */
  properties?: string;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;
/** baggage-octets other than `%`: written as they are. */
const PLAIN_VALUE = /^[\x21\x23\x24\x26-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;
const OWS_EDGES = /^[ \t]+|[ \t]+$/g;

const trim = (s: string): string => (s.length > 0 && (isOws(s, 0) || isOws(s, s.length - 1)) ? s.replace(OWS_EDGES, '') : s);
const isOws = (s: string, i: number): boolean => s.charCodeAt(i) === 0x20 || s.charCodeAt(i) === 0x09;

/** `key OWS "=" OWS value` → [key, raw value], or undefined when not in that form. */
function keyValue(text: string): [string, string] | undefined {
  const eq = text.indexOf('=');
  if (eq === -1) return undefined;
  const key = trim(text.slice(0, eq));
  const value = trim(text.slice(eq + 1));
  return TOKEN.test(key) && VALUE.test(value) ? [key, value] : undefined;
}

/** Properties normalised to `k=v;k2`, or undefined when one is not a property. */
function normaliseProperties(parts: readonly string[]): string | undefined {
  const out: string[] = [];
  for (const part of parts) {
    const text = trim(part);
    if (text.includes('=')) {
      const kv = keyValue(text);
      if (!kv) return undefined;
      out.push(`${kv[0]}=${kv[1]}`);
    } else if (TOKEN.test(text)) {
      out.push(text);
    } else {
      return undefined;
    }
  }
  return out.join(';');
}

/** One list-member, or undefined when it is not in the format. */
function parseMember(text: string): BaggageMember | undefined {
  const parts = text.split(';');
  const kv = keyValue(parts[0] as string);
  if (!kv) return undefined;
  if (parts.length === 1) return { key: kv[0], value: decodeValue(kv[1]) };
  const properties = normaliseProperties(parts.slice(1));
  return properties === undefined ? undefined : { key: kv[0], value: decodeValue(kv[1]), properties };
}

/**
 * The list-members of the longest prefix of `header` that holds at most 180
 * members and 8192 bytes (counting every comma-separated member, valid or
 * not, and the commas and OWS between them), valid ones only, the first of
 * a repeated key kept. Work is bounded by the limits, not the header's size.
 */
export function parseBaggage(header: string): BaggageMember[] {
  const members: BaggageMember[] = [];
  const seen = new Set<string>();
  let start = 0;
  let bytes = 0;
  for (let count = 0; count < BAGGAGE_MAX_MEMBERS && start <= header.length; count++) {
    const comma = header.indexOf(',', start);
    const end = comma === -1 ? header.length : comma;
    // Characters are at least one byte: a member ending past the limit cannot fit.
    if (end - start > BAGGAGE_MAX_BYTES) break;
    const text = header.slice(start, end);
    bytes += (count === 0 ? 0 : 1) + Buffer.byteLength(text);
    if (bytes > BAGGAGE_MAX_BYTES) break;
    const member = parseMember(text);
    if (member && !seen.has(member.key)) {
      seen.add(member.key);
      members.push(member);
    }
    start = end + 1;
  }
  return members;
}

/**
 * The header for `members`: keys that are not tokens and properties that are
 * not properties are left out (the key's entry, the properties only), values
 * percent-encoded; members are added in order while the result stays within
 * 180 members and 8192 bytes.
 */
export function serializeBaggage(members: Iterable<BaggageMember>): string {
  let header = '';
  let count = 0;
  for (const { key, value, properties } of members) {
    if (!TOKEN.test(key)) continue;
    const props = properties === undefined ? undefined : normaliseProperties(properties.split(';'));
    const member = props ? `${key}=${encodeValue(value)};${props}` : `${key}=${encodeValue(value)}`;
    const next = count === 0 ? member : `${header},${member}`;
    // Every character written is ASCII, so length is the byte count.
    if (count === BAGGAGE_MAX_MEMBERS || next.length > BAGGAGE_MAX_BYTES) break;
    header = next;
    count++;
  }
  return header;
}

const HEX = Array.from({ length: 256 }, (_, b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`);

/** Percent-encodes the UTF-8 octets that are not baggage-octets, and `%` itself, so decoding gives the value back. */
export function encodeValue(value: string): string {
  if (PLAIN_VALUE.test(value)) return value;
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const plain = byte !== 0x25 && byte >= 0x21 && byte <= 0x7e && byte !== 0x22 && byte !== 0x2c && byte !== 0x3b && byte !== 0x5c;
    out += plain ? String.fromCharCode(byte) : HEX[byte];
  }
  return out;
}

const isHex = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);

/**
 * Percent-decodes a value (an ASCII baggage-octet string). Octets that are not
 * UTF-8 become U+FFFD, as the spec requires; a `%` not followed by two hex
 * digits stays a `%`.
 */
export function decodeValue(raw: string): string {
  if (!raw.includes('%')) return raw;
  const bytes = Buffer.allocUnsafe(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x25 && i + 2 < raw.length && isHex(raw.charCodeAt(i + 1)) && isHex(raw.charCodeAt(i + 2))) {
      bytes[n++] = parseInt(raw.slice(i + 1, i + 3), 16);
      i += 2;
    } else {
      bytes[n++] = c;
    }
  }
  return bytes.toString('utf8', 0, n);
}
