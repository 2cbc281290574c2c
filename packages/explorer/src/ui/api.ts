/**
 * The one place the UI talks to the server: typed fetches that turn HTTP
 * failures and timeouts into readable messages instead of thrown TypeErrors.
 */
import type { CompactTraceView, Operation, SearchResponse, ServiceMap, TraceView } from '../api-types.ts';
import { expandCompactView } from './lib/compact-trace.ts';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly parameter?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const TIMEOUT_MS = 20_000;

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetch(path, { signal: combined, headers: { accept: 'application/json' } });
  } catch (err) {
    if (timeout.aborted) throw new ApiError(0, `The explorer did not answer within ${TIMEOUT_MS / 1000} s`);
    if (signal?.aborted) throw err;
    throw new ApiError(0, 'Cannot reach the explorer: is it still running?');
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    throw new ApiError(res.status, `Unexpected response (${res.status}) from ${path}`);
  }
  if (!res.ok) {
    const err = (body ?? {}) as { error?: unknown; parameter?: unknown };
    const message = typeof err.error === 'string' ? err.error : `Request failed with status ${res.status}`;
    throw new ApiError(res.status, message, typeof err.parameter === 'string' ? err.parameter : undefined);
  }
  return body as T;
}

export async function fetchServices(signal?: AbortSignal): Promise<string[]> {
  const body = await getJson<{ data: string[] | null }>('/api/services', signal);
  return [...(body.data ?? [])].sort((a, b) => a.localeCompare(b));
}

export async function fetchOperations(service: string, signal?: AbortSignal): Promise<Operation[]> {
  const body = await getJson<{ data: Operation[] | null }>(
    `/api/operations?service=${encodeURIComponent(service)}`,
    signal,
  );
  return body.data ?? [];
}

/** `query` is the search page's URL query string, passed through unchanged. */
export function searchTraces(query: URLSearchParams, signal?: AbortSignal): Promise<SearchResponse> {
  return getJson<SearchResponse>(`/api/tw/search?${query.toString()}`, signal);
}

/** In the compact shape: a third of the bytes to send and parse for a big trace. A server that ignores `shape` (the dev fixtures) answers the full one. */
export async function fetchTrace(traceId: string, signal?: AbortSignal): Promise<TraceView> {
  const body = await getJson<CompactTraceView | TraceView>(`/api/tw/traces/${encodeURIComponent(traceId)}?shape=compact`, signal);
  return 'shape' in body && body.shape === 'compact' ? expandCompactView(body) : (body as TraceView);
}

export function otlpDownloadUrl(traceId: string): string {
  return `/api/tw/traces/${encodeURIComponent(traceId)}/otlp`;
}

export function fetchServiceMap(lookback: string, signal?: AbortSignal): Promise<ServiceMap> {
  return getJson<ServiceMap>(`/api/tw/service-map?lookback=${encodeURIComponent(lookback)}`, signal);
}
