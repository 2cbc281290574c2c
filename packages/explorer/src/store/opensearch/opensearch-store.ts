/**
 * The Store on OpenSearch, in Jaeger's index layout (layout.ts, jaeger-doc.ts). The process keeps
 * no state a query depends on, so any number of explorers can share one cluster: each ingests and
 * answers any query. `write()` resolves after OpenSearch acknowledged the bulk request: every item
 * is in the translog of the primary and of every in-sync replica (fsynced per request, OpenSearch's
 * default `index.translog.durability: request`). A failed item rejects the whole write with
 * StoreUnavailableError, so the exporter retries; the retry is harmless because span documents have
 * deterministic ids and are written with `create` (a span stored before answers 409, taken as done).
 */
import type { StoredSpan } from '../../model.ts';
import type { OperationInfo, SearchQuery, SearchResult, Store, StoreStatus, TraceSummary, WriteResult } from '../store.ts';
import { SEARCH_COUNT_CAP, StoreClosedError, StoreUnavailableError } from '../store.ts';
import { OpenSearchCalls, type SearchHit, isRetryable } from './client.ts';
import { conditions, driverQuery, namedQueries } from './conditions.ts';
import { type JaegerSpanDoc, type ServiceDoc, KIND_NAMES_LOWER, fromJaegerDoc, serviceDocId, toJaegerDoc, traceIdForms } from './jaeger-doc.ts';
import { IndexLayout, TRACEWIRE_SPAN_FIELDS } from './layout.ts';
import { LIGHT_FIELDS, type LightDoc, type LightSpan, compareSummaries, lightSpan, summarize, traceMatches } from './summaries.ts';
import { deleteDays, listDays } from './retention-days.ts';

const accepted = (): WriteResult => ({ rejected: 0, messages: [] });

export interface OpenSearchStoreOptions {
  /** Node URLs, e.g. ['http://127.0.0.1:9200']. */
  nodes: string[];
  /** Jaeger's index prefix (`--es.index-prefix`); default none. */
  indexPrefix?: string;
  shards?: number;
  /** Replicas of each new index; default 1 (a node may fail without losing acknowledged spans). */
  replicas?: number;
  /**
   * 'wait_for' (default): a write is acknowledged once its spans are also visible to search, so a
   * trace can be opened right after its export succeeded, as with SQLite. 'false': acknowledged
   * once durable, visible after the next refresh (1 s), at lower latency.
   */
  refresh?: 'wait_for' | 'false';
  searchCountCap?: number;
  requestTimeoutMs?: number;
}

/** A trace's spans may start up to this long after the trace started (the driver window's slack). */
const WINDOW_SLACK_US = 3_600_000_000;
const PAGE = 5000;
const TRACE_BATCH = 500;

interface BulkItem {
  status: number;
  error?: { type?: string; reason?: string };
}

export class OpenSearchStore implements Store {
  readonly layout: IndexLayout;
  private readonly os: OpenSearchCalls;
  private readonly refresh: 'wait_for' | 'false';
  private readonly countCap: number;
  private templatesReady: Promise<void> | undefined;
  /** Indices this process has created or found: saves two requests per write, holds no query state. */
  private readonly knownIndices = new Set<string>();
  private closed = false;

  constructor(opts: OpenSearchStoreOptions) {
    this.os = new OpenSearchCalls({ nodes: opts.nodes, ...(opts.requestTimeoutMs ? { requestTimeoutMs: opts.requestTimeoutMs } : {}) });
    this.layout = new IndexLayout({
      ...(opts.indexPrefix ? { prefix: opts.indexPrefix } : {}),
      ...(opts.shards ? { shards: opts.shards } : {}),
      replicas: opts.replicas ?? 1,
    });
    this.refresh = opts.refresh ?? 'wait_for';
    this.countCap = opts.searchCountCap ?? SEARCH_COUNT_CAP;
  }

  /** Puts the index templates (once per process, retried on the next write after a failure). */
  ensureTemplates(): Promise<void> {
    this.templatesReady ??= (async () => {
      for (const t of this.layout.templates()) {
        // Jaeger's own templates win when Jaeger created them first; ours adds only its field.
        await this.os.call('PUT', `/_template/${t.name}`, t.body, t.onlyIfAbsent ? { create: true } : undefined, t.onlyIfAbsent ? [400] : []);
      }
    })().catch((err: Error) => {
      this.templatesReady = undefined;
      throw err;
    });
    return this.templatesReady;
  }

  private async ensureIndex(index: string, span: boolean): Promise<void> {
    if (this.knownIndices.has(index)) return;
    // Creating an index needs the cluster manager: without one, fail fast (503) rather than wait 30 s.
    await this.os.call('PUT', `/${index}`, undefined, { cluster_manager_timeout: '3s', timeout: '3s' }, [400]);
    // An index created before our template (by Jaeger) gets the field too; without it, dynamic
    // mapping would index every attribute of the exact copy.
    if (span) await this.os.call('PUT', `/${index}/_mapping`, { properties: TRACEWIRE_SPAN_FIELDS });
    this.knownIndices.add(index);
  }

  /**
   * No per-trace span cap here: a trace's spans are documents spread over the cluster, so counting
   * them per write would be a search per trace; the receivers' per-request limits still apply.
   */
  async write(spans: StoredSpan[]): Promise<WriteResult> {
    if (this.closed) throw new StoreClosedError();
    if (spans.length === 0) return accepted();
    await this.ensureTemplates();
    const body: Array<Record<string, unknown>> = [];
    const services = new Map<string, { index: string; doc: ServiceDoc }>();
    const indices = new Map<string, boolean>();
    for (const s of spans) {
      const startMs = Number(BigInt(s.span.startTimeUnixNano) / 1_000_000n);
      const index = this.layout.spanIndex(startMs);
      indices.set(index, true);
      body.push({ create: { _index: index, _id: `${s.span.traceId}${s.span.spanId}` } }, toJaegerDoc(s) as unknown as Record<string, unknown>);
      const doc: ServiceDoc = { serviceName: s.service, operationName: s.span.name, spanKind: KIND_NAMES_LOWER[s.span.kind] };
      const sIndex = this.layout.serviceIndex(startMs);
      indices.set(sIndex, false);
      services.set(`${sIndex}/${serviceDocId(doc)}`, { index: sIndex, doc });
    }
    for (const [key, { index, doc }] of services) body.push({ index: { _index: index, _id: key.slice(index.length + 1) } }, { ...doc });
    for (const [index, span] of indices) await this.ensureIndex(index, span);
    const { body: res } = await this.os.call<{ errors: boolean; items: Array<Record<string, BulkItem>> }>('POST', '/_bulk', body, {
      refresh: this.refresh,
      // How long a bulk item waits for an unassigned primary before it is rejected (then: 503).
      timeout: '3s',
    });
    if (!res.errors) return accepted();
    const failed = res.items.map((i) => Object.values(i)[0] as BulkItem).filter((i) => i.error && i.status !== 409);
    if (!failed.length) return accepted();
    const first = failed[0] as BulkItem;
    const what = `${failed.length} of ${res.items.length} bulk items rejected (${first.status} ${first.error?.type ?? ''}: ${first.error?.reason ?? ''})`;
    // Every rejection is answered as retryable: the exporter keeps the batch, nothing is dropped silently.
    throw new StoreUnavailableError(isRetryable(first.status, first.error?.type) ? what : `${what}; not retryable by itself, see the explorer log`);
  }

  /** Every span document of these traces, paged by search_after (no result window limit). */
  private async fetchSpans<T>(traceIds: string[], extra: Record<string, unknown> = {}, source?: string[]): Promise<Array<SearchHit<T>>> {
    const ids = traceIds.flatMap(traceIdForms);
    const out: Array<SearchHit<T>> = [];
    let after: unknown[] | undefined;
    for (;;) {
      const res = await this.os.search<T>(this.layout.spanPattern, {
        size: PAGE,
        query: { bool: { filter: [{ terms: { traceID: ids } }], ...extra } },
        sort: [{ traceID: 'asc' }, { spanID: 'asc' }, { startTime: 'asc' }, { duration: 'asc' }],
        ...(after ? { search_after: after } : {}),
        ...(source ? { _source: source } : {}),
      });
      out.push(...res.hits.hits);
      if (res.hits.hits.length < PAGE) return out;
      after = res.hits.hits[res.hits.hits.length - 1]?.sort;
    }
  }

  async getTrace(traceId: string): Promise<StoredSpan[] | undefined> {
    const id = traceId.toLowerCase().padStart(32, '0');
    const hits = await this.fetchSpans<JaegerSpanDoc>([id]);
    if (!hits.length) return undefined;
    const seen = new Set<string>();
    const out: StoredSpan[] = [];
    for (const h of hits) {
      const s = fromJaegerDoc(h._source);
      if (seen.has(s.span.spanId)) continue;
      seen.add(s.span.spanId);
      out.push(s);
    }
    return out.sort((a, b) => (BigInt(a.span.startTimeUnixNano) < BigInt(b.span.startTimeUnixNano) ? -1 : 1));
  }

  /**
   * Candidate traces: those with a span matching the driving condition in the window, newest first
   * (by their earliest such span); a candidate whose earliest such span is past the window's end is left out.
   */
  private async candidates(q: SearchQuery, conds: ReturnType<typeof conditions>, max: number): Promise<string[]> {
    const res = await this.os.search<unknown>(this.layout.spanPattern, {
      size: 0,
      query: driverQuery(q, conds, WINDOW_SLACK_US),
      aggs: { traces: { terms: { field: 'traceID', size: max, order: { start: 'desc' } }, aggs: { start: { min: { field: 'startTime' } } } } },
    });
    const buckets = (res.aggregations?.traces as { buckets?: Array<{ key: string; start: { value: number } }> } | undefined)?.buckets ?? [];
    const endUs = q.endNs === undefined ? Number.POSITIVE_INFINITY : Number(q.endNs / 1000n);
    return buckets.filter((b) => b.start.value <= endUs).map((b) => b.key.padStart(32, '0'));
  }

  /** Light spans of these traces with the conditions each matched. */
  private async lightSpans(ids: string[], conds: ReturnType<typeof conditions>): Promise<Map<string, LightSpan[]>> {
    const hits = await this.fetchSpans<LightDoc>(ids, { should: namedQueries(conds) }, LIGHT_FIELDS);
    const by = new Map<string, LightSpan[]>();
    for (const h of hits) {
      const s = lightSpan(h._source, h.matched_queries ?? []);
      const list = by.get(s.traceId) ?? [];
      list.push(s);
      by.set(s.traceId, list);
    }
    return by;
  }

  /**
   * Newest first with at most one condition (the UI's default searches), the candidates are the
   * answer: one aggregation counts them and only the page's traces are fetched. Otherwise up to
   * `countCap + 1` candidates are checked against every condition, 500 traces per fetch, and the
   * matches sorted and paged: the cost follows the candidates (docs/explorer.md, "OpenSearch store").
   */
  async search(q: SearchQuery): Promise<SearchResult> {
    const conds = conditions(q);
    const ids = await this.candidates(q, conds, this.countCap + 1);
    const simple = q.sort === 'recent' && conds.length <= 1 && !conds[0]?.negate && !q.text && q.minDurationNs === undefined && q.maxDurationNs === undefined;
    const checked = simple ? ids.slice(q.offset, q.offset + q.limit) : ids;
    const matches = await this.matching(q, conds, checked);
    const total = simple ? ids.length : matches.length;
    const traces = simple ? matches : matches.slice(q.offset, q.offset + q.limit);
    if (total <= this.countCap) return { total, totalCapped: false, traces };
    return { total: Math.max(this.countCap, q.offset + traces.length), totalCapped: true, traces };
  }

  /** The summaries of the traces among `ids` that satisfy the query, sorted. */
  private async matching(q: SearchQuery, conds: ReturnType<typeof conditions>, ids: string[]): Promise<TraceSummary[]> {
    const out: TraceSummary[] = [];
    for (let i = 0; i < ids.length; i += TRACE_BATCH) {
      const batch = ids.slice(i, i + TRACE_BATCH);
      const spans = await this.lightSpans(batch, conds);
      for (const id of batch) {
        const list = spans.get(id);
        if (!list) continue;
        const summary = summarize(id, list);
        if (traceMatches(q, conds, list, summary)) out.push(summary);
      }
    }
    return out.sort(compareSummaries(q.sort));
  }

  async services(): Promise<string[]> {
    const res = await this.os.search<unknown>(this.layout.servicePattern, { size: 0, aggs: { s: { terms: { field: 'serviceName', size: 10_000 } } } });
    const buckets = (res.aggregations?.s as { buckets?: Array<{ key: string }> } | undefined)?.buckets ?? [];
    return buckets.map((b) => b.key).sort();
  }

  async operations(service?: string): Promise<OperationInfo[]> {
    const res = await this.os.search<ServiceDoc>(this.layout.servicePattern, {
      size: 10_000,
      query: service === undefined ? { match_all: {} } : { term: { serviceName: service } },
    });
    const seen = new Map<string, OperationInfo>();
    for (const { _source: d } of res.hits.hits) {
      const kind = Math.max(0, KIND_NAMES_LOWER.indexOf((d.spanKind ?? '') as (typeof KIND_NAMES_LOWER)[number])) as OperationInfo['kind'];
      seen.set(JSON.stringify([d.serviceName, d.operationName, kind]), { service: d.serviceName, name: d.operationName, kind });
    }
    return [...seen.values()].sort((a, b) => a.service.localeCompare(b.service) || a.name.localeCompare(b.name) || a.kind - b.kind);
  }

  async recentTraces(sinceNs: bigint, untilNs: bigint, maxTraces: number): Promise<StoredSpan[][]> {
    const q: SearchQuery = { startNs: sinceNs, endNs: untilNs, attrs: [], limit: maxTraces, offset: 0, sort: 'recent' };
    const ids = await this.candidates(q, [], maxTraces);
    const out: StoredSpan[][] = [];
    for (const id of ids) {
      const spans = await this.getTrace(id);
      if (spans) out.push(spans);
    }
    return out;
  }

  async status(): Promise<StoreStatus> {
    const res = await this.os.search<unknown>(this.layout.spanPattern, {
      size: 0,
      track_total_hits: true,
      aggs: { traces: { cardinality: { field: 'traceID' } }, oldest: { min: { field: 'startTimeMillis' } } },
    });
    const total = (res.hits as unknown as { total?: { value?: number } }).total?.value ?? 0;
    const aggs = res.aggregations as { traces?: { value?: number }; oldest?: { value?: number | null } } | undefined;
    const days = await listDays(this.os, this.layout);
    return {
      spans: total,
      traces: aggs?.traces?.value ?? 0,
      dbBytes: days.reduce((n, d) => n + d.bytes, 0),
      oldestMs: aggs?.oldest?.value ?? null,
    };
  }

  /** Retention deletes whole daily indices: a day goes once all of it is older than the cutoff. Returns the days deleted. */
  async deleteOlderThan(cutoffNs: bigint, batch: number): Promise<number> {
    const cutoffMs = Number(cutoffNs / 1_000_000n);
    const old = (await listDays(this.os, this.layout)).filter((d) => d.dayMs + 86_400_000 <= cutoffMs).slice(0, batch);
    return deleteDays(this.os, old);
  }

  /** Deletes the oldest day while the span and service indices hold more than `maxBytes`; the newest day stays. */
  async shrinkTo(maxBytes: number, _batch: number): Promise<number> {
    const days = await listDays(this.os, this.layout);
    if (days.length < 2 || days.reduce((n, d) => n + d.bytes, 0) <= maxBytes) return 0;
    return deleteDays(this.os, days.slice(0, 1));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.os.close();
  }
}
