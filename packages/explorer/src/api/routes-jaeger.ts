/**
 * Jaeger query v1 (what Grafana's Jaeger data source and Jaeger UI call):
 * `/api/services`, `/api/services/{service}/operations`, `/api/operations`,
 * `/api/traces`, `/api/traces/{id}`, `/api/dependencies`. Shapes in
 * `query/jaeger-v1.ts`; docs/explorer.md, "Jaeger query v1".
 */
import { KIND_NAMES } from '../model.ts';
import { parseJaegerSearch, toJaegerTrace, wrap } from '../query/jaeger-v1.ts';
import { ParamError, many, one, parseMillis } from '../query/params.ts';
import { parseKind } from '../query/search.ts';
import { type ApiContext, type ApiRequest, type Route, pathParam, routeTable } from './route.ts';
import { json } from './respond.ts';
import { type LoadedTrace, normalizeTraceId } from './trace-ids.ts';

/** Traces one `/api/traces?traceID=…` request may ask for (each is read and converted whole). */
export const MAX_TRACE_IDS = 32;

const HOUR_NS = 3_600_000_000_000n;

async function operationsOfService(ctx: ApiContext, req: ApiRequest): Promise<void> {
  const ops = await ctx.store.operations(pathParam(req, 1, 'service'));
  json(req.res, 200, wrap([...new Set(ops.map((o) => o.name))]));
}

async function operations(ctx: ApiContext, { params, res }: ApiRequest): Promise<void> {
  const service = one(params, 'service');
  if (service === undefined) throw new ParamError('service', 'service is required');
  const kindRaw = one(params, 'spanKind');
  const kind = kindRaw !== undefined ? parseKind(kindRaw, 'spanKind') : undefined;
  const ops = (await ctx.store.operations(service)).filter((o) => kind === undefined || o.kind === kind);
  json(res, 200, wrap(ops.map((o) => ({ name: o.name, spanKind: o.kind === 0 ? '' : (KIND_NAMES[o.kind] ?? '').toLowerCase() }))));
}

/** `traceID=` (repeated) reads those traces; otherwise a search. */
async function traces(ctx: ApiContext, { params, res }: ApiRequest): Promise<void> {
  const ids = many(params, 'traceID', MAX_TRACE_IDS).map((raw) => normalizeTraceId(raw, 'traceID'));
  const wanted = ids.length ? ids : (await ctx.store.search(parseJaegerSearch(params))).traces.map((t) => t.traceId);
  const found: LoadedTrace[] = [];
  for (const id of wanted) {
    const spans = await ctx.store.getTrace(id);
    if (spans) found.push({ id, spans });
  }
  json(res, 200, wrap(found.map((t) => toJaegerTrace(t.id, t.spans))));
}

async function trace(ctx: ApiContext, req: ApiRequest): Promise<void> {
  const id = normalizeTraceId(pathParam(req, 1, 'traceId'));
  const spans = await ctx.store.getTrace(id);
  if (!spans) {
    json(req.res, 404, { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 404, msg: 'trace not found' }] });
    return;
  }
  json(req.res, 200, wrap([toJaegerTrace(id, spans)]));
}

/** Caller → callee call counts from the service map's edges (`endTs`, `lookback` in ms). */
async function dependencies(ctx: ApiContext, { params, res }: ApiRequest): Promise<void> {
  const endTs = one(params, 'endTs');
  const endNs = endTs !== undefined ? parseMillis('endTs', endTs) : undefined;
  const lb = one(params, 'lookback');
  const lookbackNs = lb !== undefined ? parseMillis('lookback', lb) : HOUR_NS;
  const map = await ctx.maps.get({ lookbackNs, ...(endNs !== undefined ? { endNs } : {}) });
  const deps = new Map<string, { parent: string; child: string; callCount: number }>();
  for (const e of map.edges) {
    const key = `${e.from}\u0000${e.to}`;
    const d = deps.get(key) ?? { parent: e.from, child: e.to, callCount: 0 };
    d.callCount += e.count;
    deps.set(key, d);
  }
  json(res, 200, wrap([...deps.values()]));
}

export function jaegerRoutes(ctx: ApiContext): Route[] {
  return routeTable(ctx, [
    [/^\/api\/services$/, async (c, { res }) => json(res, 200, wrap(await c.store.services()))],
    [/^\/api\/services\/([^/]+)\/operations$/, operationsOfService],
    [/^\/api\/operations$/, operations],
    [/^\/api\/traces$/, traces],
    [/^\/api\/traces\/([^/]+)$/, trace],
    [/^\/api\/dependencies$/, dependencies],
  ]);
}
