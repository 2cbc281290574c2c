/**
 * Span ids of the large traces written to lately. A write to a trace must drop
 * the spans the trace already holds (a retried export); reading every stored
 * id on each write made a trace sent in many small exports cost O(n²). Small
 * traces are still read from their chunks (a few hundred ids at most); a large
 * trace's ids are read once and kept here, least recently written forgotten
 * first, so memory stays under `maxIds` ids and a write costs what it brings,
 * plus one read of the trace whenever it was forgotten (bounded by the
 * per-trace span cap).
 */
export class SpanIdCache {
  private readonly traces = new Map<string, Set<string>>();
  private held = 0;

  constructor(private readonly maxIds: number) {}

  /** The trace's ids, marked as most recently used; undefined when not held. */
  get(traceId: string): Set<string> | undefined {
    const ids = this.traces.get(traceId);
    if (ids) {
      this.traces.delete(traceId);
      this.traces.set(traceId, ids);
    }
    return ids;
  }

  /** Keeps `ids` (which the caller goes on adding to: `grew` says by how many). */
  put(traceId: string, ids: Set<string>): void {
    const old = this.traces.get(traceId);
    if (old) this.held -= old.size;
    this.traces.delete(traceId);
    this.traces.set(traceId, ids);
    this.held += ids.size;
    this.evict();
  }

  /** The caller added `n` ids to a set it holds from `get`/`put`. */
  grew(n: number): void {
    this.held += n;
    this.evict();
  }

  /** After a rollback (the sets may hold ids that were never stored) or deletes. */
  clear(): void {
    this.traces.clear();
    this.held = 0;
  }

  private evict(): void {
    for (const [traceId, ids] of this.traces) {
      if (this.held <= this.maxIds || this.traces.size <= 1) break;
      this.traces.delete(traceId);
      this.held -= ids.size;
    }
  }
}
