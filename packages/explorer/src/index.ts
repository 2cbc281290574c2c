export { startExplorer, VERSION, DEFAULT_UI_DIR } from './explorer.ts';
export type { Explorer, ExplorerOptions } from './explorer.ts';
export { SqliteStore, DB_FILE } from './store/sqlite-store.ts';
export type { SqliteStoreOptions } from './store/sqlite-store.ts';
export { StoreBusyError, StoreClosedError, StoreCorruptError, StoreUnavailableError } from './store/store.ts';
export type {
  AttrFilter,
  OperationInfo,
  SearchQuery,
  SearchResult,
  ServiceCount,
  Store,
  StoreStatus,
  TraceSummary,
} from './store/store.ts';
export { startRetention } from './store/retention.ts';
export type { RetentionHandle, RetentionOptions } from './store/retention.ts';
export { decodeJson, decodeProtobuf, MalformedPayloadError } from './receive/decode.ts';
export type { DecodeResult } from './receive/decode.ts';
export { DEFAULT_LIMITS } from './receive/limits.ts';
export type { SpanLimits } from './receive/limits.ts';
export { createApiServer } from './server.ts';
export type { ApiServerOptions } from './server.ts';
export { buildTree, criticalPath, criticalPathIds, formatDurationNs, summarize } from './trace/index.ts';
export type { CriticalSection, DetachedReason, SpanTree, TraceSpan, TreeNode } from './trace/index.ts';
export { MAX_TRACE_SPANS, traceView } from './query/trace-view.ts';
export { buildServiceMap } from './query/service-map.ts';
export type { ApiAttribute, ApiSpan, ApiTraceSummary, CompactSpan, CompactTraceView, EdgeKind, SearchResponse, ServiceMap, TraceTruncation, TraceView } from './api-types.ts';
export type { AnyValue, KeyValue, Resource, Scope, SpanRecord, StoredSpan } from './model.ts';
export { createAuth, isLoopback, safeEqual, InsecureBindError, WeakTokenError, SESSION_COOKIE } from './security/auth.ts';
export type { Auth } from './security/auth.ts';
export { HostConfigError, parseAllowedHosts, refuseForeignHost } from './security/host-check.ts';
export type { HostPolicy } from './security/host-check.ts';
