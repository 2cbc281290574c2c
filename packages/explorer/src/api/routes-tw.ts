/**
 * Tracewire's own API under `/api/tw/`: search, a trace as a tree with its
 * critical path, a trace as OTLP/JSON, the service map and status. Shapes in
 * `api-types.ts`; docs/explorer.md, "Tracewire extras".
 */
import type { SearchResponse } from '../api-types.ts';
import { traceToOtlpJson } from '../query/otlp-json.ts';
import { one, ParamError, parseDuration } from '../query/params.ts';
import { parseSearchParams } from '../query/search.ts';
import { traceView } from '../query/trace-view.ts';
import { compactTraceView } from '../query/trace-view-compact.ts';
import { type ApiContext, type ApiRequest, type Route, pathParam, routeTable } from './route.ts';
import { json } from './respond.ts';
import { loadTrace } from './trace-ids.ts';

const HOUR_NS = 3_600_000_000_000n;

/** The `/api/tw/search` answer; the live search stream sends the same shape. */
export async function searchResponse(ctx: ApiContext, params: URLSearchParams): Promise<SearchResponse> {
  const q = parseSearchParams(params);
  const result = await ctx.store.search(q);
  return {
    total: result.total,
    totalCapped: result.totalCapped,
    limit: q.limit,
    offset: q.offset,
    traces: result.traces.map((t) => ({
      traceId: t.traceId,
      rootService: t.rootService,
      rootName: t.rootName,
      startMs: Number(t.startNs / 1000n) / 1000,
      durationMs: Number(t.durationNs / 1000n) / 1000,
      spanCount: t.spanCount,
      errorCount: t.errorCount,
      services: t.services,
    })),
  };
}

async function search(ctx: ApiContext, { params, res }: ApiRequest): Promise<void> {
  json(res, 200, await searchResponse(ctx, params));
}

async function traceOtlp(ctx: ApiContext, req: ApiRequest): Promise<void> {
  const t = await loadTrace(ctx.store, pathParam(req, 1, 'traceId'));
  json(req.res, 200, traceToOtlpJson(t.spans), { 'content-disposition': `attachment; filename="trace-${t.id}.json"` });
}

/** `?shape=compact` (the web UI's): the same view with shared parts sent once (api-types.ts CompactTraceView). */
async function trace(ctx: ApiContext, req: ApiRequest): Promise<void> {
  const shape = one(req.params, 'shape') ?? 'full';
  if (shape !== 'full' && shape !== 'compact') throw new ParamError('shape', "shape must be 'full' or 'compact'");
  const t = await loadTrace(ctx.store, pathParam(req, 1, 'traceId'));
  json(req.res, 200, shape === 'compact' ? compactTraceView(t.id, t.spans) : traceView(t.id, t.spans));
}

async function serviceMap(ctx: ApiContext, { params, res }: ApiRequest): Promise<void> {
  const lb = one(params, 'lookback');
  json(res, 200, await ctx.maps.get({ lookbackNs: lb !== undefined ? parseDuration('lookback', lb) : HOUR_NS }));
}

async function status(ctx: ApiContext, { res }: ApiRequest): Promise<void> {
  json(res, 200, { version: ctx.version, ...(await ctx.store.status()) });
}

export function twRoutes(ctx: ApiContext): Route[] {
  return routeTable(ctx, [
    [/^\/api\/tw\/search$/, search],
    [/^\/api\/tw\/traces\/([^/]+)\/otlp$/, traceOtlp],
    [/^\/api\/tw\/traces\/([^/]+)$/, trace],
    [/^\/api\/tw\/service-map$/, serviceMap],
    [/^\/api\/tw\/status$/, status],
  ]);
}
