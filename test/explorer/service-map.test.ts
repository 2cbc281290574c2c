/**
 * The service map is computed from the newest traces as before, and reused
 * for `serviceMapCacheMs`: a trace stored meanwhile shows after that, not at once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildServiceMap } from '../../packages/explorer/src/index.ts';
import { getJson, startTestExplorer } from './helpers.ts';
import { postSeed, seedTraces } from './seed.ts';

const TTL_MS = 400;

describe('explorer service map', () => {
  let ex: Awaited<ReturnType<typeof startTestExplorer>>;
  const now = Date.now();
  const map = async () => (await getJson<unknown>(`${ex.url}/api/tw/service-map?lookback=1h`)).body;
  const direct = async () => JSON.parse(JSON.stringify(buildServiceMap(await ex.store.recentTraces(BigInt(Date.now() - 3_600_000) * 1_000_000n, BigInt(Date.now()) * 1_000_000n, 5000))));

  before(async () => {
    ex = await startTestExplorer({ serviceMapCacheMs: TTL_MS });
    await postSeed(ex.httpPort, seedTraces(now));
  });
  after(() => ex.close());

  it('answers what building the map from the newest traces gives, and reuses it for the ttl', async () => {
    const first = await map();
    assert.deepEqual(first, await direct());
    await postSeed(ex.httpPort, [
      {
        name: 'F',
        traceId: 'f'.repeat(32),
        env: 'prod',
        spans: [
          { id: 1, service: 'web', name: 'GET /search', kind: 3, startMs: now - 1000, durMs: 20, attrs: { 'http.request.method': 'GET' } },
          { id: 2, parent: 1, service: 'search', name: 'GET /search', kind: 2, startMs: now - 990, durMs: 10 },
        ],
      },
    ]);
    assert.deepEqual(await map(), first, 'within the ttl the map is the one already built');
    await sleep(TTL_MS + 50);
    const later = (await map()) as { edges: Array<{ from: string; to: string }> };
    assert.deepEqual(later, await direct());
    assert.ok(later.edges.some((e) => e.from === 'web' && e.to === 'search'), 'after the ttl the new edge shows');
  });
});
