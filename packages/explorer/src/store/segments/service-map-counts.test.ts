/**
 * The segment store counts the service map as spans arrive (edge-resolver.ts,
 * map-summary.ts). Its answer is specified by buildServiceMap, which reads
 * whole traces: for any traces, sent in any order and split over any writes,
 * the counted map equals the built one, as long as the two halves of a pair
 * arrive within the pairing tables' reach.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { SpanKindNumber, StoredSpan } from '../../model.ts';
import { buildServiceMap } from '../../query/service-map.ts';
import { makeSpan } from '../store-contract.ts';
import { PairTable, TAKE_MAX } from './edge-resolver.ts';
import { MAP_BUCKET_NS, MAX_BUCKETS, MapSummary, MapTotals } from './map-summary.ts';
import { SegmentStore, type SegmentStoreOptions } from './segment-store.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tw-map-'));
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const T0 = 1_750_000_000_000;
const ALL = [0n, BigInt(T0 + 86_400_000) * 1_000_000n] as const;

interface SpanSpec {
  service: string;
  kind: SpanKindNumber;
  /** Index of the parent within the trace, or -1 for the root. */
  parent: number;
  attrs: Array<'http' | 'rpc' | 'kafka' | 'rabbitmq' | 'messaging'>;
  error: boolean;
  /** Links of a consumer: [trace index, span index] of other spans. */
  links: Array<[number, number]>;
}

function toSpans(traces: SpanSpec[][]): StoredSpan[][] {
  return traces.map((spans, t) =>
    spans.map((s, i) => {
      const span = makeSpan({
        trace: t + 1,
        span: i + 1,
        ...(s.parent >= 0 ? { parent: s.parent + 1 } : {}),
        service: s.service,
        kind: s.kind,
        startMs: T0 + t * 1000 + i,
        durMs: 1,
        error: s.error,
        attrs: s.attrs.map((a) =>
          a === 'http' ? str('http.request.method', 'GET') : a === 'rpc' ? str('rpc.system', 'grpc') : a === 'messaging' ? str('messaging.operation.name', 'send') : str('messaging.system', a === 'kafka' ? 'Kafka' : a),
        ),
      });
      span.span.links = s.links
        .filter(([lt, ls]) => lt < traces.length && ls < (traces[lt]?.length ?? 0))
        .map(([lt, ls]) => ({ traceId: (lt + 1).toString(16).padStart(32, '0'), spanId: ((lt + 1) * 1000 + ls + 1).toString(16).padStart(16, '0'), attributes: [] }));
      return span;
    }),
  );
}

const spanSpec = (i: number) =>
  fc.record({
    service: fc.constantFrom('gateway', 'orders', 'inventory', 'shipping'),
    kind: fc.constantFrom(0, 1, 2, 3, 4, 5) as fc.Arbitrary<SpanKindNumber>,
    parent: i === 0 ? fc.constant(-1) : fc.integer({ min: -1, max: i - 1 }),
    attrs: fc.uniqueArray(fc.constantFrom('http', 'rpc', 'kafka', 'rabbitmq', 'messaging'), { maxLength: 2 }),
    error: fc.boolean(),
    links: fc.array(fc.tuple(fc.nat(5), fc.nat(5)), { maxLength: 2 }),
  });
const traceSpec = fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => spanSpec(i))));

/** The spans in a shuffled order, cut into writes of the given sizes. */
const delivery = (spans: StoredSpan[], order: number[], cuts: number[]): StoredSpan[][] => {
  const shuffled = spans.map((s, i) => ({ s, k: order[i % order.length] ?? 0, i })).sort((a, b) => a.k - b.k || a.i - b.i).map((x) => x.s);
  const writes: StoredSpan[][] = [];
  let at = 0;
  for (const c of cuts) {
    if (at >= shuffled.length) break;
    writes.push(shuffled.slice(at, at + c));
    at += c;
  }
  if (at < shuffled.length) writes.push(shuffled.slice(at));
  return writes;
};

async function counted(writes: StoredSpan[][], opts: Partial<SegmentStoreOptions> = {}, dataDir = tmp()) {
  const store = await SegmentStore.open({ dataDir, ...opts });
  for (const w of writes) await store.write(w);
  return store;
}

describe('service map counted by the segment store', () => {
  it('equals the map built from whole traces, whatever the order and grouping of the writes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(traceSpec, { minLength: 1, maxLength: 6 }),
        fc.array(fc.nat(1000), { minLength: 1, maxLength: 40 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 20 }),
        fc.integer({ min: 2, max: 50 }),
        async (specs, order, cuts, segmentSpans) => {
          const traces = toSpans(specs);
          const store = await counted(delivery(traces.flat(), order, cuts), { segmentSpans });
          try {
            assert.deepEqual(await store.serviceMap(...ALL), buildServiceMap(traces));
          } finally {
            await store.close();
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('counts a call once: a child that waited for its parent, then a copy of either sent again', async () => {
    const [spans = []] = toSpans([
      [
        { service: 'gateway', kind: 3, parent: -1, attrs: ['http'], error: false, links: [] },
        { service: 'orders', kind: 2, parent: 0, attrs: ['http'], error: true, links: [] },
      ],
    ]);
    const store = await counted([[spans[1] as StoredSpan], [spans[0] as StoredSpan], spans, [spans[1] as StoredSpan]]);
    const map = await store.serviceMap(...ALL);
    assert.deepEqual(map.edges, [{ from: 'gateway', to: 'orders', kind: 'http', count: 1, errorCount: 1, errorRate: 1 }]);
    assert.deepEqual(map.nodes, [
      { service: 'gateway', spanCount: 1, errorCount: 0 },
      { service: 'orders', spanCount: 1, errorCount: 1 },
    ]);
    await store.close();
  });

  it('keeps its counts across a restart, from the index snapshot and from re-reading segment files', async () => {
    const traces = toSpans(
      Array.from({ length: 8 }, (_, t) => [
        { service: 'orders', kind: 4 as const, parent: -1, attrs: ['kafka' as const], error: t % 3 === 0, links: [] },
        { service: 'shipping', kind: 5 as const, parent: 0, attrs: ['kafka' as const], error: false, links: [] },
      ]),
    );
    const dataDir = tmp();
    const store = await counted(traces.map((t) => [...t].reverse()), { segmentSpans: 4 }, dataDir);
    const before = await store.serviceMap(...ALL);
    assert.equal(before.edges[0]?.count, 8);
    await store.close();

    const again = await SegmentStore.open({ dataDir });
    assert.deepEqual(await again.serviceMap(...ALL), before, 'from snapshots');
    await again.close();
    for (const f of fs.readdirSync(path.join(dataDir, 'segments'))) if (f.endsWith('.idx')) fs.rmSync(path.join(dataDir, 'segments', f));
    const reread = await SegmentStore.open({ dataDir });
    assert.deepEqual(await reread.serviceMap(...ALL), before, 'from the files');
    await reread.close();
  });

  it('counts spans that started in the window, to its 10-second buckets, and forgets segments retention dropped', async () => {
    const at = (t: number, startMs: number, service: string, parent?: number) =>
      makeSpan({ trace: t, span: parent === undefined ? 1 : 2, ...(parent !== undefined ? { parent } : {}), service, startMs, durMs: 1, kind: parent === undefined ? 3 : 2 });
    const early = [at(1, T0, 'web'), at(1, T0 + 1, 'api', 1)];
    const late = [at(2, T0 + 60_000, 'web'), at(2, T0 + 60_001, 'api', 1)];
    const store = await counted([early, late], { segmentSpans: 2 });
    const ns = (ms: number) => BigInt(ms) * 1_000_000n;
    const bucketMs = MAP_BUCKET_NS / 1_000_000;
    assert.equal((await store.serviceMap(ns(T0 + 30_000), ns(T0 + 90_000))).edges[0]?.count, 1, 'only the later trace');
    assert.equal((await store.serviceMap(ns(T0 + 60_000 + bucketMs), ns(T0 + 90_000))).edges.length, 0, 'its bucket lies before the window');
    assert.equal((await store.serviceMap(...ALL)).edges[0]?.count, 2);
    await store.deleteOlderThan(ns(T0 + 30_000), 1000);
    assert.deepEqual(
      (await store.serviceMap(...ALL)).nodes.map((n) => [n.service, n.spanCount]),
      [
        ['api', 1],
        ['web', 1],
      ],
    );
    await store.close();
  });

  it('misses a pair whose halves arrive further apart than its tables reach, and keeps counting the rest', async () => {
    const pairs = toSpans(
      Array.from({ length: 40 }, () => [
        { service: 'gateway', kind: 3 as const, parent: -1, attrs: [], error: false, links: [] },
        { service: 'orders', kind: 2 as const, parent: 0, attrs: [], error: false, links: [] },
      ]),
    );
    // Every child first, then every parent: 40 spans between the halves, tables of 16 slots per generation.
    const writes = [...pairs.map((t) => [t[1] as StoredSpan]), ...pairs.map((t) => [t[0] as StoredSpan])];
    const store = await counted(writes, { edgeTables: { seenBits: 4, waitingBits: 4 } });
    const map = await store.serviceMap(...ALL);
    const count = map.edges[0]?.count ?? 0;
    assert.ok(count > 0 && count < 40, `some pairs counted, not all: ${count}`);
    assert.equal(map.nodes.reduce((n, x) => n + x.spanCount, 0), 80, 'every span is counted');
    const near = await counted(pairs.map((t) => [...t].reverse()), { edgeTables: { seenBits: 4, waitingBits: 4 } });
    assert.equal((await near.serviceMap(...ALL)).edges[0]?.count, 40, 'pairs sent close together are all counted');
    await store.close();
    await near.close();
  });

  it('tells apart traces whose ids differ only in their first bytes, with the same span ids in each', async () => {
    // The ingest bench's shape: one template's span ids, trace ids stamped in their first 8 bytes.
    const traces = Array.from({ length: 300 }, (_, t) => {
      const traceId = `${(t + 1).toString(16).padStart(16, '0')}${'ab'.repeat(8)}`;
      const services = [`svc-${t % 7}`, `svc-${(t + 1 + (t % 3)) % 7}`];
      return [0, 1].map((i) => {
        const s = makeSpan({ trace: 1, span: i + 1, ...(i ? { parent: 1 } : {}), service: services[i] as string, kind: i ? 2 : 3, startMs: T0 + t, durMs: 1 });
        s.span.traceId = traceId;
        return s;
      });
    });
    const store = await counted(traces.map((t) => [t[1] as StoredSpan]).concat(traces.map((t) => [t[0] as StoredSpan])));
    assert.deepEqual(await store.serviceMap(...ALL), buildServiceMap(traces));
    await store.close();
  });

  it('looks at a bounded run of slots: entries piling onto one slot beyond it are dropped, not searched for', () => {
    const table = new PairTable(10, true);
    for (let i = 0; i < 200; i++) table.add(7, 7, (1 << 30) | i, i);
    const n = table.take(7, 7, new Uint32Array(TAKE_MAX), new Uint32Array(TAKE_MAX));
    assert.ok(n > 0 && n < 200, `${n} kept`);
    assert.equal(table.get(7, 7), 0, 'all taken');
  });

  it('keeps at most MAX_BUCKETS buckets a segment, counting spans with scattered start times in its end buckets', () => {
    const summary = new MapSummary();
    for (let i = 0; i < MAX_BUCKETS + 500; i++) summary.span(i, 'svc', false);
    assert.equal(summary.snapshot().buckets.size, MAX_BUCKETS);
    const totals = new MapTotals();
    summary.addTo(totals, 0, Number.MAX_SAFE_INTEGER);
    assert.deepEqual(totals.nodes.get('svc'), [MAX_BUCKETS + 500, 0], 'every span is still counted');
  });

  it('starts its dictionaries over once 4,095 services were seen, and names every edge right across the restart', async () => {
    const lone = (t: number, service: string) => makeSpan({ trace: t, span: 1, service, startMs: T0, durMs: 1 });
    const filler = Array.from({ length: 4090 }, (_, i) => lone(10_000 + i, `pod-${i}`));
    const parent = makeSpan({ trace: 1, span: 1, service: 'gateway', kind: 3, startMs: T0, durMs: 1 });
    const child = makeSpan({ trace: 1, span: 2, parent: 1, service: 'orders', kind: 2, startMs: T0, durMs: 1 });
    // One trace (one call of the resolver) whose later spans bring the 4,096th service: the
    // dictionary restarts part way through packing it, and the whole call is packed again.
    const late = [
      makeSpan({ trace: 2, span: 1, service: 'cart', kind: 3, startMs: T0, durMs: 1 }),
      makeSpan({ trace: 2, span: 2, parent: 1, service: 'users', kind: 2, startMs: T0, durMs: 1 }),
      ...Array.from({ length: 10 }, (_, i) => makeSpan({ trace: 2, span: 3 + i, parent: 1, service: `new-${i}`, startMs: T0, durMs: 1 })),
    ];
    const store = await counted([filler, [child], late, [parent]]);
    const map = await store.serviceMap(...ALL);
    assert.deepEqual(
      map.edges.map((e) => [e.from, e.to]),
      [['cart', 'new-0'], ['cart', 'new-1'], ['cart', 'new-2'], ['cart', 'new-3'], ['cart', 'new-4'], ['cart', 'new-5'], ['cart', 'new-6'], ['cart', 'new-7'], ['cart', 'new-8'], ['cart', 'new-9'], ['cart', 'users']],
      'the pair split across the restart (gateway, orders) is lost; the call that restarted it is counted under its own names',
    );
    assert.equal(map.nodes.length, 4090 + 4 + 10);
    await store.close();
  });
});
