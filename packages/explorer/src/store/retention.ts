/**
 * Retention by age and by size. Each tick deletes the oldest traces in small
 * batches (one short transaction each) and yields to the event loop between
 * batches, so ingest keeps flowing while old data goes.
 */
import type { Store } from './store.ts';

export interface RetentionOptions {
  /** Delete traces that started longer ago than this; undefined keeps them forever. */
  maxAgeNs?: bigint;
  /** Keep the database at or under this many bytes; undefined means no bound. */
  maxBytes?: number;
  intervalMs?: number;
  /** Traces per delete transaction. */
  batch?: number;
  onError?: (err: Error) => void;
}

export interface RetentionHandle {
  /** Runs one pass now (tests, and the first pass at start). */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

const yieldToIo = () => new Promise<void>((r) => setImmediate(r));

export function startRetention(store: Store, opts: RetentionOptions): RetentionHandle {
  const batch = opts.batch ?? 500;
  let stopped = false;
  let running: Promise<number> | undefined;

  const pass = async (): Promise<number> => {
    let deleted = 0;
    if (opts.maxAgeNs !== undefined) {
      for (;;) {
        if (stopped) return deleted;
        const cutoff = BigInt(Date.now()) * 1_000_000n - opts.maxAgeNs;
        const n = await store.deleteOlderThan(cutoff, batch);
        deleted += n;
        if (n < batch) break;
        await yieldToIo();
      }
    }
    if (opts.maxBytes !== undefined) {
      for (;;) {
        if (stopped) return deleted;
        const n = await store.shrinkTo(opts.maxBytes, batch);
        deleted += n;
        if (n === 0) break;
        await yieldToIo();
      }
    }
    return deleted;
  };

  const runOnce = (): Promise<number> => {
    running ??= pass().finally(() => {
      running = undefined;
    });
    return running;
  };

  const active = opts.maxAgeNs !== undefined || opts.maxBytes !== undefined;
  const timer = active
    ? setInterval(() => {
        runOnce().catch((err: Error) => opts.onError?.(err));
      }, opts.intervalMs ?? 30_000)
    : undefined;
  timer?.unref();

  return {
    runOnce,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
