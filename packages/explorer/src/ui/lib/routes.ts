/** URL <-> page. Paths: /search?..., /trace/:id?view=<flame|stats>&span=<spanId>, /map, /compare?a=<id>&b=<id>, /open. */

/** The trace page's views; the waterfall is the default and leaves `view` out of the URL. */
export type TraceViewMode = 'waterfall' | 'flame' | 'stats';
const TRACE_VIEWS: readonly TraceViewMode[] = ['waterfall', 'flame', 'stats'];

export type Route =
  | { page: 'search'; query: URLSearchParams }
  | { page: 'trace'; traceId: string; spanId: string | undefined; view: TraceViewMode }
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
    const view = TRACE_VIEWS.find((v) => v === query.get('view')) ?? 'waterfall';
    return { page: 'trace', traceId, spanId: query.get('span') ?? undefined, view };
  }
  return { page: 'notfound', path };
}

/** A trace, a span selected in it, and the view it shows (`span` last, so a link still ends in the span id). */
export function traceHref(traceId: string, spanId?: string, view: TraceViewMode = 'waterfall'): string {
  const query = new URLSearchParams();
  if (view !== 'waterfall') query.set('view', view);
  if (spanId) query.set('span', spanId);
  const q = query.toString();
  return `/trace/${encodeURIComponent(traceId)}${q ? `?${q}` : ''}`;
}

/** The comparison of trace `a` (the baseline) with trace `b`. */
export function compareHref(a: string, b: string): string {
  return `/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`;
}
