/**
 * Reads a Jaeger v1 trace the way Grafana's Jaeger data source does: a span's
 * parent is the first CHILD_OF reference and nothing else
 * (grafana public/app/plugins/datasource/jaeger/responseTransform.ts:
 * `span.references?.find((r) => r.refType === 'CHILD_OF')`). FOLLOWS_FROM
 * references never make a parent, so a hop mapped to FOLLOWS_FROM splits the
 * trace into several roots for such a reader.
 */
export interface JaegerRef {
  refType: string;
  traceID: string;
  spanID: string;
}

export interface JaegerSpanLike {
  spanID: string;
  operationName: string;
  references?: JaegerRef[];
}

export interface ChildOfTree {
  /** Spans with no CHILD_OF reference, or whose CHILD_OF parent is not in the trace. */
  roots: JaegerSpanLike[];
  /** Spans reachable from a root by parent -> child steps. */
  reachable: number;
  parentOf: Map<string, string | undefined>;
}

export function childOfTree(spans: readonly JaegerSpanLike[]): ChildOfTree {
  const ids = new Set(spans.map((s) => s.spanID));
  const parentOf = new Map<string, string | undefined>();
  const children = new Map<string, string[]>();
  const roots: JaegerSpanLike[] = [];
  for (const span of spans) {
    const parent = span.references?.find((r) => r.refType === 'CHILD_OF')?.spanID;
    parentOf.set(span.spanID, parent);
    if (parent === undefined || !ids.has(parent)) roots.push(span);
    else children.set(parent, [...(children.get(parent) ?? []), span.spanID]);
  }
  const seen = new Set<string>();
  const stack = roots.map((r) => r.spanID);
  while (stack.length > 0) {
    const id = stack.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(children.get(id) ?? []));
  }
  return { roots, reachable: seen.size, parentOf };
}
