/**
 * The query API and the UI on one port. Routes: Jaeger v1 (`api/routes-jaeger.ts`)
 * and Tracewire's `/api/tw/*` (`api/routes-tw.ts`, live streams in `api/routes-live.ts`); everything else not under
 * /api is the UI (`static-files.ts`).
 *
 * Every request is hostile until proven otherwise: it passes, in order, the
 * request target (400), the host check against DNS rebinding (403,
 * `security/host-check.ts`), the no-body rule (413), the token (401 or the
 * login page) and the method (405) before a handler runs. No throw escapes:
 * the client's mistakes are 4xx, anything else 500 and `onError`. Limits and
 * the tests behind them: docs/reliability.md, "Query API limits".
 */
import http from 'node:http';
import { answerHalfClosedRequests } from './http-half-close.ts';
import { type ApiContext, type Route, findRoute } from './api/route.ts';
import { parseRequestTarget } from './api/request-target.ts';
import { json, sendError } from './api/respond.ts';
import { jaegerRoutes } from './api/routes-jaeger.ts';
import { twRoutes } from './api/routes-tw.ts';
import { liveRoutes } from './api/routes-live.ts';
import type { LiveLimits } from './api/live-stream.ts';
import type { TraceFeed } from './receive/trace-feed.ts';
import { buildServiceMap } from './query/service-map.ts';
import { ServiceMapCache } from './query/service-map-cache.ts';
import { type Auth, sendUnauthorizedJson } from './security/auth.ts';
import { corsHeaders, sendPreflight } from './security/cors.ts';
import { refuseForeignHost } from './security/host-check.ts';
import { handleLogin, sendLoginPage } from './security/ui-login.ts';
import { serveStatic } from './static-files.ts';
import type { Store } from './store/store.ts';

export interface ApiServerOptions {
  store: Store;
  uiDir: string;
  version: string;
  /** Traces read at most for the service map and dependencies. */
  mapMaxTraces?: number;
  /** How long a computed service map is reused (ms; 0 = never). Default 5,000. */
  serviceMapCacheMs?: number;
  onError?: (err: Error) => void;
  /** Token check and allowed hosts; absent = open, loopback names only (startExplorer enforces a loopback bind). */
  auth?: Auth;
  /** The one origin allowed to read the API cross-origin; default none. `*` is ignored here (it opens OTLP only). */
  corsOrigin?: string;
  /** Stored-trace notifications from the receivers: enables the live routes (`/api/tw/live*`). */
  feed?: TraceFeed;
  /** Bounds of the live streams (api/live-stream.ts DEFAULT_LIVE_LIMITS). */
  live?: Partial<LiveLimits>;
}

/**
 * Slow clients cannot hold a connection (slowloris): the headers must arrive
 * within 10 s and the whole request within 30 s (408 otherwise), an idle
 * keep-alive connection is closed after 5 s, a connection with no traffic
 * either way after 60 s. Node checks the first two every `checkEveryMs`.
 */
export const API_TIMEOUTS = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000, idleSocketMs: 60_000, checkEveryMs: 1_000 } as const;
/** Request line plus headers (431 beyond). */
export const API_MAX_HEADER_BYTES = 16 * 1024;

const CORS = { exactOnly: true } as const;

/** Query requests are GETs: any body at all is refused, so none is buffered. */
function hasBody(req: http.IncomingMessage): boolean {
  return Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
}

function authorized(auth: Auth | undefined, req: http.IncomingMessage): boolean {
  if (!auth?.enabled) return true;
  return auth.checkAuthorization(req.headers.authorization) || auth.checkCookie(req.headers.cookie);
}

function badTarget(res: http.ServerResponse): void {
  json(res, 400, { error: 'the request target must be a path starting with a single / (or an absolute http URL)', parameter: 'path' }, { connection: 'close' });
}

export function createApiServer(opts: ApiServerOptions): http.Server {
  const { store } = opts;
  const mapMax = opts.mapMaxTraces ?? 5000;
  const maps = new ServiceMapCache(
    async (since, until) => (store.serviceMap ? store.serviceMap(since, until) : buildServiceMap(await store.recentTraces(since, until, mapMax))),
    opts.serviceMapCacheMs ?? 5000,
  );
  const ctx: ApiContext = { store, version: opts.version, maps };
  const routes = [...jaegerRoutes(ctx), ...twRoutes(ctx), ...liveRoutes(ctx, opts.feed, opts.live)];

  const server = http.createServer({ maxHeaderSize: API_MAX_HEADER_BYTES, connectionsCheckingInterval: API_TIMEOUTS.checkEveryMs }, (req, res) => {
    // Nothing a request carries may throw out of here (an uncaught exception ends the process).
    try {
      handle(opts, routes, req, res);
    } catch (err) {
      sendError(res, err, opts.onError);
    }
  });
  server.headersTimeout = API_TIMEOUTS.headersMs;
  server.requestTimeout = API_TIMEOUTS.requestMs;
  server.keepAliveTimeout = API_TIMEOUTS.keepAliveMs;
  answerHalfClosedRequests(server);
  server.setTimeout(API_TIMEOUTS.idleSocketMs);
  return server;
}

function handle(opts: ApiServerOptions, routes: readonly Route[], req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = parseRequestTarget(req.url, req.method);
  if (!url) return badTarget(res);
  if (refuseForeignHost(opts.auth, req, res)) return;
  if (req.method === 'OPTIONS') return sendPreflight(res, opts.corsOrigin, req, 'GET, HEAD', CORS);
  const isApi = url.pathname.startsWith('/api/');
  if (hasBody(req) && !(url.pathname === '/login' && req.method === 'POST')) {
    return json(res, 413, { error: 'request bodies are not accepted here' }, { connection: 'close' });
  }
  const auth = opts.auth;
  if (auth?.enabled && (url.pathname === '/login' || !authorized(auth, req))) {
    if (isApi) return sendUnauthorizedJson(res);
    handleLogin(auth, req, res, url).then(
      (answered) => {
        if (!answered) sendLoginPage(res);
      },
      (err: unknown) => sendError(res, err, opts.onError),
    );
    return;
  }
  for (const [k, v] of Object.entries(corsHeaders(opts.corsOrigin, req, CORS))) res.setHeader(k, v);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    if (isApi) return json(res, 405, { error: 'the query API is read-only: use GET' }, { allow: 'GET' });
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  if (!isApi) return serveStatic(opts.uiDir, req, res, url.pathname);
  const found = findRoute(routes, url.pathname);
  if (!found) return json(res, 404, { error: `no such endpoint ${url.pathname}` });
  // A handler is async: its rejection is answered here, never left unhandled.
  found.route.handle({ params: url.searchParams, match: found.match, res }).catch((err: unknown) => sendError(res, err, opts.onError));
}
