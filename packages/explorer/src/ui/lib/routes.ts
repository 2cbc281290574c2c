/** URL <-> page. Paths: /search?..., /trace/:id?span=<spanId>, /map, /compare?a=<id>&b=<id>, /open. */
export type Route =
  | { page: 'search'; query: URLSearchParams }
  | { page: 'trace'; traceId: string; spanId: string | undefined }
  | { page: 'map'; query: URLSearchParams }
  | { page: 'compare'; a: string; b: string }
  | { page: 'open' }
  | { page: 'notfound'; path: string };

export function parseRoute(pathname: string, search: string): Route {
  const query = new URLSearchParams(search);
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/' || path === '/search') return { page: 'search', query };
  if (path === '/map') return { page: 'map', query };
  if (path === '/compare') return { page: 'compare', a: query.get('a') ?? '', b: query.get('b') ?? '' };
  if (path === '/open') return { page: 'open' };
  const m = /^\/trace\/([^/]+)$/.exec(path);
  if (m) {
    let traceId: string;
    try {
      traceId = decodeURIComponent(m[1]!);
    } catch {
      return { page: 'notfound', path };
    }
    return { page: 'trace', traceId, spanId: query.get('span') ?? undefined };
  }
  return { page: 'notfound', path };
}

export function traceHref(traceId: string, spanId?: string): string {
  const base = `/trace/${encodeURIComponent(traceId)}`;
  return spanId ? `${base}?span=${encodeURIComponent(spanId)}` : base;
}

/** The comparison of trace `a` (the baseline) with trace `b`. */
export function compareHref(a: string, b: string): string {
  return `/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`;
}
