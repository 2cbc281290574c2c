/**
 * `startExplorer`: wires the store, both OTLP receivers, retention and the
 * API/UI server. Port 0 binds an ephemeral port; the bound ports are returned.
 * `close()` stops accepting, lets in-flight exports commit, then closes the DB.
 */
import fs from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOtlpGrpc, stopGrpc } from './receive/otlp-grpc.ts';
import { startOtlpHttp } from './receive/otlp-http.ts';
import { InflightBytes } from './receive/inflight.ts';
import { DEFAULT_LIMITS, type SpanLimits } from './receive/limits.ts';
import { TraceFeed } from './receive/trace-feed.ts';
import type { LiveLimits } from './api/live-stream.ts';
import { type Auth, createAuth } from './security/auth.ts';
import { createApiServer } from './server.ts';
import { startRetention, type RetentionHandle } from './store/retention.ts';
import { OpenSearchStore } from './store/opensearch/opensearch-store.ts';
import { SEGMENTS_DIR, SegmentStore } from './store/segments/segment-store.ts';
import { ShardedStore, shardCountOf } from './store/shards/sharded-store.ts';
import { DB_FILE, SqliteStore } from './store/sqlite-store.ts';
import { migrateSqlite } from './store/segments/migrate.ts';
import type { Store } from './store/store.ts';
import { toStoreError } from './store/store-errors.ts';

export const VERSION = '0.1.0';

export interface ExplorerOptions {
  /** Data directory; default ./.tracewire */
  dataDir?: string;
  /** Host every listener binds; default 127.0.0.1. Any non-loopback host needs `token`. */
  host?: string;
  /**
   * Bearer token required on OTLP (HTTP header / gRPC metadata `authorization`)
   * and on the API/UI. Required when `host` is not a loopback address.
   */
  token?: string;
  /** The one origin allowed cross-origin (browser exporters, other UIs); default none. `*` opens OTLP/HTTP only, never the query API. */
  corsOrigin?: string;
  /**
   * Without a token, the UI/API and OTLP/HTTP listeners answer only requests addressed to
   * localhost, *.localhost or an IP address (DNS-rebinding guard); these names are answered too.
   * `name` exactly, `.domain` for it and its subdomains. Ignored with a token.
   */
  allowedHosts?: string[];
  grpcPort?: number;
  httpPort?: number;
  uiPort?: number;
  /** Largest OTLP request body (after decompression); default 16 MiB. */
  maxBodyBytes?: number;
  /** Request bytes both OTLP receivers hold at once (receiving, decoding, waiting for commit); default 64 MiB, at least maxBodyBytes. */
  maxInflightBytes?: number;
  /** Time to receive a whole OTLP request (HTTP headers and body, a gRPC call's message), ms; default 30 s. */
  requestTimeoutMs?: number;
  /** An OTLP/gRPC connection without calls for this long is closed, ms; default 60 s. */
  idleTimeoutMs?: number;
  limits?: Partial<SpanLimits>;
  retentionNs?: bigint;
  maxSizeBytes?: number;
  retentionIntervalMs?: number;
  /** Directory of the built UI; default packages/explorer/dist/ui. */
  uiDir?: string;
  maxQueuedSpans?: number;
  synchronous?: 'FULL' | 'NORMAL';
  /** Search counts matches up to this many, then reports the bound as a lower bound; default 10,000. */
  searchCountCap?: number;
  /** How long a computed service map is reused, ms (0 = never); default 5,000. */
  serviceMapCacheMs?: number;
  onError?: (err: Error) => void;
  /**
   * 'segments' (default): append-only segment files under dataDir, indexes in memory; a
   * `traces.db` left there by the SQLite store is copied in at start. 'sqlite': one SQLite file
   * under dataDir (the store before segments). 'opensearch': a cluster shared by any number of
   * explorers.
   */
  store?: 'sqlite' | 'segments' | 'opensearch';
  /**
   * Segment store: shards (threads) a new data directory is split into by trace id; default 1,
   * the store on the event loop in `<dataDir>/segments/`. More ingest faster on several cores
   * and take more memory (docs/performance.md). A directory keeps the layout it was made with.
   */
  shards?: number;
  /** OpenSearch node URLs (store 'opensearch'); requests fail over between them. */
  opensearchUrls?: string[];
  /** Jaeger's index prefix (`<prefix>-jaeger-span-YYYY-MM-DD`); default none. */
  opensearchIndexPrefix?: string;
  /** Bounds of the live (server-sent events) streams; defaults in api/live-stream.ts. */
  live?: Partial<LiveLimits>;
}

export interface Explorer {
  readonly host: string;
  readonly grpcPort: number;
  readonly httpPort: number;
  readonly uiPort: number;
  /** http://host:uiPort */
  readonly url: string;
  readonly store: Store;
  readonly retention: RetentionHandle;
  close(): Promise<void>;
}

export const DEFAULT_MAX_INFLIGHT_BYTES = 64 * 1024 * 1024;

/** Opens the store; a damaged file surfaces as StoreCorruptError, whatever SQLite called it. */
export const DEFAULT_UI_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/ui');

function listen(server: http.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeHttp(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

async function openStore(opts: ExplorerOptions): Promise<Store> {
  if (opts.store === 'opensearch') {
    if (!opts.opensearchUrls?.length) throw new Error('the opensearch store needs at least one node URL');
    const store = new OpenSearchStore({
      nodes: opts.opensearchUrls,
      ...(opts.opensearchIndexPrefix ? { indexPrefix: opts.opensearchIndexPrefix } : {}),
      ...(opts.searchCountCap !== undefined ? { searchCountCap: opts.searchCountCap } : {}),
    });
    // Templates now when the cluster answers; otherwise the first write puts them (and answers 503 until then).
    await store.ensureTemplates().catch((err: Error) => opts.onError?.(err));
    return store;
  }
  if (opts.store === undefined || opts.store === 'segments') return openSegments(opts);
  try {
    return new SqliteStore({
      dataDir: opts.dataDir ?? './.tracewire',
      ...(opts.maxQueuedSpans !== undefined ? { maxQueuedSpans: opts.maxQueuedSpans } : {}),
      ...(opts.synchronous ? { synchronous: opts.synchronous } : {}),
      ...(opts.searchCountCap !== undefined ? { searchCountCap: opts.searchCountCap } : {}),
    });
  } catch (err) {
    // A damaged or locked file at start-up is said as such, whatever SQLite threw.
    throw toStoreError(err);
  }
}

/**
 * The segment store: sharded (store/shards) when the directory is, or when a new one is made with
 * more than one shard; a SQLite file left in the directory is copied in first (migrate.ts),
 * with its progress on stderr.
 */
async function openSegments(opts: ExplorerOptions): Promise<Store> {
  const dataDir = opts.dataDir ?? './.tracewire';
  let lastNote = Date.now();
  const common = {
    dataDir,
    onOpenProgress: (read: number, of: number) => {
      if (read < of && Date.now() - lastNote < 5_000) return;
      lastNote = Date.now();
      console.error(`tracewire explorer: reading segment indexes: ${read} of ${of}`);
    },
    ...(opts.maxQueuedSpans !== undefined ? { maxQueuedSpans: opts.maxQueuedSpans } : {}),
    ...(opts.searchCountCap !== undefined ? { searchCountCap: opts.searchCountCap } : {}),
  };
  const unsharded = shardCountOf(dataDir) === undefined && ((opts.shards ?? 1) === 1 || fs.existsSync(path.join(dataDir, SEGMENTS_DIR)));
  const store = unsharded
    ? await SegmentStore.open(common)
    : await ShardedStore.open({
        ...common,
        ...(opts.shards !== undefined ? { shards: opts.shards } : {}),
        ...(opts.onError ? { onError: opts.onError } : {}),
        onRestarted: (shard) => console.error(`tracewire explorer: trace store shard ${shard} is running again`),
      });
  let shown = -1;
  try {
    await migrateSqlite(dataDir, store, ({ traces, of }) => {
      const tenth = Math.floor((traces / of) * 10);
      if (tenth === shown) return;
      shown = tenth;
      console.error(`tracewire explorer: copying ${DB_FILE} into the segment store: ${traces.toLocaleString('en-US')} of ${of.toLocaleString('en-US')} traces`);
    });
  } catch (err) {
    await store.close();
    throw toStoreError(err);
  }
  return store;
}

/** What the process shares with every listener. */
interface Shared {
  store: Store;
  feed: TraceFeed;
  auth: Auth;
  onError: (err: Error) => void;
}

/** Both OTLP receivers' options: one set of limits and one in-flight budget. */
function receiverOptions(opts: ExplorerOptions, shared: Shared) {
  const maxBodyBytes = opts.maxBodyBytes ?? 16 * 1024 * 1024;
  return {
    ...shared,
    limits: { ...DEFAULT_LIMITS, ...opts.limits },
    maxBodyBytes,
    // One budget for both receivers; never below one largest request, or that request could never pass.
    inflight: new InflightBytes(Math.max(maxBodyBytes, opts.maxInflightBytes ?? DEFAULT_MAX_INFLIGHT_BYTES)),
    ...(opts.corsOrigin !== undefined ? { corsOrigin: opts.corsOrigin } : {}),
    ...(opts.requestTimeoutMs !== undefined ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
    ...(opts.idleTimeoutMs !== undefined ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
  };
}

/** The UI/API server's own options. */
function apiOptions(opts: ExplorerOptions) {
  return {
    uiDir: opts.uiDir ?? DEFAULT_UI_DIR,
    version: VERSION,
    ...(opts.live ? { live: opts.live } : {}),
    ...(opts.corsOrigin !== undefined ? { corsOrigin: opts.corsOrigin } : {}),
    ...(opts.serviceMapCacheMs !== undefined ? { serviceMapCacheMs: opts.serviceMapCacheMs } : {}),
  };
}

/**
 * @example
 * const ex = await startExplorer({ dataDir: tmp, grpcPort: 0, httpPort: 0, uiPort: 0 });
 * // export to `http://127.0.0.1:${ex.httpPort}`, read `${ex.url}/api/tw/traces/<id>`
 * await ex.close();
 */
export async function startExplorer(opts: ExplorerOptions = {}): Promise<Explorer> {
  const host = opts.host ?? '127.0.0.1';
  // Before anything opens: refuse a public bind without a token.
  const auth = createAuth({ host, token: opts.token, allowedHosts: opts.allowedHosts });
  const onError = opts.onError ?? ((err: Error) => console.error(`tracewire explorer: ${err.stack ?? err.message}`));
  const store = await openStore({ ...opts, onError });
  // Receivers tell it which traces they stored; the live API streams listen (api/routes-live.ts).
  const feed = new TraceFeed(onError);
  const receiverOpts = receiverOptions(opts, { store, feed, auth, onError });
  const started: Array<() => Promise<void>> = [];
  try {
    const grpc = await startOtlpGrpc(receiverOpts, host, opts.grpcPort ?? 4317);
    started.push(() => stopGrpc(grpc.server));
    const otlpHttp = await startOtlpHttp(receiverOpts, host, opts.httpPort ?? 4318);
    started.push(() => closeHttp(otlpHttp));
    const api = createApiServer({ ...apiOptions(opts), store, onError, auth, feed });
    const uiPort = await listen(api, host, opts.uiPort ?? 16686);
    // Live streams never go idle: end them first, or closing the server would wait for them forever.
    started.push(() => {
      feed.close();
      return closeHttp(api);
    });
    const retention = startRetention(store, {
      ...(opts.retentionNs !== undefined ? { maxAgeNs: opts.retentionNs } : {}),
      ...(opts.maxSizeBytes !== undefined ? { maxBytes: opts.maxSizeBytes } : {}),
      ...(opts.retentionIntervalMs !== undefined ? { intervalMs: opts.retentionIntervalMs } : {}),
      onError,
    });
    let closing: Promise<void> | undefined;
    return {
      host,
      grpcPort: grpc.port,
      httpPort: (otlpHttp.address() as AddressInfo).port,
      uiPort,
      url: `http://${host.includes(':') ? `[${host}]` : host}:${uiPort}`,
      store,
      retention,
      close() {
        closing ??= (async () => {
          await retention.stop();
          // Receivers stop accepting and wait for in-flight exports (which wait for their commit).
          await Promise.all(started.map((stop) => stop()));
          await store.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    await Promise.all(started.map((stop) => stop().catch(() => undefined)));
    await store.close();
    throw err;
  }
}
