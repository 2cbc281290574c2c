/** Small text helpers the W3C header codecs share. */

/**
 * Strips OWS (RFC 9110 §5.6.3: spaces and horizontal tabs) at both ends, as
 * the W3C headers allow around a field value and around list members.
 */
export function trimOws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isOws(value.charCodeAt(start))) start++;
  while (end > start && isOws(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

const isOws = (code: number): boolean => code === 0x20 || code === 0x09;

/** Several header fields of one name read as one comma-joined value (RFC 9110 §5.3). */
export function joinFields(raw: string | string[] | undefined): string | undefined {
  if (Array.isArray(raw)) {
    const fields = raw.filter((v): v is string => typeof v === 'string');
    return fields.length === 0 ? undefined : fields.join(',');
  }
  return typeof raw === 'string' ? raw : undefined;
}
