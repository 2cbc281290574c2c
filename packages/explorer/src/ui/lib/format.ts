/** Human-readable durations (the shared formatter, src/trace/format.ts) and times. */
import { formatDurationNs } from '../../trace/index.ts';

export { formatDurationNs };

export function formatDurationMs(ms: number): string {
  return formatDurationNs(ms * 1_000_000);
}

export type TimeZoneMode = 'local' | 'utc';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `2026-11-25 14:03:07.123` in the chosen zone (UTC is marked with a Z). */
export function formatTimestamp(ms: number, tz: TimeZoneMode): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '—';
  const utc = tz === 'utc';
  const y = utc ? d.getUTCFullYear() : d.getFullYear();
  const mo = (utc ? d.getUTCMonth() : d.getMonth()) + 1;
  const da = utc ? d.getUTCDate() : d.getDate();
  const h = utc ? d.getUTCHours() : d.getHours();
  const mi = utc ? d.getUTCMinutes() : d.getMinutes();
  const s = utc ? d.getUTCSeconds() : d.getSeconds();
  const msPart = utc ? d.getUTCMilliseconds() : d.getMilliseconds();
  return `${y}-${pad(mo)}-${pad(da)} ${pad(h)}:${pad(mi)}:${pad(s)}.${pad(msPart, 3)}${utc ? 'Z' : ''}`;
}

/** "12 s ago", "3 min ago", "2 h ago", "4 d ago". */
export function formatAgo(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** Epoch nanoseconds (as the API sends them) to epoch milliseconds. */
export function nsToMs(ns: string | bigint): number {
  try {
    return Number(BigInt(ns) / 1_000_000n);
  } catch {
    return Number.NaN;
  }
}

/** Attribute values as plain text: strings verbatim, everything else as JSON. */
export function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  try {
    return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return String(value);
  }
}

/** A search total for display: "1,234", or "10,000+" when the server stopped counting there. */
export function formatTotal(total: number, capped: boolean): string {
  return `${total.toLocaleString('en-US')}${capped ? '+' : ''}`;
}
