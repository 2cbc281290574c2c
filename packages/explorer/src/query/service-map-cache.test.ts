import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServiceMap } from '../api-types.ts';
import { ServiceMapCache } from './service-map-cache.ts';

const HOUR = 3_600_000_000_000n;

/** A cache over a counting builder and a clock the test moves. */
function setup(ttlMs: number) {
  const calls: Array<[bigint, bigint]> = [];
  let now = 1_000_000;
  let fail = false;
  const cache = new ServiceMapCache(
    async (since, until) => {
      calls.push([since, until]);
      if (fail) throw new Error('store closed');
      return { nodes: [{ service: `built ${calls.length}`, spanCount: 1, errorCount: 0 }], edges: [] } satisfies ServiceMap;
    },
    ttlMs,
    () => now,
  );
  const built = async (p: Promise<ServiceMap>) => (await p).nodes[0]?.service;
  return { cache, calls, built, tick: (ms: number) => (now += ms), failNext: (f: boolean) => (fail = f), now: () => now };
}

describe('ServiceMapCache', () => {
  it('builds a window ending now once per ttl, for every request meanwhile', async () => {
    const { cache, calls, built, tick, now } = setup(5000);
    const first = cache.get({ lookbackNs: HOUR });
    const concurrent = cache.get({ lookbackNs: HOUR });
    assert.equal(first, concurrent, 'a request during the build shares it');
    assert.equal(await built(first), 'built 1');
    assert.deepEqual(calls, [[BigInt(now()) * 1_000_000n - HOUR, BigInt(now()) * 1_000_000n]]);
    tick(4999);
    assert.equal(await built(cache.get({ lookbackNs: HOUR })), 'built 1');
    tick(1);
    assert.equal(await built(cache.get({ lookbackNs: HOUR })), 'built 2', 'rebuilt once the ttl is over');
  });

  it('keeps lookbacks and explicit windows apart', async () => {
    const { cache, calls, built } = setup(5000);
    assert.equal(await built(cache.get({ lookbackNs: HOUR })), 'built 1');
    assert.equal(await built(cache.get({ lookbackNs: 2n * HOUR })), 'built 2');
    assert.equal(await built(cache.get({ lookbackNs: HOUR, endNs: 5n * HOUR })), 'built 3');
    assert.equal(await built(cache.get({ lookbackNs: HOUR, endNs: 5n * HOUR })), 'built 3');
    assert.deepEqual(calls[2], [4n * HOUR, 5n * HOUR]);
  });

  it('does not remember a failed build', async () => {
    const { cache, built, failNext } = setup(5000);
    failNext(true);
    await assert.rejects(cache.get({ lookbackNs: HOUR }), /store closed/);
    failNext(false);
    assert.equal(await built(cache.get({ lookbackNs: HOUR })), 'built 2');
  });

  it('builds every time with a ttl of 0', async () => {
    const { cache, built } = setup(0);
    assert.equal(await built(cache.get({ lookbackNs: HOUR })), 'built 1');
    assert.equal(await built(cache.get({ lookbackNs: HOUR })), 'built 2');
  });
});
