/** Hand-built spans for the trace model's unit tests (times in ms from a fixed epoch). */
import type { TraceSpan, TraceSpanKind } from './types.ts';

const BASE = 1_700_000_000_000_000_000n;

export function span(id: string, parent: string | null, startMs: number, endMs: number, extra: Partial<TraceSpan> = {}): TraceSpan {
  return {
    spanId: id,
    parentSpanId: parent,
    service: 'svc',
    name: id,
    kind: 'INTERNAL',
    startNs: String(BASE + BigInt(Math.round(startMs * 1_000_000))),
    endNs: String(BASE + BigInt(Math.round(endMs * 1_000_000))),
    status: { code: 'UNSET' },
    ...extra,
  };
}

export const kind = (k: TraceSpanKind): Partial<TraceSpan> => ({ kind: k });

/** A chain s0 <- s1 <- ... <- s(n-1), each starting 1 ns after its parent. */
export function chain(n: number): TraceSpan[] {
  return Array.from({ length: n }, (_, i) => ({
    spanId: `s${i}`,
    parentSpanId: i === 0 ? null : `s${i - 1}`,
    service: 'svc',
    name: 'step',
    kind: 'INTERNAL' as const,
    startNs: String(BASE + BigInt(i)),
    endNs: String(BASE + BigInt(2 * n - i)),
    status: { code: 'UNSET' as const },
  }));
}
