/**
 * Checks on OTLP/JSON text before JSON.parse, each one linear pass that steps
 * over string contents with indexOf:
 *
 * - JSON.parse builds every object it reads, so a 16 MiB body of `{}` is
 *   millions of objects and seconds of CPU. Past `maxContainers` objects and
 *   arrays the body is refused before it is parsed.
 * - The protobuf JSON mapping lets int64 / fixed64 travel as bare numbers
 *   (https://protobuf.dev/programming-guides/json/), but JSON.parse reads every
 *   number as a double: a nanosecond timestamp (19 digits) would lose its last
 *   digits. Integers of 16 or more digits are quoted first, so they reach the
 *   decoder as exact decimal strings (Node 20's JSON.parse has no reviver
 *   `context.source`). Numbers with a fraction or an exponent are left alone.
 */
import { MalformedPayloadError } from './decode-context.ts';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** A bare integer of 16+ digits after `:`, `,` or `[`: only then is the rewrite needed. */
const BARE_BIG_INT = /[:,[]\s*-?\d{16}/;

export function prepareJson(text: string, maxContainers: number): string {
  if (countChar(text, '{') + countChar(text, '[') > maxContainers) {
    // Braces inside strings counted too; count exactly before refusing.
    const n = countContainers(text);
    if (n > maxContainers) {
      throw new MalformedPayloadError(`the JSON body holds ${n} objects and arrays, over the limit of ${maxContainers}: send smaller batches`);
    }
  }
  return BARE_BIG_INT.test(text) ? quoteBigIntegers(text) : text;
}

function countChar(text: string, ch: string): number {
  let n = 0;
  for (let i = text.indexOf(ch); i !== -1; i = text.indexOf(ch, i + 1)) n++;
  return n;
}

/** Index of the quote closing the string opened at `open` (text.length when unterminated). */
function stringEnd(text: string, open: number): number {
  let i = open;
  for (;;) {
    i = text.indexOf('"', i + 1);
    if (i === -1) return text.length;
    let backslashes = 0;
    for (let j = i - 1; text.charCodeAt(j) === BACKSLASH; j--) backslashes++;
    if (backslashes % 2 === 0) return i;
  }
}

function countContainers(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = stringEnd(text, i);
    else if (c === 0x7b || c === 0x5b) n++;
  }
  return n;
}

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

function digitsEnd(text: string, i: number): number {
  while (isDigit(text.charCodeAt(i))) i++;
  return i;
}

function quoteBigIntegers(text: string): string {
  const parts: string[] = [];
  let copied = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i);
      continue;
    }
    if (c !== 0x2d && !isDigit(c)) continue;
    const intStart = c === 0x2d ? i + 1 : i;
    const intEnd = digitsEnd(text, intStart);
    let end = intEnd;
    if (text.charCodeAt(end) === 0x2e) end = digitsEnd(text, end + 1);
    const e = text.charCodeAt(end);
    if (e === 0x65 || e === 0x45) {
      const sign = text.charCodeAt(end + 1);
      end = digitsEnd(text, sign === 0x2b || sign === 0x2d ? end + 2 : end + 1);
    }
    if (end === intEnd && intEnd - intStart >= 16) {
      parts.push(text.slice(copied, i), '"', text.slice(i, end), '"');
      copied = end;
    }
    i = Math.max(i, end - 1);
  }
  if (copied === 0) return text;
  parts.push(text.slice(copied));
  return parts.join('');
}
