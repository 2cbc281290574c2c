/**
 * The store's bounds on what one client can make it hold or do. Each resolves
 * as the explicit option, then the environment variable, then the default
 * (docs/reliability.md lists each with the test that proves it).
 */

export interface StoreLimits {
  /** Spans stored per trace; later spans of a full trace are refused (OTLP partial success). */
  maxSpansPerTrace: number;
  /** Distinct (service, span name, kind) listed per service; more are searchable but not listed. */
  maxOperationsPerService: number;
  /** Distinct services listed; operations of further services are searchable but not listed. */
  maxServices: number;
  /** Distinct operations listed over all services. */
  maxOperations: number;
  /**
   * Traces one search may examine (each probed against the filters). A search
   * needing more answers QueryBudgetError, or for newest-first pages the page
   * found among the newest this many traces of the window.
   */
  searchScanTraces: number;
}

export const DEFAULT_STORE_LIMITS: StoreLimits = {
  maxSpansPerTrace: 100_000,
  maxOperationsPerService: 10_000,
  maxServices: 10_000,
  maxOperations: 100_000,
  searchScanTraces: 100_000,
};

const ENV: Record<keyof StoreLimits, string> = {
  maxSpansPerTrace: 'TRACEWIRE_MAX_SPANS_PER_TRACE',
  maxOperationsPerService: 'TRACEWIRE_MAX_OPERATIONS_PER_SERVICE',
  maxServices: 'TRACEWIRE_MAX_SERVICES',
  maxOperations: 'TRACEWIRE_MAX_OPERATIONS',
  searchScanTraces: 'TRACEWIRE_SEARCH_SCAN_TRACES',
};

function positiveInt(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

/**
 * @example
 * resolveStoreLimits({ maxSpansPerTrace: 50_000 }, process.env).searchScanTraces // 100000 unless TRACEWIRE_SEARCH_SCAN_TRACES is set
 */
export function resolveStoreLimits(opts: Partial<StoreLimits> = {}, env: NodeJS.ProcessEnv = process.env): StoreLimits {
  const out = { ...DEFAULT_STORE_LIMITS };
  for (const key of Object.keys(ENV) as Array<keyof StoreLimits>) {
    const given = opts[key];
    const raw = env[ENV[key]];
    if (given !== undefined) out[key] = positiveInt(key, String(given));
    else if (raw !== undefined && raw !== '') out[key] = positiveInt(ENV[key], raw);
  }
  return out;
}
