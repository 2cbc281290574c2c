import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import type { StoredSpan } from '../../model.ts';
import { decodeProtobuf } from '../../receive/decode.ts';
import { storeProtobuf } from '../../receive/export.ts';
import { DEFAULT_LIMITS, type SpanLimits } from '../../receive/limits.ts';
import { sdkRequests } from '../segments/sdk-requests.ts';
import { SEGMENTS_DIR, SegmentStore } from '../segments/segment-store.ts';
import { makeSpan } from '../store-contract.ts';
import type { Store } from '../store.ts';
import { ShardClient } from './shard-client.ts';
import { ShardedStore, shardCountOf } from './sharded-store.ts';

const dirs: string[] = [];
const tmp = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-sharded-'));
  dirs.push(dir);
  return dir;
};
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Every stored span of the store's traces, comparable across stores. */
async function contents(store: Store, traceIds: Iterable<string>): Promise<string[]> {
  const replacer = (_k: string, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v);
  const out: string[] = [];
  for (const id of traceIds) for (const s of (await store.getTrace(id)) ?? ([] as StoredSpan[])) out.push(JSON.stringify(s, replacer));
  return out.sort();
}

describe('ShardedStore', () => {
  // Each limit sends the receiver down another path: stored as sent by every shard, decoded
  // (a per-span limit cuts a value), scanned by every shard before storing (a request that could
  // reach the item budget), or refused a part (the span cap). The outcome is the unsharded store's.
  const cases: Array<[string, Partial<SpanLimits>]> = [
    ['default limits: every part stored as sent', {}],
    ['a value longer than the limit: the request is decoded', { maxValueLength: 6 }],
    ['an item budget a request may reach: parts scanned first, stored when they fit', { maxItemsPerRequest: 60 }],
    ['fewer spans a request than sent: the request is decoded and capped', { maxSpansPerRequest: 3 }],
  ];
  for (const [name, override] of cases) {
    it(`stores what the unsharded store stores, and answers the same (${name})`, async () => {
      const limits = { ...DEFAULT_LIMITS, ...override };
      const requests = fc.sample(sdkRequests, { numRuns: 25, seed: 12 });
      const plain = await SegmentStore.open({ dataDir: tmp() });
      const sharded = await ShardedStore.open({ dataDir: tmp(), shards: 3 });
      try {
        const traceIds = new Set<string>();
        for (const body of requests) {
          for (const s of decodeProtobuf(body).spans) traceIds.add(s.span.traceId);
          const a = await storeProtobuf(plain, body, limits);
          const b = await storeProtobuf(sharded, body, limits);
          assert.deepEqual(b, a);
        }
        // Sending everything again stores nothing twice.
        for (const body of requests) await storeProtobuf(sharded, body, limits);
        assert.deepEqual(await contents(sharded, traceIds), await contents(plain, traceIds));
        assert.equal((await sharded.status()).spans, (await plain.status()).spans);
        assert.equal((await sharded.status()).traces, (await plain.status()).traces);
        const q = { attrs: [], limit: 1000, offset: 0, sort: 'recent' as const };
        const ids = (r: Awaited<ReturnType<Store['search']>>) => r.traces.map((t) => t.traceId).sort();
        assert.deepEqual(ids(await sharded.search(q)), ids(await plain.search(q)));
        assert.deepEqual(await sharded.operations(), await plain.operations());
        assert.deepEqual(await sharded.serviceMap(0n, 2n ** 63n), await plain.serviceMap(0n, 2n ** 63n));
      } finally {
        await plain.close();
        await sharded.close();
      }
    });
  }

  it('keeps a directory at the shard count it was made with, and reopens with every trace', async () => {
    const dir = tmp();
    const requests = fc.sample(sdkRequests, { numRuns: 10, seed: 3 });
    const first = await ShardedStore.open({ dataDir: dir, shards: 3 });
    const traceIds = new Set<string>();
    for (const body of requests) {
      for (const s of decodeProtobuf(body).spans) traceIds.add(s.span.traceId);
      await storeProtobuf(first, body, DEFAULT_LIMITS);
    }
    const before = await contents(first, traceIds);
    await first.close();
    assert.equal(shardCountOf(dir), 3);
    const again = await ShardedStore.open({ dataDir: dir, shards: 2 });
    try {
      assert.equal(again.shardCount, 3, 'the count on disk wins: traces stay where their ids put them');
      assert.deepEqual(await contents(again, traceIds), before);
    } finally {
      await again.close();
    }
  });

  it('refuses a shard count out of range, and a COUNT file that is not one', async () => {
    await assert.rejects(ShardedStore.open({ dataDir: tmp(), shards: 0 }), RangeError);
    await assert.rejects(ShardedStore.open({ dataDir: tmp(), shards: 17 }), RangeError);
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'shards'));
    fs.writeFileSync(path.join(dir, 'shards', 'COUNT'), 'lots\n');
    await assert.rejects(ShardedStore.open({ dataDir: dir }), /shard count from 1 to 16/);
  });

  it('says a shard is locked by another explorer, and leaves no shard of its own running', async () => {
    const dir = tmp();
    const first = await ShardedStore.open({ dataDir: dir, shards: 2 });
    await first.close();
    // Shard 1 held by another live process (this test's parent stands in for the other explorer).
    fs.writeFileSync(path.join(dir, 'shards', '1', 'segments', 'LOCK'), `${process.ppid}\n`);
    await assert.rejects(ShardedStore.open({ dataDir: dir }), { name: 'StoreUnavailableError', message: /another explorer/ });
    assert.equal(fs.existsSync(path.join(dir, 'shards', '0', 'segments', 'LOCK')), false, 'shard 0 was opened, then closed again');
  });

  it('refuses calls (retryable) while a shard whose thread stopped is started again, then answers from its files', async () => {
    const errors: Error[] = [];
    let restarted!: () => void;
    const running = new Promise<void>((resolve) => (restarted = resolve));
    const shard = await ShardClient.start('1', { dataDir: tmp() }, () => undefined, { onError: (e) => errors.push(e), onRestarted: () => restarted() });
    const spans = Array.from({ length: 3 }, (_, i) => makeSpan({ trace: 7, span: i + 1, service: 'svc', name: 'op', startMs: 1000 + i, durMs: 1 }));
    await shard.call('write', [spans]);
    await shard.terminate();
    await assert.rejects(shard.call('status', []), { name: 'StoreUnavailableError', message: /shard 1 is not running/, retryAfterSeconds: 2 });
    await assert.rejects(shard.call('getTrace', [spans[0]!.span.traceId]), { name: 'StoreUnavailableError' });
    assert.equal(errors.length, 1, 'the stop is reported once');
    assert.match(errors[0]?.message ?? '', /shard 1 stopped: .*starting it again in 0.5 s/);
    await running;
    assert.equal((await shard.call('getTrace', [spans[0]!.span.traceId]))?.length, 3, 'what it acknowledged before the stop');
    assert.equal((await shard.call('status', [])).spans, 3);
    await shard.close();
    await assert.rejects(shard.call('status', []), { name: 'StoreUnavailableError', message: /closed/ });
  });

  it('stays down, answering with the store error, when its files cannot be opened again (no retry loop)', async () => {
    const errors: Error[] = [];
    let gaveUp!: () => void;
    const down = new Promise<void>((resolve) => (gaveUp = resolve));
    const dataDir = tmp();
    const shard = await ShardClient.start('2', { dataDir }, () => undefined, {
      onError: (e) => {
        errors.push(e);
        if (/cannot start again/.test(e.message)) gaveUp();
      },
      onRestarted: () => assert.fail('a damaged store must not come back'),
    });
    await shard.call('write', [[makeSpan({ trace: 9, span: 1, service: 'svc', name: 'op', startMs: 1000, durMs: 1 })]]);
    await shard.terminate();
    // Damaged before the restart (0.5 s later) opens it: what the explorer refuses to start on.
    fs.writeFileSync(path.join(dataDir, SEGMENTS_DIR, '00000001.seg'), 'not a segment at all');
    await down;
    assert.equal(errors.length, 2, 'the stop, then the one failed start');
    assert.match(errors[1]?.message ?? '', /shard 2 cannot start again: .*damaged.*; it stays down until the explorer is restarted/);
    await assert.rejects(shard.call('status', []), { name: 'StoreCorruptError' });
    await shard.close();
    await assert.rejects(shard.call('status', []), { name: 'StoreUnavailableError', message: /closed/ });
  });
});
