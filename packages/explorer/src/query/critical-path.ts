/**
 * The critical path: the chain of work that determined the trace's end time.
 * Walk back from the root's end; at each step take the child that finished
 * last before the cursor, recurse into it, and move the cursor to its start
 * (the same idea as Jaeger UI's TraceCriticalPath).
 */
export interface PathSpan {
  spanId: string;
  parentSpanId: string | null;
  start: bigint;
  end: bigint;
}

export function criticalPath(spans: PathSpan[]): string[] {
  if (!spans.length) return [];
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, PathSpan[]>();
  const roots: PathSpan[] = [];
  for (const s of spans) {
    if (s.parentSpanId && ids.has(s.parentSpanId)) {
      const list = children.get(s.parentSpanId);
      if (list) list.push(s);
      else children.set(s.parentSpanId, [s]);
    } else roots.push(s);
  }
  for (const list of children.values()) list.sort((a, b) => (a.end === b.end ? 0 : a.end > b.end ? -1 : 1));
  // The root that ends last decides the trace's duration.
  const root = roots.reduce((a, b) => (b.end > a.end ? b : a));
  const out: string[] = [];
  // Iterative, so 10k-deep chains cannot overflow the stack.
  const stack: Array<{ span: PathSpan; cursor: bigint }> = [{ span: root, cursor: root.end }];
  while (stack.length) {
    const { span, cursor: limit } = stack.pop() as { span: PathSpan; cursor: bigint };
    out.push(span.spanId);
    let cursor = span.end < limit ? span.end : limit;
    const picked: Array<{ span: PathSpan; cursor: bigint }> = [];
    for (const child of children.get(span.spanId) ?? []) {
      if (child.start >= cursor || child.start < span.start) continue;
      picked.push({ span: child, cursor });
      cursor = child.start;
      if (cursor <= span.start) break;
    }
    // Visit in time order (latest segment last).
    for (let i = picked.length - 1; i >= 0; i--) stack.push(picked[i] as { span: PathSpan; cursor: bigint });
  }
  return out;
}
