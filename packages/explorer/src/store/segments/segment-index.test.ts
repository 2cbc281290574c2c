import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import v8 from 'node:v8';
import zlib from 'node:zlib';
import type { StoredSpan } from '../../model.ts';
import { makeSpan } from '../store-contract.ts';
import { type IndexSnapshot, opTerm, Posting, type PostingSnapshot, SegmentIndex } from './segment-index.ts';
import { SEGMENTS_DIR, SegmentStore } from './segment-store.ts';
import { type SegmentSnapshot, readSnapshot } from './segment-snapshot.ts';
import { factsOf } from './span-facts.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tw-seg-index-'));
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** Trace t: 1-3 spans; `order.id` unique to it, `tier` one of three, `rare` on every 40th trace. */
function trace(t: number): StoredSpan[] {
  return Array.from({ length: 1 + (t % 3) }, (_, i) =>
    makeSpan({
      trace: t,
      span: i + 1,
      ...(i ? { parent: 1 } : {}),
      service: `svc${i}`,
      name: `op ${i}`,
      startMs: 1000 * t + i,
      durMs: 2,
      attrs: [str('order.id', `o-${t}`), str('tier', `t${t % 3}`), ...(t % 40 === 0 ? [str('rare', 'yes')] : [])],
    }),
  );
}

function indexOf(traces: number): SegmentIndex {
  const idx = new SegmentIndex();
  for (let t = 1; t <= traces; t++) {
    const spans = trace(t).map(factsOf);
    idx.add(spans[0]?.traceId as string, spans, 0);
  }
  return idx;
}

/** What searches read from an index, for comparing two. */
function postings(idx: SegmentIndex, traces: number) {
  return {
    tiers: [0, 1, 2].map((k) => Array.from(idx.pairPosting('tier', `t${k}`))),
    orders: Array.from({ length: traces }, (_, t) => Array.from(idx.pairPosting('order.id', `o-${t + 1}`))),
    rare: Array.from(idx.pairPosting('rare', 'yes')),
    holders: Array.from(idx.keyPosting('order.id')),
    ops: [0, 1, 2].map((i) => Array.from(idx.opPosting(opTerm(`svc${i}`, `op ${i}`, 1)))),
  };
}

/** A snapshot in format 04: posting lists as the Posting objects' own fields. */
function toFormat04(snap: IndexSnapshot): IndexSnapshot {
  const legacy = (p: unknown) => {
    const list = Posting.fromSnapshot(p as PostingSnapshot).read();
    return { list: list.length >= 32 ? Int32Array.from(list) : Array.from(list), sorted: true, last: list.length ? (list[list.length - 1] as number) : -1 };
  };
  return {
    ...snap,
    opPostings: new Map([...snap.opPostings].map(([k, p]) => [k, legacy(p)])),
    attrs: new Map(
      [...snap.attrs].map(([k, a]) => [k, { holders: legacy(a.holders), byValue: new Map([...a.byValue].map(([v, p]) => [v, typeof p === 'number' ? p : legacy(p)])) }]),
    ),
  };
}

function writeFormat04(file: string, snap: SegmentSnapshot): void {
  const payload = zlib.deflateRawSync(v8.serialize(snap));
  const head = Buffer.alloc(12);
  head.write('TWIDX04\n', 'latin1');
  head.writeUInt32LE(zlib.crc32(payload), 8);
  fs.writeFileSync(file, Buffer.concat([head, payload]));
}

describe('a segment index', () => {
  it('gives traces of one service mix one map, and a late span changes only its own trace', () => {
    const idx = new SegmentIndex();
    const span = (t: number, i: number, service: string) => factsOf(makeSpan({ trace: t, span: i, service, name: 'op', startMs: 1000 * t + i, durMs: 1 }));
    const add = (t: number, spans: ReturnType<typeof span>[]) => idx.add(spans[0]?.traceId as string, spans, 0);
    const a = add(1, [span(1, 1, 'gateway'), span(1, 2, 'orders'), span(1, 3, 'orders')]);
    const b = add(2, [span(2, 1, 'orders'), span(2, 2, 'gateway'), span(2, 3, 'orders')]);
    const c = add(3, [span(3, 1, 'gateway')]);
    assert.equal(idx.services[a], idx.services[b], 'same services, same counts: one map');
    assert.notEqual(idx.services[a], idx.services[c]);
    const services = (o: number) => idx.summary(o).services.map((x) => `${x.name}:${x.spanCount}`);
    add(1, [span(1, 4, 'gateway')]);
    assert.deepEqual(services(a), ['gateway:2', 'orders:2']);
    assert.deepEqual(services(b), ['orders:2', 'gateway:1']);
    idx.freeze();
    add(2, [span(2, 4, 'inventory')]);
    assert.deepEqual(services(b), ['orders:2', 'gateway:1', 'inventory:1']);
    assert.deepEqual(services(a), ['gateway:2', 'orders:2']);
    assert.deepEqual(services(c), ['gateway:1']);
  });
});

describe('a segment index saved and read back', () => {
  it('keeps every posting list: ascending, without repeats, short and long (typed) alike', () => {
    const p = new Posting();
    for (const o of [5, 3, 3, 9, 0, 5, 7]) p.add(o);
    const back = Posting.fromSnapshot(p.toSnapshot());
    assert.deepEqual(Array.from(back.read()), [0, 3, 5, 7, 9]);
    back.add(12);
    assert.deepEqual(Array.from(back.read()), [0, 3, 5, 7, 9, 12], 'a list read back takes new traces');

    const long = new Posting();
    for (let o = 0; o < 5000; o += 1 + (o % 7)) long.add(o);
    const longBack = Posting.fromSnapshot(long.toSnapshot());
    assert.ok(longBack.list instanceof Int32Array);
    assert.deepEqual(Array.from(longBack.read()), Array.from(long.read()));
    assert.deepEqual(Array.from(Posting.fromSnapshot(new Posting().toSnapshot()).read()), []);
  });

  it('answers the same lookups from its snapshot as it did before', () => {
    const idx = indexOf(120);
    const back = SegmentIndex.fromSnapshot(v8.deserialize(v8.serialize(idx.snapshot())) as IndexSnapshot);
    assert.deepEqual(postings(back, 120), postings(idx, 120));
    assert.equal(postings(idx, 120).tiers[0]?.length, 40, 'long lists are in the comparison');
  });

  it('holds posting lists as gaps, which deflate packs to a small part of the ordinals', () => {
    const idx = indexOf(3000);
    const snap = idx.snapshot();
    const deflated = (x: unknown) => zlib.deflateRawSync(v8.serialize(x), { level: 1 }).length;
    assert.ok(deflated(snap.attrs) * 4 < deflated(toFormat04(snap).attrs), `${deflated(snap.attrs)} vs ${deflated(toFormat04(snap).attrs)} bytes`);
  });

  it('opens a store whose snapshots are in format 04, from those snapshots', async () => {
    const dir = tmp();
    const store = await SegmentStore.open({ dataDir: dir, segmentSpans: 150 });
    for (let t = 1; t <= 200; t++) await store.write(trace(t));
    await store.close();
    const files = fs.readdirSync(path.join(dir, SEGMENTS_DIR)).filter((f) => f.endsWith('.idx'));
    assert.ok(files.length >= 2);
    const queries = [
      { attrs: [{ op: 'eq' as const, key: 'tier', value: 't1' }], limit: 500, offset: 0, sort: 'recent' as const },
      { attrs: [{ op: 'eq' as const, key: 'order.id', value: 'o-77' }], limit: 10, offset: 0, sort: 'recent' as const },
      { attrs: [{ op: 'eq' as const, key: 'rare', value: 'yes' }], limit: 10, offset: 0, sort: 'recent' as const },
    ];
    const before = await SegmentStore.open({ dataDir: dir });
    const expected = await Promise.all(queries.map((q) => before.search(q)));
    await before.close();
    assert.deepEqual(
      expected.map((r) => r.total),
      [67, 1, 5],
    );
    for (const f of files) {
      const file = path.join(dir, SEGMENTS_DIR, f);
      const snap = readSnapshot(file) as SegmentSnapshot;
      const old = { ...snap, index: toFormat04(snap.index) };
      writeFormat04(file, old);
      const read = readSnapshot(file);
      assert.ok(read, 'a format 04 snapshot is read, not discarded');
      // Read back as an index, it answers what the snapshot it was converted from answers.
      assert.deepEqual(postings(SegmentIndex.fromSnapshot(read.index), 200), postings(SegmentIndex.fromSnapshot(snap.index), 200));
    }
    const again = await SegmentStore.open({ dataDir: dir });
    assert.deepEqual(await Promise.all(queries.map((q) => again.search(q))), expected);
    await again.close();
  });
});
