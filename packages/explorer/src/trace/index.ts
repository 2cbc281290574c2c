/**
 * The trace model: one home for a trace's types, tree (roots, orphans,
 * cycles, self-parents, depth), summary, critical path and duration
 * formatting. Pure and dependency-free, so the query layer, the web UI (Vite
 * bundles this folder), the CLI and the demo all import the same code.
 */
export { buildTree } from './tree.ts';
export { criticalPath, criticalPathIds } from './critical-path.ts';
export type { CriticalSection } from './critical-path.ts';
export { summarize } from './summary.ts';
export type { ServiceSpanCount, TraceSummary } from './summary.ts';
export { formatDurationNs } from './format.ts';
export type { DetachedReason, SpanTree, TraceSpan, TraceSpanKind, TraceStatusCode, TreeNode } from './types.ts';
