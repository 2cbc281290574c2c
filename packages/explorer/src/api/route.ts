/**
 * The query API as a table: each route a path pattern and a small handler.
 * Handlers throw ParamError / NotFoundError for the client's mistakes; the
 * server maps them (respond.ts).
 */
import type http from 'node:http';
import { ParamError, checkLength } from '../query/params.ts';
import type { ServiceMapCache } from '../query/service-map-cache.ts';
import type { Store } from '../store/store.ts';

/** What handlers share: built once per server. */
export interface ApiContext {
  store: Store;
  version: string;
  maps: ServiceMapCache;
}

export interface ApiRequest {
  params: URLSearchParams;
  /** The path pattern's match: `match[1]` is the first path parameter, still percent-encoded. */
  match: RegExpMatchArray;
  res: http.ServerResponse;
}

export interface Route {
  pattern: RegExp;
  handle(req: ApiRequest): Promise<void>;
}

export type Handler = (ctx: ApiContext, req: ApiRequest) => Promise<void>;

/** A route table from `[pattern, handler]` pairs, the handlers bound to `ctx`. */
export function routeTable(ctx: ApiContext, table: ReadonlyArray<readonly [RegExp, Handler]>): Route[] {
  return table.map(([pattern, handle]) => ({ pattern, handle: (req) => handle(ctx, req) }));
}

export function findRoute(routes: readonly Route[], pathname: string): { route: Route; match: RegExpMatchArray } | undefined {
  for (const route of routes) {
    const match = pathname.match(route.pattern);
    if (match) return { route, match };
  }
  return undefined;
}

/** Path parameter `index`, percent-decoded and bounded like a query parameter. */
export function pathParam(req: ApiRequest, index: number, name: string): string {
  let value: string;
  try {
    value = decodeURIComponent(req.match[index] ?? '');
  } catch {
    throw new ParamError(name, `${name} in the path has malformed percent-encoding`);
  }
  return checkLength(name, value);
}
