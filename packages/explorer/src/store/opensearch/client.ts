/**
 * The OpenSearch client as the store uses it: one `call` for every request, which turns what a
 * cluster says when it cannot serve (no node reachable, no cluster manager, shards unassigned,
 * queues full, a search that missed shards) into StoreUnavailableError, so receivers answer
 * retryable and the query API 503, and a partial answer is never taken for a whole one.
 */
import { Client, errors } from '@opensearch-project/opensearch';
import { StoreUnavailableError } from '../store.ts';

export interface OpenSearchClientOptions {
  /** One or more node URLs (`http://host:9200`); requests fail over between them. */
  nodes: string[];
  /** Per-request timeout, ms. Default 8,000: an OTLP exporter gives up after 10 s, so answer 503 before it does. */
  requestTimeoutMs?: number;
}

export type Body = Record<string, unknown> | Array<Record<string, unknown>>;

export interface SearchHit<T> {
  _index: string;
  _id: string;
  _source: T;
  sort?: unknown[];
  matched_queries?: string[];
}

export interface SearchResponse<T> {
  _shards?: { total: number; successful: number; failed: number };
  hits: { hits: Array<SearchHit<T>> };
  aggregations?: Record<string, unknown>;
}

/** Statuses that mean "not now": the cluster or a node is overloaded, recovering or unreachable. */
const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);

export function isRetryable(status: number, type?: string): boolean {
  return RETRYABLE.has(status) || type === 'cluster_block_exception' || type === 'unavailable_shards_exception';
}

export class OpenSearchCalls {
  readonly client: Client;

  constructor(opts: OpenSearchClientOptions) {
    this.client = new Client({
      nodes: opts.nodes,
      requestTimeout: opts.requestTimeoutMs ?? 8_000,
      // One more node on a connection error or 502-504; the retry is idempotent (see write()). More
      // retries would outlast the exporter's timeout; the exporter retries after our 503 instead.
      maxRetries: 1,
      compression: 'gzip',
    });
  }

  async call<T>(method: string, path: string, body?: Body, querystring?: Record<string, string | number | boolean>, ignore: number[] = []): Promise<{ status: number; body: T }> {
    try {
      const params = { method, path, ...(querystring ? { querystring } : {}) };
      const res =
        body === undefined
          ? await this.client.transport.request(params, { ignore })
          : Array.isArray(body)
            ? await this.client.transport.request({ ...params, bulkBody: body }, { ignore })
            : await this.client.transport.request({ ...params, body }, { ignore });
      return { status: res.statusCode ?? 200, body: res.body as T };
    } catch (err) {
      throw unavailableOr(err);
    }
  }

  /** A search that must not silently miss data: a shard that failed makes it unavailable. */
  async search<T>(index: string, body: Record<string, unknown>): Promise<SearchResponse<T>> {
    const { body: res } = await this.call<SearchResponse<T>>('POST', `/${encodeURIComponent(index)}/_search`, body, {
      ignore_unavailable: true,
      allow_no_indices: true,
    });
    if (res._shards && res._shards.failed > 0) {
      throw new StoreUnavailableError(`OpenSearch answered from ${res._shards.successful} of ${res._shards.total} shards; retry when the cluster has recovered`);
    }
    return res;
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

function unavailableOr(err: unknown): Error {
  if (err instanceof errors.ResponseError) {
    const type = (err.body as { error?: { type?: string } } | undefined)?.error?.type;
    if (isRetryable(err.statusCode ?? 0, type)) return new StoreUnavailableError(`OpenSearch answered ${err.statusCode}${type ? ` (${type})` : ''}`);
    return err;
  }
  if (err instanceof errors.ConnectionError || err instanceof errors.NoLivingConnectionsError || err instanceof errors.TimeoutError) {
    return new StoreUnavailableError(`OpenSearch is unreachable: ${err.message}`);
  }
  return err instanceof Error ? err : new Error(String(err));
}
