/**
 * Live updates as server-sent events, driven by the receivers' TraceFeed:
 *
 * - `GET /api/tw/live?<search params>`: `event: search`, data a SearchResponse
 *   (the `/api/tw/search` shape), once on connect and again whenever a stored
 *   batch changes the answer (at most once per `minIntervalMs`).
 * - `GET /api/tw/live/traces/{id}`: `event: spans`, data `{traceId}`, when
 *   spans of that trace were stored (at most once per `minIntervalMs`); the
 *   page then reloads the trace, which it does once on connect too.
 *
 * These run behind the server's host check, token and method checks like every
 * route. Bounds (docs/reliability.md): `maxClients` streams at once (503 +
 * Retry-After beyond), a heartbeat, and each stream ends when its client goes.
 */
import { parseSearchParams } from '../query/search.ts';
import type { TraceFeed } from '../receive/trace-feed.ts';
import { DEFAULT_LIVE_LIMITS, type LiveLimits, LiveStream, throttled } from './live-stream.ts';
import { json } from './respond.ts';
import { type ApiContext, type ApiRequest, type Route, pathParam, routeTable } from './route.ts';
import { searchResponse } from './routes-tw.ts';
import { normalizeTraceId } from './trace-ids.ts';

interface Hub {
  feed: TraceFeed;
  limits: LiveLimits;
  open: Set<LiveStream>;
}

/** A stream for `res`, or undefined after answering 503 (too many) or a bare HEAD. */
function openStream(hub: Hub, { res }: ApiRequest): LiveStream | undefined {
  if (hub.open.size >= hub.limits.maxClients) {
    json(res, 503, { error: `too many live streams (${hub.limits.maxClients}); close another tab or retry later` }, { 'retry-after': '10' });
    return undefined;
  }
  if (res.req.method === 'HEAD') {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' }).end();
    return undefined;
  }
  const stream = new LiveStream(res, hub.limits.heartbeatMs);
  hub.open.add(stream);
  stream.onClose(() => hub.open.delete(stream));
  stream.onClose(hub.feed.subscribe(() => undefined, () => stream.close()));
  return stream;
}

async function liveSearch(hub: Hub, ctx: ApiContext, req: ApiRequest): Promise<void> {
  // Bad parameters are a 400 before the stream opens; the query is re-parsed per run so a lookback window moves.
  parseSearchParams(req.params);
  const first = await searchResponse(ctx, req.params);
  const stream = openStream(hub, req);
  if (!stream) return;
  let last = JSON.stringify(first);
  stream.send('search', first);
  const rerun = throttled(async () => {
    try {
      const next = await searchResponse(ctx, req.params);
      const text = JSON.stringify(next);
      if (text !== last && stream.isOpen) {
        last = text;
        stream.send('search', next);
      }
    } catch {
      // The store could not answer now (busy, unavailable): the next stored batch tries again.
      stream.send('unavailable', { error: 'the search could not run; retrying on the next change' });
    }
  }, hub.limits.minIntervalMs);
  stream.onClose(() => rerun.stop());
  stream.onClose(hub.feed.subscribe(() => rerun.poke()));
}

async function liveTrace(hub: Hub, _ctx: ApiContext, req: ApiRequest): Promise<void> {
  const traceId = normalizeTraceId(pathParam(req, 1, 'traceId'));
  const stream = openStream(hub, req);
  if (!stream) return;
  const tell = throttled(async () => stream.send('spans', { traceId }), hub.limits.minIntervalMs);
  stream.onClose(() => tell.stop());
  stream.onClose(
    hub.feed.subscribe((ids) => {
      for (const id of ids) {
        if (id.toLowerCase() === traceId) return tell.poke();
      }
    }),
  );
}

/** No feed (an API server without receivers): no live routes, so clients fall back to polling on the 404. */
export function liveRoutes(ctx: ApiContext, feed: TraceFeed | undefined, limits: Partial<LiveLimits> = {}): Route[] {
  if (!feed) return [];
  const hub: Hub = { feed, limits: { ...DEFAULT_LIVE_LIMITS, ...limits }, open: new Set() };
  return routeTable(ctx, [
    [/^\/api\/tw\/live$/, (c, r) => liveSearch(hub, c, r)],
    [/^\/api\/tw\/live\/traces\/([^/]+)$/, (c, r) => liveTrace(hub, c, r)],
  ]);
}
