/**
 * The behaviour every Store implementation owes the receivers and the query API, as one suite run
 * against each (store-contract.test.ts for SQLite, opensearch/opensearch-store.test.ts for
 * OpenSearch). Implementation-specific promises (SQLite's schema migration and write grouping,
 * OpenSearch's index layout) stay in their own test files.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KeyValue, SpanKindNumber, StoredSpan } from '../model.ts';
import type { SearchQuery, Store } from './store.ts';

export interface StoreUnderTest {
  store: Store;
  cleanup(): Promise<void>;
}

const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
const str = (key: string, value: string): KeyValue => ({ key, value: { stringValue: value } });

interface SpanSpec {
  trace: number;
  span: number;
  parent?: number;
  service?: string;
  name?: string;
  kind?: SpanKindNumber;
  startMs: number;
  durMs: number;
  attrs?: KeyValue[];
  error?: boolean;
  resourceAttrs?: KeyValue[];
}

export function makeSpan(s: SpanSpec): StoredSpan {
  const service = s.service ?? 'svc';
  const start = BigInt(s.startMs) * 1_000_000n + 123n;
  return {
    service,
    resource: { attributes: [str('service.name', service), ...(s.resourceAttrs ?? [])] },
    scope: { name: 'contract', version: '1.0' },
    span: {
      traceId: hex(s.trace, 32),
      spanId: hex(s.trace * 1000 + s.span, 16),
      parentSpanId: s.parent === undefined ? '' : hex(s.trace * 1000 + s.parent, 16),
      name: s.name ?? `op ${s.span}`,
      kind: s.kind ?? 1,
      startTimeUnixNano: String(start),
      endTimeUnixNano: String(start + BigInt(s.durMs) * 1_000_000n),
      attributes: s.attrs ?? [],
      events: [],
      links: [],
      status: { code: s.error ? 2 : 0 },
    },
  };
}

const q = (over: Partial<SearchQuery> = {}): SearchQuery => ({ attrs: [], limit: 100, offset: 0, sort: 'recent', ...over });

export function describeStoreContract(name: string, open: () => Promise<StoreUnderTest>): void {
  describe(`Store contract: ${name}`, () => {
    let under: StoreUnderTest;
    let store: Store;
    const now = Date.now() - 60_000;
    // Trace 1: gateway -> orders (error), resource region=eu. Trace 2: orders alone, long. Trace 3: no root yet.
    const seed: StoredSpan[] = [
      makeSpan({ trace: 1, span: 1, service: 'gateway', name: 'POST /orders', kind: 2, startMs: now, durMs: 50, attrs: [str('http.route', '/orders')], resourceAttrs: [str('region', 'eu')] }),
      makeSpan({ trace: 1, span: 2, parent: 1, service: 'orders', name: 'CreateOrder', kind: 2, startMs: now + 5, durMs: 30, error: true, attrs: [str('order.id', 'o-42')] }),
      makeSpan({ trace: 2, span: 1, service: 'orders', name: 'Reindex', kind: 1, startMs: now + 1000, durMs: 400, attrs: [str('order.id', 'o-77')] }),
      makeSpan({ trace: 3, span: 2, parent: 1, service: 'orders', name: 'CreateOrder', kind: 2, startMs: now + 2000, durMs: 10 }),
    ];

    before(async () => {
      under = await open();
      store = under.store;
      await store.write(seed.slice(0, 1));
      await store.write(seed.slice(1));
    });
    after(async () => {
      await under.cleanup();
    });

    const ids = async (query: Partial<SearchQuery>) => (await store.search(q(query))).traces.map((t) => Number.parseInt(t.traceId, 16));

    it('reads a trace back span for span, and answers undefined for an unknown id', async () => {
      const spans = await store.getTrace(hex(1, 32));
      assert.deepEqual(
        spans?.map((s) => s.span).sort((a, b) => a.spanId.localeCompare(b.spanId)),
        seed.slice(0, 2).map((s) => s.span),
      );
      assert.deepEqual(spans?.[0]?.resource.attributes, seed[0]?.resource.attributes);
      assert.equal(await store.getTrace(hex(99, 32)), undefined);
    });

    it('keeps one copy of a span an exporter sends again, so counts stay exact', async () => {
      await store.write(seed.slice(0, 2));
      const r = await store.search(q({ service: 'gateway' }));
      assert.equal(r.total, 1);
      assert.equal(r.traces[0]?.spanCount, 2);
      assert.equal(r.traces[0]?.errorCount, 1);
      assert.equal((await store.getTrace(hex(1, 32)))?.length, 2);
    });

    it('summarises a trace: root, start, duration, services', async () => {
      const [t1] = (await store.search(q({ service: 'gateway' }))).traces;
      assert.equal(t1?.rootName, 'POST /orders');
      assert.equal(t1?.rootService, 'gateway');
      assert.equal(t1?.rootKnown, true);
      assert.equal(t1?.startNs, BigInt(now) * 1_000_000n + 123n);
      assert.equal(t1?.durationNs, 50_000_000n);
      assert.deepEqual(t1?.services, [{ name: 'gateway', spanCount: 1 }, { name: 'orders', spanCount: 1 }]);
      const [t3] = (await store.search(q({ text: 'createorder', minDurationNs: 0n, maxDurationNs: 20_000_000n }))).traces;
      assert.equal(t3?.rootKnown, false, 'the parent has not arrived: the earliest span stands in');
    });

    it('filters by service, operation and kind on the same span', async () => {
      assert.deepEqual(await ids({ service: 'orders' }), [3, 2, 1]);
      assert.deepEqual(await ids({ service: 'orders', operation: 'CreateOrder' }), [3, 1]);
      assert.deepEqual(await ids({ service: 'orders', kind: 1 }), [2]);
      assert.deepEqual(await ids({ service: 'gateway', operation: 'Reindex' }), []);
    });

    it('filters by span and resource attributes, per trace', async () => {
      assert.deepEqual(await ids({ attrs: [{ op: 'eq', key: 'order.id', value: 'o-42' }] }), [1]);
      assert.deepEqual(await ids({ attrs: [{ op: 'prefix', key: 'order.id', value: 'o-' }] }), [2, 1]);
      assert.deepEqual(await ids({ attrs: [{ op: 'ne', key: 'order.id', value: 'o-42' }] }), [2]);
      assert.deepEqual(await ids({ attrs: [{ op: 'exists', key: 'http.route' }] }), [1]);
      assert.deepEqual(await ids({ attrs: [{ op: 'absent', key: 'order.id' }] }), [3]);
      assert.deepEqual(await ids({ attrs: [{ op: 'eq', key: 'region', value: 'eu' }] }), [1], 'resource attribute');
      // Conditions met by different spans of one trace.
      assert.deepEqual(await ids({ service: 'gateway', attrs: [{ op: 'eq', key: 'order.id', value: 'o-42' }] }), [1]);
      assert.deepEqual(await ids({ attrs: [{ op: 'eq', key: 'span.kind', value: 'server' }] }), [3, 1], 'Jaeger-visible kind tag');
    });

    it('filters by errors, name text, duration and start window', async () => {
      assert.deepEqual(await ids({ errorsOnly: true }), [1]);
      assert.deepEqual(await ids({ text: 'reIND' }), [2]);
      assert.deepEqual(await ids({ minDurationNs: 100_000_000n }), [2]);
      assert.deepEqual(await ids({ maxDurationNs: 60_000_000n }), [3, 1]);
      const ns = (ms: number) => BigInt(ms) * 1_000_000n;
      assert.deepEqual(await ids({ startNs: ns(now + 500), endNs: ns(now + 1500) }), [2]);
    });

    it('sorts newest first, longest, or by span count, and pages', async () => {
      assert.deepEqual(await ids({}), [3, 2, 1]);
      assert.deepEqual(await ids({ sort: 'longest' }), [2, 1, 3]);
      assert.deepEqual(await ids({ sort: 'spans' }), [1, 3, 2]);
      const page = await store.search(q({ limit: 1, offset: 1 }));
      assert.equal(page.total, 3);
      assert.equal(page.totalCapped, false);
      assert.deepEqual(page.traces.map((t) => Number.parseInt(t.traceId, 16)), [2]);
    });

    it('lists services and operations with their kinds', async () => {
      assert.deepEqual(await store.services(), ['gateway', 'orders']);
      assert.deepEqual(await store.operations('orders'), [
        { service: 'orders', name: 'CreateOrder', kind: 2 },
        { service: 'orders', name: 'Reindex', kind: 1 },
      ]);
      assert.equal((await store.operations()).length, 3);
    });

    it('gives the spans of recent traces for the service map, and counts what it holds', async () => {
      const recent = await store.recentTraces(BigInt(now - 1000) * 1_000_000n, BigInt(now + 5000) * 1_000_000n, 10);
      assert.deepEqual(recent.map((t) => t.length).sort(), [1, 1, 2]);
      const status = await store.status();
      assert.equal(status.spans, 4);
      assert.equal(status.traces, 3);
      assert.ok(status.oldestMs !== null && Math.abs(status.oldestMs - now) <= 1);
    });
  });
}
