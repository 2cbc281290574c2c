/** Each search filter alone and combined returns exactly the matching seeded traces. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getJson, startTestExplorer } from './helpers.ts';
import { type SeedTrace, postSeed, seedTraces } from './seed.ts';

type Ex = Awaited<ReturnType<typeof startTestExplorer>>;

describe('explorer search', () => {
  let ex: Ex;
  let seed: SeedTrace[];
  const now = Date.now();
  const names = (ids: string[]) => ids.map((id) => seed.find((t) => t.traceId === id)?.name ?? id);

  async function tw(query: string): Promise<string[]> {
    const r = await getJson<{ total: number; traces: Array<{ traceId: string }> }>(`${ex.url}/api/tw/search?${query}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return names(r.body.traces.map((t) => t.traceId));
  }
  const sorted = async (query: string) => (await tw(query)).sort();

  before(async () => {
    ex = await startTestExplorer();
    seed = seedTraces(now);
    await postSeed(ex.httpPort, seed);
  });
  after(() => ex.close());

  const cases: Array<[string, string, string[]]> = [
    ['no filter', '', ['A', 'B', 'C', 'D', 'E']],
    ['service (any span, root or not)', 'service=web', ['A', 'B', 'D', 'E']],
    ['service of a non-root span', 'service=cart', ['A']],
    ['operation alone', 'operation=GET%20/cart', ['A', 'D']],
    ['service + operation on the same span', 'service=payments&operation=payments/Charge', ['B']],
    ['kind', 'kind=consumer', ['C']],
    ['kind + service', 'kind=client&service=web', ['A', 'B']],
    ['errors only', 'status=error', ['B', 'D']],
    ['free text on span names, any case', 'q=CHECK', ['B']],
    ['free text is not a LIKE pattern', 'q=%25', []],
    ['attr equals (resource)', 'attr=env=prod', ['A', 'B', 'E']],
    ['attr equals (span, int value)', 'attr=http.status_code=500', ['D']],
    ['attr not equal', 'attr=env!=prod', ['C', 'D']],
    ['attr prefix', 'attr=http.route=/c*', ['A', 'B', 'D']],
    ['attr exists', 'attr=card.brand', ['B']],
    ['attr absent', 'attr=!card.brand', ['A', 'C', 'D', 'E']],
    ['two attrs', 'attr=env=prod&attr=http.route', ['A', 'B']],
    ['span.kind tag', 'attr=span.kind=producer', ['C']],
    ['min duration', 'minDuration=200ms', ['B', 'D']],
    ['max duration', 'maxDuration=60ms', ['C', 'E']],
    ['duration range', 'minDuration=0.1s&maxDuration=300ms', ['A', 'D']],
    ['lookback', 'lookback=1h', ['A', 'B', 'C', 'D']],
    ['start and end (ms)', `start=${now - 10 * 60_000 + 30_000}&end=${now - 10 * 60_000 + 150_000}`, ['B', 'C']],
    ['start as RFC 3339', `start=${encodeURIComponent(new Date(now - 10 * 60_000 + 170_000).toISOString())}`, ['D']],
    ['combined: service, errors, attr', 'service=web&status=error&attr=env=staging', ['D']],
    ['combined: service, duration, lookback', 'service=web&minDuration=200ms&lookback=1h', ['B', 'D']],
    ['combined: nothing matches', 'service=worker&status=error', []],
    ['unknown service', 'service=nope', []],
  ];
  for (const [what, query, expected] of cases) {
    it(`filters by ${what}`, async () => {
      assert.deepEqual(await sorted(query), expected);
    });
  }

  describe('with the count bounded at 1 (newest-first pages then walk the start index)', () => {
    let small: Ex;
    before(async () => {
      small = await startTestExplorer({ searchCountCap: 1 });
      await postSeed(small.httpPort, seed);
    });
    after(() => small.close());
    const search = (query: string) =>
      getJson<{ total: number; totalCapped: boolean; traces: Array<{ traceId: string }> }>(`${small.url}/api/tw/search?${query}`);

    for (const [what, query, expected] of cases) {
      it(`finds the same traces and bounds the total, filtering by ${what}`, async () => {
        const r = await search(query);
        assert.equal(r.status, 200, JSON.stringify(r.body));
        assert.deepEqual(names(r.body.traces.map((t) => t.traceId)).sort(), expected);
        // One short page: the end was reached, so the total is exact even past the bound.
        assert.deepEqual([r.body.total, r.body.totalCapped], [expected.length, false]);
        const first = await search(`${query}&limit=1`);
        assert.deepEqual([first.body.total, first.body.totalCapped], [Math.min(expected.length, 1), expected.length > 1]);
      });
    }

    it('pages newest first as the counted search does', async () => {
      const pages: string[] = [];
      for (let offset = 0; offset < 6; offset += 2) pages.push(...names((await search(`limit=2&offset=${offset}`)).body.traces.map((t) => t.traceId)));
      assert.deepEqual(pages, ['D', 'C', 'B', 'A', 'E']);
      const second = await search('limit=2&offset=2');
      assert.deepEqual([second.body.total, second.body.totalCapped], [4, true], 'at least the traces shown so far');
      const third = await search('limit=2&offset=4');
      assert.deepEqual([third.body.total, third.body.totalCapped], [5, false], 'a short last page: exact');
      assert.deepEqual(names((await search('sort=longest')).body.traces.map((t) => t.traceId)), ['B', 'D', 'A', 'C', 'E']);
    });
  });

  it('sorts by recent, longest and span count, and pages with a total', async () => {
    assert.deepEqual(await tw('sort=recent'), ['D', 'C', 'B', 'A', 'E']);
    assert.deepEqual(await tw('sort=longest'), ['B', 'D', 'A', 'C', 'E']);
    assert.deepEqual((await tw('sort=spans')).slice(0, 1), ['B']);
    const r = await getJson<{ total: number; limit: number; offset: number; traces: Array<{ traceId: string }> }>(`${ex.url}/api/tw/search?limit=2&offset=2`);
    assert.equal(r.body.total, 5);
    assert.equal((r.body as { totalCapped?: boolean }).totalCapped, false);
    assert.equal(r.body.limit, 2);
    assert.equal(r.body.offset, 2);
    assert.deepEqual(names(r.body.traces.map((t) => t.traceId)), ['B', 'A']);
  });

  it('summarises each trace', async () => {
    const r = await getJson<{ traces: Array<Record<string, unknown>> }>(`${ex.url}/api/tw/search?attr=card.brand`);
    const b = seed[1] as SeedTrace;
    assert.deepEqual(r.body.traces[0], {
      traceId: b.traceId,
      rootService: 'web',
      rootName: 'GET /checkout',
      startMs: (b.spans[0] as { startMs: number }).startMs,
      durationMs: 900,
      spanCount: 4,
      errorCount: 2,
      services: [
        { name: 'payments', spanCount: 2 },
        { name: 'web', spanCount: 2 },
      ],
    });
  });

  it('answers 400 naming the bad parameter', async () => {
    for (const [query, parameter] of [
      ['limit=abc', 'limit'],
      ['limit=5000', 'limit'],
      ['minDuration=fast', 'minDuration'],
      ['kind=sideways', 'kind'],
      ['attr==x', 'attr'],
      ['start=yesterday', 'start'],
      ['lookback=forever', 'lookback'],
      ['sort=random', 'sort'],
      ['status=maybe', 'status'],
    ] as const) {
      const r = await getJson<{ error: string; parameter: string }>(`${ex.url}/api/tw/search?${query}`);
      assert.equal(r.status, 400, query);
      assert.equal(r.body.parameter, parameter, query);
      assert.ok(r.body.error.length > 0);
    }
  });

  it('treats quotes and SQL in values as data', async () => {
    assert.deepEqual(await sorted(`attr=${encodeURIComponent("env=prod' OR 1=1 --")}`), []);
    assert.deepEqual(await sorted(`service=${encodeURIComponent("web' OR '1'='1")}`), []);
  });

  describe('Jaeger v1 API', () => {
    const jaeger = async (query: string) => {
      const r = await getJson<{ data: Array<{ traceID: string }> }>(`${ex.url}/api/traces?${query}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return names(r.body.data.map((t) => t.traceID)).sort();
    };
    it('lists services and operations', async () => {
      const s = await getJson<{ data: string[]; total: number }>(`${ex.url}/api/services`);
      assert.deepEqual(s.body.data, ['cart', 'orders', 'payments', 'web', 'worker']);
      assert.equal(s.body.total, 5);
      const o = await getJson<{ data: string[] }>(`${ex.url}/api/services/payments/operations`);
      assert.deepEqual(o.body.data, ['fraud check', 'payments/Charge']);
      const ok = await getJson<{ data: Array<{ name: string; spanKind: string }> }>(`${ex.url}/api/operations?service=web&spanKind=server`);
      assert.deepEqual(ok.body.data, [
        { name: 'GET /cart', spanKind: 'server' },
        { name: 'GET /checkout', spanKind: 'server' },
        { name: 'GET /old', spanKind: 'server' },
      ]);
    });
    it('searches by service, operation, tags and durations', async () => {
      assert.deepEqual(await jaeger('service=web'), ['A', 'B', 'D', 'E']);
      assert.deepEqual(await jaeger('service=web&operation=GET%20/cart'), ['A', 'D']);
      assert.deepEqual(await jaeger(`service=web&tags=${encodeURIComponent('{"env":"prod"}')}`), ['A', 'B', 'E']);
      assert.deepEqual(await jaeger(`service=web&tags=${encodeURIComponent('error=true env=staging')}`), ['D']);
      assert.deepEqual(await jaeger('service=web&minDuration=200ms&maxDuration=1s'), ['B', 'D']);
      const startUs = (now - 10 * 60_000 + 30_000) * 1000;
      assert.deepEqual(await jaeger(`service=web&start=${startUs}&end=${(now - 10 * 60_000 + 200_000) * 1000}`), ['B', 'D']);
      assert.deepEqual(await jaeger('service=web&limit=1'), ['D']);
    });
    it('answers 404 for an unknown trace and 400 for bad tags', async () => {
      assert.equal((await getJson(`${ex.url}/api/traces/${'ab'.repeat(16)}`)).status, 404);
      const bad = await getJson<{ parameter: string }>(`${ex.url}/api/traces?service=web&tags=${encodeURIComponent('{nope')}`);
      assert.equal(bad.status, 400);
      assert.equal(bad.body.parameter, 'tags');
      const bad2 = await getJson<{ parameter: string }>(`${ex.url}/api/traces/not-hex`);
      assert.equal(bad2.status, 400);
      assert.equal(bad2.body.parameter, 'traceId');
    });
    it('derives dependencies', async () => {
      const r = await getJson<{ data: Array<{ parent: string; child: string; callCount: number }> }>(`${ex.url}/api/dependencies?endTs=${now}&lookback=3600000`);
      assert.deepEqual(
        r.body.data.sort((a, b) => a.parent.localeCompare(b.parent) || a.child.localeCompare(b.child)),
        [
          { parent: 'orders', child: 'worker', callCount: 1 },
          { parent: 'web', child: 'cart', callCount: 1 },
          { parent: 'web', child: 'payments', callCount: 1 },
        ],
      );
    });
  });

  it('builds the service map with kinds and error rates', async () => {
    const r = await getJson<{ nodes: unknown[]; edges: unknown[] }>(`${ex.url}/api/tw/service-map?lookback=1h`);
    assert.deepEqual(r.body.edges, [
      { from: 'orders', to: 'worker', kind: 'messaging', system: 'kafka', count: 1, errorCount: 0, errorRate: 0 },
      { from: 'web', to: 'cart', kind: 'http', count: 1, errorCount: 0, errorRate: 0 },
      { from: 'web', to: 'payments', kind: 'rpc', count: 1, errorCount: 1, errorRate: 1 },
    ]);
    assert.deepEqual(r.body.nodes, [
      { service: 'cart', spanCount: 1, errorCount: 0 },
      { service: 'orders', spanCount: 2, errorCount: 0 },
      { service: 'payments', spanCount: 2, errorCount: 1 },
      { service: 'web', spanCount: 5, errorCount: 2 },
      { service: 'worker', spanCount: 1, errorCount: 0 },
    ]);
  });

  it('serves a trace as OTLP JSON for download, and status', async () => {
    const a = seed[0] as SeedTrace;
    const res = await fetch(`${ex.url}/api/tw/traces/${a.traceId}/otlp`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="trace-5eed/);
    const body = (await res.json()) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: unknown[] }> }> };
    assert.equal(body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)).length, 3);
    const st = await getJson<{ version: string; spans: number; traces: number; dbBytes: number; oldestMs: number }>(`${ex.url}/api/tw/status`);
    assert.equal(st.body.traces, 5);
    assert.equal(st.body.spans, 12);
    assert.ok(st.body.dbBytes > 0);
    assert.equal(st.body.oldestMs, now - 3 * 3_600_000);
    const missing = await getJson<{ error: string }>(`${ex.url}/api/tw/traces/${'ab'.repeat(16)}`);
    assert.equal(missing.status, 404);
    assert.match(missing.body.error, /not found/);
  });
});
