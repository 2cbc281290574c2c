/**
 * The query API and the UI on one port. Routes: Jaeger v1 (`/api/services`,
 * `/api/services/{s}/operations`, `/api/operations`, `/api/traces`,
 * `/api/traces/{id}`, `/api/dependencies`) and Tracewire's `/api/tw/*`.
 * Bad parameters answer 400 {error, parameter}; everything else not under
 * /api is the UI.
 */
import http from 'node:http';
import type { SearchResponse } from './api-types.ts';
import type { StoredSpan } from './model.ts';
import { KIND_NAMES } from './model.ts';
import { parseJaegerSearch, toJaegerTrace, wrap } from './query/jaeger-v1.ts';
import { traceToOtlpJson } from './query/otlp-json.ts';
import { ParamError, one, parseDuration } from './query/params.ts';
import { parseKind, parseSearchParams } from './query/search.ts';
import { buildServiceMap } from './query/service-map.ts';
import { ServiceMapCache } from './query/service-map-cache.ts';
import { traceView } from './query/trace-tree.ts';
import { type Auth, sendUnauthorizedJson } from './security/auth.ts';
import { corsHeaders, sendPreflight } from './security/cors.ts';
import { handleLogin, sendLoginPage } from './security/ui-login.ts';
import { serveStatic } from './static-files.ts';
import { type Store, StoreUnavailableError } from './store/store.ts';

export interface ApiServerOptions {
  store: Store;
  uiDir: string;
  version: string;
  /** Traces read at most for the service map and dependencies. */
  mapMaxTraces?: number;
  /** How long a computed service map is reused (ms; 0 = never). Default 5,000. */
  serviceMapCacheMs?: number;
  onError?: (err: Error) => void;
  /** Token check; absent = open (loopback only, enforced by startExplorer). */
  auth?: Auth;
  /** The one origin allowed to read the API cross-origin; default none. */
  corsOrigin?: string;
}

/** Query requests are GETs: any body at all is refused, so none is buffered. */
function hasBody(req: http.IncomingMessage): boolean {
  return Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
}

function authorized(auth: Auth | undefined, req: http.IncomingMessage): boolean {
  if (!auth?.enabled) return true;
  return auth.checkAuthorization(req.headers.authorization) || auth.checkCookie(req.headers.cookie);
}

const TRACE_ID = /^[0-9a-fA-F]{1,32}$/;

class NotFound extends Error {}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

/** Jaeger and OTLP ids are 32 hex digits; shorter ids are left-padded as Jaeger does. */
function normalizeTraceId(raw: string): string {
  if (!TRACE_ID.test(raw)) throw new ParamError('traceId', 'traceId must be up to 32 hex digits');
  return raw.toLowerCase().padStart(32, '0');
}

async function loadTrace(store: Store, rawId: string): Promise<{ id: string; spans: StoredSpan[] }> {
  const id = normalizeTraceId(rawId);
  const spans = await store.getTrace(id);
  if (!spans) throw new NotFound(`trace ${id} not found`);
  return { id, spans };
}

type Route = (p: URLSearchParams, m: RegExpMatchArray, res: http.ServerResponse) => Promise<void>;

export function createApiServer(opts: ApiServerOptions): http.Server {
  const { store } = opts;
  const mapMax = opts.mapMaxTraces ?? 5000;
  const maps = new ServiceMapCache(
    async (since, until) => buildServiceMap(await store.recentTraces(since, until, mapMax)),
    opts.serviceMapCacheMs ?? 5000,
  );
  const routes: Array<[RegExp, Route]> = [
    [/^\/api\/services$/, async (_p, _m, res) => json(res, 200, wrap(await store.services()))],
    [
      /^\/api\/services\/([^/]+)\/operations$/,
      async (_p, m, res) => {
        const ops = await store.operations(decodeURIComponent(m[1] as string));
        json(res, 200, wrap([...new Set(ops.map((o) => o.name))]));
      },
    ],
    [
      /^\/api\/operations$/,
      async (p, _m, res) => {
        const service = one(p, 'service');
        if (service === undefined) throw new ParamError('service', 'service is required');
        const kindRaw = one(p, 'spanKind');
        const kind = kindRaw !== undefined ? parseKind(kindRaw) : undefined;
        const ops = (await store.operations(service)).filter((o) => kind === undefined || o.kind === kind);
        json(res, 200, wrap(ops.map((o) => ({ name: o.name, spanKind: o.kind === 0 ? '' : (KIND_NAMES[o.kind] ?? '').toLowerCase() }))));
      },
    ],
    [
      /^\/api\/traces$/,
      async (p, _m, res) => {
        const ids = p.getAll('traceID').filter(Boolean);
        let found: Array<{ id: string; spans: StoredSpan[] }> = [];
        if (ids.length) {
          for (const raw of ids) {
            const id = normalizeTraceId(raw);
            const spans = await store.getTrace(id);
            if (spans) found.push({ id, spans });
          }
        } else {
          const result = await store.search(parseJaegerSearch(p));
          found = [];
          for (const t of result.traces) {
            const spans = await store.getTrace(t.traceId);
            if (spans) found.push({ id: t.traceId, spans });
          }
        }
        json(res, 200, wrap(found.map((t) => toJaegerTrace(t.id, t.spans))));
      },
    ],
    [
      /^\/api\/traces\/([^/]+)$/,
      async (_p, m, res) => {
        const id = normalizeTraceId(decodeURIComponent(m[1] as string));
        const spans = await store.getTrace(id);
        if (!spans) {
          json(res, 404, { data: null, total: 0, limit: 0, offset: 0, errors: [{ code: 404, msg: 'trace not found' }] });
          return;
        }
        json(res, 200, wrap([toJaegerTrace(id, spans)]));
      },
    ],
    [
      /^\/api\/dependencies$/,
      async (p, _m, res) => {
        const endTs = one(p, 'endTs');
        const endNs = endTs !== undefined ? msParam('endTs', endTs) : undefined;
        const lb = one(p, 'lookback');
        const lookbackNs = lb !== undefined ? msParam('lookback', lb) : 3_600_000_000_000n;
        const map = await maps.get({ lookbackNs, ...(endNs !== undefined ? { endNs } : {}) });
        const deps = new Map<string, { parent: string; child: string; callCount: number }>();
        for (const e of map.edges) {
          const key = `${e.from}\u0000${e.to}`;
          const d = deps.get(key) ?? { parent: e.from, child: e.to, callCount: 0 };
          d.callCount += e.count;
          deps.set(key, d);
        }
        json(res, 200, wrap([...deps.values()]));
      },
    ],
    [
      /^\/api\/tw\/search$/,
      async (p, _m, res) => {
        const q = parseSearchParams(p);
        const result = await store.search(q);
        json(res, 200, {
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
        } satisfies SearchResponse);
      },
    ],
    [
      /^\/api\/tw\/traces\/([^/]+)\/otlp$/,
      async (_p, m, res) => {
        const t = await loadTrace(store, decodeURIComponent(m[1] as string));
        json(res, 200, traceToOtlpJson(t.spans), { 'content-disposition': `attachment; filename="trace-${t.id}.json"` });
      },
    ],
    [
      /^\/api\/tw\/traces\/([^/]+)$/,
      async (_p, m, res) => {
        const t = await loadTrace(store, decodeURIComponent(m[1] as string));
        json(res, 200, traceView(t.id, t.spans));
      },
    ],
    [
      /^\/api\/tw\/service-map$/,
      async (p, _m, res) => {
        const lb = one(p, 'lookback');
        json(res, 200, await maps.get({ lookbackNs: lb !== undefined ? parseDuration('lookback', lb) : 3_600_000_000_000n }));
      },
    ],
    [/^\/api\/tw\/status$/, async (_p, _m, res) => json(res, 200, { version: opts.version, ...(await store.status()) })],
  ];

  const server = http.createServer({ maxHeaderSize: 16 * 1024 }, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'OPTIONS') {
      sendPreflight(res, opts.corsOrigin, req, 'GET, HEAD');
      return;
    }
    const isApi = url.pathname.startsWith('/api/');
    if (hasBody(req) && !(url.pathname === '/login' && req.method === 'POST')) {
      json(res, 413, { error: 'request bodies are not accepted here' }, { connection: 'close' });
      return;
    }
    const auth = opts.auth;
    if (auth?.enabled && (url.pathname === '/login' || !authorized(auth, req))) {
      if (isApi) {
        sendUnauthorizedJson(res);
        return;
      }
      handleLogin(auth, req, res, url).then(
        (answered) => {
          if (!answered) sendLoginPage(res);
        },
        (err: Error) => {
          opts.onError?.(err);
          if (!res.headersSent) json(res, 500, { error: 'internal error' });
        },
      );
      return;
    }
    for (const [k, v] of Object.entries(corsHeaders(opts.corsOrigin, req))) res.setHeader(k, v);
    if (!isApi) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      serveStatic(opts.uiDir, req, res, url.pathname);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      json(res, 405, { error: 'the query API is read-only: use GET' }, { allow: 'GET' });
      return;
    }
    const route = routes.find(([re]) => re.test(url.pathname));
    if (!route) {
      json(res, 404, { error: `no such endpoint ${url.pathname}` });
      return;
    }
    const m = url.pathname.match(route[0]) as RegExpMatchArray;
    route[1](url.searchParams, m, res).catch((err: Error) => {
      if (err instanceof ParamError) json(res, 400, { error: err.message, parameter: err.parameter });
      else if (err instanceof NotFound) json(res, 404, { error: err.message });
      else if (err instanceof StoreUnavailableError) json(res, 503, { error: err.message }, { 'retry-after': String(err.retryAfterSeconds) });
      else if (err instanceof URIError) json(res, 400, { error: 'malformed percent-encoding in the path', parameter: 'path' });
      else {
        opts.onError?.(err);
        if (!res.headersSent) json(res, 500, { error: 'internal error' });
      }
    });
  });
  // Slow clients cannot hold a request open for long (slowloris).
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  return server;
}

/** Jaeger's dependencies endpoint takes milliseconds. */
function msParam(name: string, raw: string): bigint {
  if (!/^\d{1,15}$/.test(raw)) throw new ParamError(name, `${name} must be milliseconds`);
  return BigInt(raw) * 1_000_000n;
}
