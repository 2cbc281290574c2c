/**
 * The search form's state and its URL form. The URL is the source of truth,
 * so that every search is a link one can share; the same query string is
 * passed through to /api/tw/search.
 */
export const LOOKBACKS = ['15m', '1h', '6h', '24h', '7d'] as const;
export const SORTS = ['recent', 'longest', 'spans'] as const;
export const KINDS = ['server', 'client', 'producer', 'consumer', 'internal'] as const;

export type SortOrder = (typeof SORTS)[number];

export interface SearchForm {
  service: string; // '' = all services
  operation: string;
  attrs: string[];
  kind: string;
  errorsOnly: boolean;
  text: string;
  minDuration: string;
  maxDuration: string;
  /** A LOOKBACKS value or 'custom'. */
  lookback: string;
  /** Custom range, ms since epoch (only with lookback = custom). */
  start: number | undefined;
  end: number | undefined;
  limit: number;
  offset: number;
  sort: SortOrder;
}

export const DEFAULT_LIMIT = 20;

export function defaultForm(): SearchForm {
  return {
    service: '',
    operation: '',
    attrs: [],
    kind: '',
    errorsOnly: false,
    text: '',
    minDuration: '',
    maxDuration: '',
    lookback: '1h',
    start: undefined,
    end: undefined,
    limit: DEFAULT_LIMIT,
    offset: 0,
    sort: 'recent',
  };
}

function int(value: string | null, fallback: number, min: number, max: number): number {
  const n = value === null ? Number.NaN : Number.parseInt(value, 10);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

export function formFromQuery(q: URLSearchParams): SearchForm {
  const f = defaultForm();
  f.service = q.get('service') ?? '';
  f.operation = q.get('operation') ?? '';
  f.attrs = q.getAll('attr').filter((a) => a.trim() !== '');
  f.kind = q.get('kind') ?? '';
  f.errorsOnly = q.get('status') === 'error';
  f.text = q.get('q') ?? '';
  f.minDuration = q.get('minDuration') ?? '';
  f.maxDuration = q.get('maxDuration') ?? '';
  const start = q.get('start');
  const end = q.get('end');
  if (start || end) {
    f.lookback = 'custom';
    f.start = start ? Number(start) : undefined;
    f.end = end ? Number(end) : undefined;
  } else {
    f.lookback = q.get('lookback') ?? f.lookback;
  }
  f.limit = int(q.get('limit'), DEFAULT_LIMIT, 1, 500);
  f.offset = int(q.get('offset'), 0, 0, 1_000_000);
  const sort = q.get('sort');
  f.sort = (SORTS as readonly string[]).includes(sort ?? '') ? (sort as SortOrder) : 'recent';
  return f;
}

export function queryFromForm(f: SearchForm): URLSearchParams {
  const q = new URLSearchParams();
  if (f.service) q.set('service', f.service);
  if (f.operation) q.set('operation', f.operation);
  for (const a of f.attrs) if (a.trim()) q.append('attr', a.trim());
  if (f.kind) q.set('kind', f.kind);
  if (f.errorsOnly) q.set('status', 'error');
  if (f.text.trim()) q.set('q', f.text.trim());
  if (f.minDuration.trim()) q.set('minDuration', f.minDuration.trim());
  if (f.maxDuration.trim()) q.set('maxDuration', f.maxDuration.trim());
  if (f.lookback === 'custom') {
    if (f.start !== undefined && Number.isFinite(f.start)) q.set('start', String(Math.round(f.start)));
    if (f.end !== undefined && Number.isFinite(f.end)) q.set('end', String(Math.round(f.end)));
  } else if (f.lookback) {
    q.set('lookback', f.lookback);
  }
  if (f.limit !== DEFAULT_LIMIT) q.set('limit', String(f.limit));
  if (f.offset > 0) q.set('offset', String(f.offset));
  if (f.sort !== 'recent') q.set('sort', f.sort);
  return q;
}

/** A trace id typed or pasted into the "find by id" box, normalised; undefined if it is not one. */
export function parseTraceId(input: string): string | undefined {
  const id = input.trim().toLowerCase();
  return /^[0-9a-f]{1,32}$/.test(id) ? id.padStart(32, '0') : undefined;
}
