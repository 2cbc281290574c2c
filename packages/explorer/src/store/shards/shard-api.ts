/**
 * The calls a shard answers (ShardApi), over one segment store: the same object serves a
 * shard on the explorer's thread (local-shard.ts) and one on its own (shard-worker.ts).
 */
import { scanRequestCounted } from '../segments/request-scan.ts';
import type { SegmentStore } from '../segments/segment-store.ts';
import type { SpanFacts } from '../segments/span-facts.ts';
import type { ShardApi } from './shard-protocol.ts';
import { StoreUnavailableError } from '../store.ts';

export function shardApi(store: SegmentStore): ShardApi {
  /** Scanned parts waiting for their commit, by token. */
  const held = new Map<number, SpanFacts[]>();
  // Random per thread: a token a stopped thread gave out (shard-client.ts starts another) must
  // not name a part the new thread scanned, or its commit would store another request's spans.
  let nextToken = Math.floor(Math.random() * 2 ** 48) + 1;
  return {
    scan(bytes, limits) {
      const scanned = scanRequestCounted(bytes, limits);
      if (!scanned) return undefined;
      const token = nextToken++;
      held.set(token, scanned.facts);
      return { token, spans: scanned.facts.length, items: scanned.items };
    },
    async commit(token) {
      const facts = held.get(token);
      if (!facts) throw new StoreUnavailableError(`the trace store shard no longer holds scanned request part ${token} (its thread was restarted)`, 1);
      held.delete(token);
      return store.writeScanned(facts);
    },
    store: async (bytes, limits) => store.writeProtobuf(bytes, limits),
    drop(token) {
      held.delete(token);
    },
    write: (spans) => store.write(spans),
    getTrace: (traceId) => store.getTrace(traceId),
    search: (q) => store.search(q),
    services: () => store.services(),
    operations: (service) => store.operations(service),
    recentTraces: (since, until, max) => store.recentTraces(since, until, max),
    mapTotals: (since, until) => store.mapTotals(since, until),
    status: () => store.status(),
    deleteOlderThan: (cutoff, batch) => store.deleteOlderThan(cutoff, batch),
    shrinkTo: (maxBytes, batch) => store.shrinkTo(maxBytes, batch),
    close: () => store.close(),
  };
}
