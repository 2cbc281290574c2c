/**
 * The trace model: one home for a trace's types, tree (roots, orphans,
 * cycles, self-parents, depth), summary, critical path, self time,
 * statistics, comparison and duration formatting. Pure and dependency-free, so the query layer, the web UI (Vite
 * bundles this folder), the CLI and the demo all import the same code.
 */
export { buildTree } from './tree.ts';
export { criticalPath, criticalPathIds } from './critical-path.ts';
export type { CriticalSection } from './critical-path.ts';
export { summarize } from './summary.ts';
export type { ServiceSpanCount, TraceSummary } from './summary.ts';
export { formatDurationNs } from './format.ts';
export { selfTimeNs } from './self-time.ts';
export { sortStats, traceStats } from './stats.ts';
export type { StatsColumn, StatsGrouping, StatsRow, TraceStats } from './stats.ts';
export { diffTraces } from './diff.ts';
export type { DiffNode, DiffOptions, DiffSide, DiffStatus, TraceDiff } from './diff.ts';
export type { DetachedReason, SpanTree, TraceSpan, TraceSpanKind, TraceStatusCode, TreeNode } from './types.ts';
