/**
 * Loads a trace and keeps it current while spans may still arrive: while the
 * newest span ended less than LIVE_WINDOW_MS ago (or the id is not stored
 * yet, for up to NOT_FOUND_WAIT_MS), the page listens to
 * `/api/tw/live/traces/{id}` and reloads the trace when the explorer stores
 * spans of it (and once when the stream opens, for spans stored before).
 * Without the stream (an explorer without live routes, or too many streams
 * open: 404/503) it polls every POLL_MS instead.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { TraceView } from '../../../api-types.ts';
import { ApiError } from '../../api.ts';
import { type AsyncState, useAsync } from '../../components/use-async.ts';
import { useEventStream } from '../../components/use-event-stream.ts';
import { loadTrace, openedTrace } from '../../local-traces.ts';

/** Keep listening while the newest span ended less than this long ago: more may still arrive. */
export const LIVE_WINDOW_MS = 30_000;
const NOT_FOUND_WAIT_MS = 15_000;
const POLL_MS = 2_500;

export interface LiveTrace {
  state: AsyncState<TraceView>;
  /** Spans may still arrive: the view follows them. */
  live: boolean;
  notFound: boolean;
  /** Not found, and still waiting for the first spans. */
  waiting: boolean;
}

/** When the newest span ended: spans come sorted by start, and the summary's duration runs from the first start to the last end. */
function newestEndMs(trace: TraceView | undefined): number {
  const first = trace?.spans[0];
  if (!trace || !first) return 0;
  try {
    return Number((BigInt(first.startNs) + BigInt(trace.summary.durationNs)) / 1_000_000n);
  } catch {
    return 0;
  }
}

export function useLiveTrace(traceId: string): LiveTrace {
  const [reload, setReload] = useState(0);
  const [now, setNow] = useState(() => Date.now());
  const [mountedAt] = useState(() => Date.now());
  const state = useAsync((signal) => loadTrace(traceId, signal), [traceId, reload]);
  const fromFile = openedTrace(traceId) !== undefined;
  const endMs = useMemo(() => newestEndMs(state.data), [state.data]);
  const notFound = state.status === 'error' && state.error instanceof ApiError && state.error.status === 404;
  const live = !fromFile && Boolean(state.data) && now - endMs < LIVE_WINDOW_MS;
  const waiting = !fromFile && notFound && now - mountedAt < NOT_FOUND_WAIT_MS;
  const follow = live || waiting;

  // Re-check the windows when they end, so the stream closes without a reload.
  useEffect(() => {
    const until = Math.min(live ? endMs + LIVE_WINDOW_MS : Infinity, waiting ? mountedAt + NOT_FOUND_WAIT_MS : Infinity);
    if (!Number.isFinite(until)) return;
    const t = setTimeout(() => setNow(Date.now()), Math.max(0, until - Date.now()) + 50);
    return () => clearTimeout(t);
  }, [live, waiting, endMs]);

  const stream = useEventStream(follow ? `/api/tw/live/traces/${encodeURIComponent(traceId)}` : undefined, {
    spans: () => setReload((n) => n + 1),
  });
  useEffect(() => {
    if (stream === 'open') setReload((n) => n + 1);
  }, [stream]);
  // The fallback: poll while following and the stream is refused.
  useEffect(() => {
    if (!follow || stream !== 'failed' || state.status === 'loading') return;
    const t = setTimeout(() => {
      setNow(Date.now());
      setReload((n) => n + 1);
    }, POLL_MS);
    return () => clearTimeout(t);
  }, [follow, stream, state.status, reload]);

  return { state, live, notFound, waiting };
}
