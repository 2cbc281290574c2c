/**
 * The service map (counted as spans arrive by the default segment store)
 * equals the one built from the newest traces' spans, and is reused
 * for `serviceMapCacheMs`: a trace stored meanwhile shows after that, not at
 * once. When the reuse ends is the cache's own unit test (an injected clock,
 * packages/explorer/src/query/service-map-cache.test.ts); here, with real
 * requests, a long reuse window and none at all.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildServiceMap } from '../../packages/explorer/src/index.ts';
import { getJson, startTestExplorer } from './helpers.ts';
import { postSeed, seedTraces } from './seed.ts';

type TestExplorer = Awaited<ReturnType<typeof startTestExplorer>>;

const now = Date.now();
const newTrace = {
  name: 'F',
  traceId: 'f'.repeat(32),
  env: 'prod',
  spans: [
    { id: 1, service: 'web', name: 'GET /search', kind: 3, startMs: now - 1000, durMs: 20, attrs: { 'http.request.method': 'GET' } },
    { id: 2, parent: 1, service: 'search', name: 'GET /search', kind: 2, startMs: now - 990, durMs: 10 },
  ],
};
const map = async (ex: TestExplorer) => (await getJson<{ edges: Array<{ from: string; to: string }> }>(`${ex.url}/api/tw/service-map?lookback=1h`)).body;
const direct = async (ex: TestExplorer) =>
  JSON.parse(JSON.stringify(buildServiceMap(await ex.store.recentTraces(BigInt(Date.now() - 3_600_000) * 1_000_000n, BigInt(Date.now()) * 1_000_000n, 5000))));
const hasNewEdge = (m: { edges: Array<{ from: string; to: string }> }) => m.edges.some((e) => e.from === 'web' && e.to === 'search');

describe('explorer service map', () => {
  let reused: TestExplorer;
  let fresh: TestExplorer;

  before(async () => {
    reused = await startTestExplorer({ serviceMapCacheMs: 3_600_000 });
    fresh = await startTestExplorer({ serviceMapCacheMs: 0 });
    for (const ex of [reused, fresh]) await postSeed(ex.httpPort, seedTraces(now));
  });
  after(async () => {
    await reused.close();
    await fresh.close();
  });

  it('answers what building the map from the newest traces gives, and reuses it within the window', async () => {
    const first = await map(reused);
    assert.deepEqual(first, await direct(reused));
    await postSeed(reused.httpPort, [newTrace]);
    assert.deepEqual(await map(reused), first, 'within the window the map is the one already built');
    assert.ok(!hasNewEdge(first));
  });

  it('builds the map for every request when reuse is off', async () => {
    assert.deepEqual(await map(fresh), await direct(fresh));
    await postSeed(fresh.httpPort, [newTrace]);
    const later = await map(fresh);
    assert.deepEqual(later, await direct(fresh));
    assert.ok(hasNewEdge(later), 'the new edge shows at once');
  });
});
