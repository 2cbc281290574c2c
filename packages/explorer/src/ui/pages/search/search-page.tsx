import { useMemo, useState } from 'preact/hooks';
import { ApiError, searchTraces } from '../../api.ts';
import { useAsync } from '../../components/use-async.ts';
import { formatTotal, type TimeZoneMode } from '../../lib/format.ts';
import { formFromQuery, queryFromForm, SORTS, type SearchForm, type SortOrder } from '../../lib/search-query.ts';
import { compareHref } from '../../lib/routes.ts';
import { navigate } from '../../router.tsx';
import { LiveControl, useLiveSearch } from './live-control.tsx';
import { ResultsList } from './results-list.tsx';
import { useResultKeys } from './use-result-keys.ts';
import { ResultsScatter } from './results-scatter.tsx';
import { SearchFormPanel } from './search-form.tsx';
import './search.css';

const SORT_LABELS: Record<SortOrder, string> = { recent: 'Most recent', longest: 'Longest first', spans: 'Most spans' };

function go(form: SearchForm): void {
  const q = queryFromForm(form).toString();
  navigate(`/search${q ? `?${q}` : ''}`);
}

export function SearchPage({ query, tz }: { query: URLSearchParams; tz: TimeZoneMode }) {
  const key = query.toString();
  const form = useMemo(() => formFromQuery(query), [key]);
  const apiQuery = useMemo(() => queryFromForm(form), [form]);
  const result = useAsync((signal) => searchTraces(apiQuery, signal), [apiQuery.toString()]);
  const live = useLiveSearch(apiQuery.toString());
  // Live mode shows the stream's answers once the first one is in.
  const data = live.on && live.shown ? live.shown : result.data;
  const active = useResultKeys(data?.traces ?? [], live);
  const pageEnd = data ? data.offset + data.traces.length : 0;
  // Past the count bound the last page is the first one that comes back short.
  const hasNext = data ? (data.totalCapped ? data.traces.length === data.limit : pageEnd < data.total) : false;
  // Two ticked results make a comparison; a third tick drops the oldest.
  const [picked, setPicked] = useState<string[]>([]);
  const pick = (id: string): void => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id].slice(-2)));

  return (
    <div class="tw-search">
      <aside class="tw-search-side">
        <SearchFormPanel initial={form} onSubmit={go} invalid={result.status === 'error' && result.error instanceof ApiError ? result.error.parameter : undefined} />
      </aside>
      <section class="tw-search-results">
        <div class="tw-results-toolbar">
          <span class="tw-results-count">
            {data ? (
              <>
                <strong>{formatTotal(data.total, data.totalCapped)}</strong> trace{data.total === 1 && !data.totalCapped ? '' : 's'}
                {data.total > 0 && (
                  <span class="tw-muted">
                    {' '}· showing {data.offset + 1}–{pageEnd}
                  </span>
                )}
              </>
            ) : result.status === 'error' ? (
              'Search failed'
            ) : (
              'Searching…'
            )}
            {result.status === 'loading' && data && <span class="tw-spinner" aria-label="loading" />}
          </span>
          {picked.length > 0 && (
            <span class="tw-inline tw-compare-picked">
              {picked.length === 2 ? 'Two traces selected' : 'Select one more trace to compare'}
              <button class="tw-primary" disabled={picked.length !== 2} onClick={() => navigate(compareHref(picked[0]!, picked[1]!))}>
                Compare
              </button>
              <button onClick={() => setPicked([])}>Clear</button>
            </span>
          )}
          <LiveControl live={live} />
          <label class="tw-inline">
            Sort
            <select name="sort" value={form.sort} onChange={(e) => go({ ...form, sort: e.currentTarget.value as SortOrder, offset: 0 })}>
              {SORTS.map((s) => (
                <option value={s}>{SORT_LABELS[s]}</option>
              ))}
            </select>
          </label>
        </div>
        {result.status === 'error' && (
          <div class="tw-error-box" role="alert">
            {result.error.message}
          </div>
        )}
        {data && data.traces.length === 0 && result.status === 'ok' && (
          <div class="tw-empty">
            No traces match. Widen the time range, or send spans to the explorer (OTLP on :4317 gRPC or :4318 HTTP).
          </div>
        )}
        {data && data.traces.length > 0 && <ResultsScatter traces={data.traces} tz={tz} />}
        {data && data.traces.length > 0 && <ResultsList traces={data.traces} tz={tz} picked={picked} onPick={pick} activeId={active} fresh={live.fresh} />}
        {data && (data.total > data.limit || data.totalCapped || data.offset > 0) && (
          <div class="tw-pager">
            <button disabled={data.offset === 0} onClick={() => go({ ...form, offset: Math.max(0, data.offset - data.limit) })}>
              ← Previous
            </button>
            <span>
              Page {Math.floor(data.offset / data.limit) + 1} of {formatTotal(Math.ceil(data.total / data.limit), data.totalCapped)}
            </span>
            <button disabled={!hasNext} onClick={() => go({ ...form, offset: data.offset + data.limit })}>
              Next →
            </button>
          </div>
        )}
      </section>
    </div>
  );
}
