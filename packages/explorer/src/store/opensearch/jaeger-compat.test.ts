import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Explorer, startExplorer } from '../../explorer.ts';
import { makeSpan } from '../store-contract.ts';
import { OpenSearchStore } from './opensearch-store.ts';
import { dropPrefix, ensureCluster, uniquePrefix } from './test-cluster.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../../../../test/fixtures/jaeger');
const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8')) as Record<string, unknown>;

/** OpenSearch answers `dynamic` as a string and keys in its own order: compare like with like. */
function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, x]) => [k, k === 'dynamic' || k === 'enabled' ? String(x) : normalize(x)]),
    );
  }
  return v;
}

describe('OpenSearch store: Jaeger compatibility', () => {
  let nodes: string[];
  const prefix = uniquePrefix();
  let store: OpenSearchStore;
  const get = async (p: string) => (await fetch(`${nodes[0]}${p}`)).json() as Promise<Record<string, { mappings: Record<string, unknown> }>>;

  before(async () => {
    nodes = ensureCluster();
    store = new OpenSearchStore({ nodes, indexPrefix: prefix });
  });
  after(async () => {
    await store.close();
    await dropPrefix(prefix);
  });

  it("creates daily span and service indices with Jaeger's mappings, plus one unindexed tracewire field", async () => {
    const span = makeSpan({ trace: 0x7000, span: 1, startMs: Date.now(), durMs: 3, kind: 2 });
    await store.write([span]);
    const day = new Date(Date.now()).toISOString().slice(0, 10);
    const spanMappings = (await get(`/${prefix}-jaeger-span-${day}/_mapping`))[`${prefix}-jaeger-span-${day}`]?.mappings as Record<string, Record<string, unknown>>;
    const { tracewire, ...jaegerProps } = spanMappings.properties as Record<string, unknown>;
    assert.deepEqual(normalize(tracewire), normalize({ type: 'object', enabled: false }));
    const expected = (fixture('span.os1-3.json').body as { mappings: Record<string, unknown> }).mappings;
    assert.deepEqual(normalize({ ...spanMappings, properties: jaegerProps }), normalize(expected));

    const serviceMappings = (await get(`/${prefix}-jaeger-service-${day}/_mapping`))[`${prefix}-jaeger-service-${day}`]?.mappings as Record<string, Record<string, unknown>>;
    // spanKind is written as Jaeger writes it (dbmodel.ServiceWithKind) and, as there, mapped dynamically.
    const { spanKind, ...serviceProps } = serviceMappings.properties as Record<string, unknown>;
    assert.ok(spanKind);
    const expectedService = (fixture('service.os1-3.json').body as { mappings: Record<string, unknown> }).mappings;
    assert.deepEqual(normalize({ ...serviceMappings, properties: serviceProps }), normalize(expectedService));
  });

  it('writes span documents in the form Jaeger reads: ids, µs times, references, process, convention tags', async () => {
    const parent = makeSpan({ trace: 0x7001, span: 1, startMs: Date.now(), durMs: 9, kind: 2, service: 'shop' });
    const child = makeSpan({ trace: 0x7001, span: 2, parent: 1, startMs: Date.now(), durMs: 2, kind: 4, service: 'shop', error: true });
    child.span.links = [{ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), attributes: [] }];
    await store.write([parent, child]);
    const res = (await (await fetch(`${nodes[0]}/${prefix}-jaeger-span-*/_search?q=spanID:${child.span.spanId}`)).json()) as {
      hits: { hits: Array<{ _source: Record<string, unknown> }> };
    };
    const doc = res.hits.hits[0]?._source as Record<string, unknown>;
    assert.equal(doc.traceID, '0000000000007001', "a trace id whose high half is zero has Jaeger's 16 digits");
    assert.equal(doc.startTime, Math.floor(Number(BigInt(child.span.startTimeUnixNano) / 1000n)));
    assert.equal(doc.startTimeMillis, Math.floor((doc.startTime as number) / 1000));
    assert.equal(doc.duration, 2000);
    assert.deepEqual(doc.references, [
      { refType: 'CHILD_OF', traceID: '0000000000007001', spanID: parent.span.spanId },
      { refType: 'FOLLOWS_FROM', traceID: 'ab'.repeat(16), spanID: 'cd'.repeat(8) },
    ]);
    assert.deepEqual(doc.process, { serviceName: 'shop', tags: [] });
    const tags = doc.tags as Array<{ key: string; value: string }>;
    assert.deepEqual(
      tags.filter((t) => ['span.kind', 'otel.status_code', 'error'].includes(t.key)).map((t) => `${t.key}=${t.value}`),
      ['span.kind=producer', 'otel.status_code=ERROR', 'error=true'],
    );
  });

  describe('an explorer on a cluster Jaeger wrote to', () => {
    let ex: Explorer;
    before(async () => {
      await store.ensureTemplates();
      // Exactly as Jaeger stored it: its day index, its own document id, its service document.
      const doc = fixture('es_01.json');
      await fetch(`${nodes[0]}/${prefix}-jaeger-span-2017-01-26/_doc?refresh=true`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(doc) });
      await fetch(`${nodes[0]}/${prefix}-jaeger-service-2017-01-26/_doc?refresh=true`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ serviceName: 'service-x', operationName: 'test-general-conversion' }),
      });
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-os-'));
      ex = await startExplorer({ dataDir, grpcPort: 0, httpPort: 0, uiPort: 0, store: 'opensearch', opensearchUrls: nodes, opensearchIndexPrefix: prefix });
    });
    after(() => ex.close());

    it('shows the span through the explorer API with its tags typed again', async () => {
      const view = (await (await fetch(`${ex.url}/api/tw/traces/1`)).json()) as { spans: Array<Record<string, unknown>> };
      const [s] = view.spans;
      assert.equal(s?.name, 'test-general-conversion');
      assert.equal(s?.service, 'service-x');
      assert.equal(s?.spanId, '0000000000000002');
      assert.equal(s?.parentSpanId, '0000000000000003');
      assert.equal(s?.startNs, '1485467191639875000');
      assert.equal(s?.durationNs, '5000');
      assert.deepEqual((s?.status as { code: string }).code, 'ERROR');
      assert.deepEqual(s?.attributes, [
        { key: 'peer.service', value: 'service-y', type: 'string' },
        { key: 'peer.ipv4', value: 23456, type: 'int' },
        { key: 'temperature', value: 72.5, type: 'double' },
        { key: 'blob', value: Buffer.from('00003039', 'hex').toString('base64'), type: 'bytes' },
      ]);
      assert.deepEqual(
        (s?.links as Array<{ spanId: string }>).map((l) => l.spanId),
        ['0000000000000004', '00000000000000ff'],
      );
      assert.equal((s?.events as unknown[]).length, 2);
    });

    it('finds it by service in its time window, and lists the service, through both APIs', async () => {
      const search = (await (await fetch(`${ex.url}/api/tw/search?service=service-x&start=1485467000000&end=1485468000000`)).json()) as {
        total: number;
        traces: Array<{ traceId: string; errorCount: number }>;
      };
      assert.equal(search.total, 1);
      assert.equal(search.traces[0]?.traceId, '00000000000000000000000000000001');
      assert.equal(search.traces[0]?.errorCount, 1);
      const services = (await (await fetch(`${ex.url}/api/services`)).json()) as { data: string[] };
      assert.ok(services.data.includes('service-x'));
      const jaeger = (await (await fetch(`${ex.url}/api/traces/0000000000000001`)).json()) as { data: Array<{ spans: Array<{ operationName: string }> }> };
      assert.equal(jaeger.data[0]?.spans[0]?.operationName, 'test-general-conversion');
    });
  });
});
