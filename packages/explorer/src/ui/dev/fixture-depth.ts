import type { ApiSpan } from '../../api-types.ts';
import { buildTraceTree } from '../lib/trace-tree.ts';

export function depthOf(spans: ApiSpan[]): number {
  return buildTraceTree(spans).depth;
}
