/**
 * The trace model shared by the query API, the web UI, the CLI and the demo:
 * what a span must carry to be placed in a tree, summarised and walked for
 * its critical path. Pure types, no imports: the UI bundles this folder.
 *
 * `ApiSpan` (api-types.ts) satisfies `TraceSpan`, so the server, the browser
 * and the terminal all build trees from the same `/api/tw/traces/{id}` spans.
 */

/** OTLP span kinds by name (https://opentelemetry.io/docs/specs/otel/trace/api/#spankind). */
export type TraceSpanKind = 'UNSPECIFIED' | 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';
export type TraceStatusCode = 'UNSET' | 'OK' | 'ERROR';

export interface TraceSpan {
  spanId: string;
  /** null (or '') for a span that names no parent. */
  parentSpanId: string | null;
  service: string;
  name: string;
  kind: TraceSpanKind;
  /** Epoch nanoseconds as a decimal string: epoch ns do not fit a double. */
  startNs: string;
  endNs: string;
  status: { code: TraceStatusCode };
}

/**
 * Why a span is a root although it names a parent:
 * `missing-parent` the parent is not (yet) in the trace;
 * `self-parent` the span names itself as parent;
 * `cycle` its parent chain loops (A -> B -> A) and this span was cut out of the loop.
 */
export type DetachedReason = 'missing-parent' | 'self-parent' | 'cycle';

export interface TreeNode<S extends TraceSpan = TraceSpan> {
  span: S;
  /** Offsets from the trace start, ns: trace-relative offsets fit a double exactly. */
  startNs: number;
  /** Never before startNs (a span that ends before it starts is shown with no length). */
  endNs: number;
  durationNs: number;
  /** 0 for a root. */
  depth: number;
  parent: TreeNode<S> | null;
  /** In start order. */
  children: TreeNode<S>[];
  /** Set on roots that name a parent, saying why they are roots; null otherwise. */
  orphan: DetachedReason | null;
  /** Spans below this one, all levels. */
  descendants: number;
  isError: boolean;
}

export interface SpanTree<S extends TraceSpan = TraceSpan> {
  /** True roots first (start order), then detached ones in the order found. */
  roots: TreeNode<S>[];
  /** One node per span id (the first copy of a duplicated id wins). */
  byId: Map<string, TreeNode<S>>;
  /** Earliest start, epoch ns. */
  startEpochNs: bigint;
  /** Latest end minus earliest start, ns. */
  durationNs: number;
  /** Levels of nesting; a lone span has depth 1, an empty trace 0. */
  depth: number;
  /** Every node in depth-first order, children in start order (the expanded waterfall). */
  preorder: TreeNode<S>[];
}
