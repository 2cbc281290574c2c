/**
 * "Spans of these traces were just stored": the one change notification the
 * explorer has. The store has no change feed, so the receivers publish here
 * after a write commits (export.ts, `storeDecoded`), and the live API
 * (api/routes-live.ts) listens. In-process only: an explorer sees the writes
 * it received itself, not those of another explorer sharing an OpenSearch
 * cluster (docs/design.md, "Live updates").
 *
 * A listener that throws is reported to `onError` and does not stop the
 * others, nor the export that published.
 */
export type TraceFeedListener = (traceIds: ReadonlySet<string>) => void;

export class TraceFeed {
  private readonly listeners = new Set<TraceFeedListener>();
  private readonly closers = new Set<() => void>();
  private closed = false;

  constructor(private readonly onError: (err: Error) => void = () => undefined) {}

  /** Calls `listener` after each stored batch; returns the unsubscribe. */
  subscribe(listener: TraceFeedListener, onClose?: () => void): () => void {
    this.listeners.add(listener);
    if (onClose) this.closers.add(onClose);
    return () => {
      this.listeners.delete(listener);
      if (onClose) this.closers.delete(onClose);
    };
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Trace ids of spans just committed. Lower-case hex, as stored. */
  publish(traceIds: ReadonlySet<string>): void {
    if (this.closed || traceIds.size === 0) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(traceIds);
      } catch (err) {
        this.onError(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  /** The explorer is closing: every subscriber's `onClose` runs once (live streams end, so the server can close). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const closers = [...this.closers];
    this.listeners.clear();
    this.closers.clear();
    for (const c of closers) c();
  }
}
