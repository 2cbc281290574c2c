import type { Span } from '../api-types.ts';
import { buildTraceTree } from '../lib/trace-tree.ts';

export function depthOf(spans: Span[]): number {
  return buildTraceTree(spans).depth;
}
