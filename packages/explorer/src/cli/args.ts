/** CLI argument helpers: a UsageError (exit 2) and parsers for ports, sizes and durations. */
import { ParamError, parseDuration } from '../query/params.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

export function port(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d{1,5}$/.test(raw) || n > 65535) throw new UsageError(`--${flag} must be a port number 0-65535 (0 = any free port), got ${JSON.stringify(raw)}`);
  return n;
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };

export function size(flag: string, raw: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(raw.trim());
  const suffix = (m?.[2] ?? '').toLowerCase();
  // Own keys only: `--max-size 1constructor` must not find Object.prototype.
  const unit = Object.hasOwn(SIZE_UNITS, suffix) ? SIZE_UNITS[suffix] : undefined;
  if (!m || unit === undefined) throw new UsageError(`--${flag} must be a size like 500MB or 1GiB, got ${JSON.stringify(raw)}`);
  return Math.floor(Number(m[1]) * unit);
}

export function duration(flag: string, raw: string): bigint {
  try {
    return parseDuration(flag, raw);
  } catch (err) {
    if (err instanceof ParamError) throw new UsageError(`--${flag} must be a duration like 15m, 1h or 7d, got ${JSON.stringify(raw)}`);
    throw err;
  }
}

export function apiBase(raw: string | undefined): string {
  const base = raw ?? process.env.TRACEWIRE_API ?? 'http://127.0.0.1:16686';
  try {
    const u = new URL(base);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
  } catch {
    throw new UsageError(`--api must be an http(s) URL, got ${JSON.stringify(base)}`);
  }
  return base.replace(/\/+$/, '');
}

/** GET JSON from the explorer API with a readable error for each failure. */
export async function apiGet<T>(url: string): Promise<{ status: number; body: T }> {
  let res: Response;
  try {
    const token = process.env.TRACEWIRE_TOKEN;
    res = await fetch(url, {
      signal: AbortSignal.timeout(15_000),
      headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
  } catch {
    throw new Error(`cannot reach the explorer at ${new URL(url).origin}: is \`tracewire explorer\` running? (set --api)`);
  }
  const text = await res.text();
  if (res.status === 401) throw new Error(`the explorer at ${new URL(url).origin} needs its token: set TRACEWIRE_TOKEN`);
  try {
    return { status: res.status, body: JSON.parse(text) as T };
  } catch {
    throw new Error(`unexpected answer (${res.status}) from ${url}`);
  }
}
