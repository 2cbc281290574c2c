import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { StoredSpan } from '../../model.ts';
import { startRetention } from '../retention.ts';
import { makeSpan } from '../store-contract.ts';
import { QueryBudgetError, StoreClosedError } from '../store.ts';
import { SEGMENTS_DIR, SegmentStore } from './segment-store.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tw-seg-'));
const hex = (n: number) => n.toString(16).padStart(32, '0');
const q = { attrs: [], limit: 100, offset: 0, sort: 'recent' as const };
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });

/** A trace of `n` spans: a root and children, all starting at `startMs`. */
function trace(t: number, n: number, startMs: number, service = 'svc'): StoredSpan[] {
  return Array.from({ length: n }, (_, i) =>
    makeSpan({ trace: t, span: i + 1, ...(i ? { parent: 1 } : {}), service, name: `op ${i}`, startMs: startMs + i, durMs: 5, attrs: [str('order.id', `o-${t}`)] }),
  );
}

const segmentFiles = (dir: string) => fs.readdirSync(path.join(dir, SEGMENTS_DIR)).filter((f) => f.endsWith('.seg')).sort();

describe('SegmentStore', () => {
  it('starts a new segment file once the newest holds segmentSpans spans, and searches across them', async () => {
    const dir = tmp();
    const store = await SegmentStore.open({ dataDir: dir, segmentSpans: 8 });
    for (let t = 1; t <= 5; t++) await store.write(trace(t, 4, 1000 * t));
    assert.deepEqual(segmentFiles(dir), ['00000001.seg', '00000002.seg', '00000003.seg']);
    const r = await store.search(q);
    assert.deepEqual(r.traces.map((x) => Number.parseInt(x.traceId, 16)), [5, 4, 3, 2, 1]);
    assert.equal((await store.search({ ...q, attrs: [{ op: 'eq', key: 'order.id', value: 'o-2' }] })).total, 1);
    await store.close();
  });

  it('keeps a trace in one segment: a span arriving after its segment filled joins it there', async () => {
    const dir = tmp();
    const store = await SegmentStore.open({ dataDir: dir, segmentSpans: 4 });
    const spans = trace(1, 6, 1000);
    await store.write(spans.slice(0, 4));
    await store.write(trace(2, 4, 2000));
    await store.write(spans.slice(4));
    const [t1] = (await store.search({ ...q, attrs: [{ op: 'eq', key: 'order.id', value: 'o-1' }] })).traces;
    assert.equal(t1?.spanCount, 6);
    assert.equal((await store.getTrace(hex(1)))?.length, 6);
    assert.equal((await store.status()).spans, 10);
    await store.close();
  });

  it('stores a span sent again once, also when the resend arrives after its segment filled', async () => {
    const store = await SegmentStore.open({ dataDir: tmp(), segmentSpans: 4 });
    const spans = trace(1, 4, 1000);
    await store.write(spans);
    await store.write(trace(2, 4, 2000));
    await store.write(spans);
    await store.write([...spans.slice(0, 2), ...spans.slice(0, 2)]);
    assert.equal((await store.getTrace(hex(1)))?.length, 4);
    assert.equal((await store.status()).spans, 8);
    await store.close();
  });

  it('counts its index snapshots in its size, so a size bound holds the disk it takes', async () => {
    const dir = tmp();
    const store = await SegmentStore.open({ dataDir: dir, segmentSpans: 8 });
    for (let t = 1; t <= 5; t++) await store.write(trace(t, 4, 1000 * t));
    await store.close();
    const again = await SegmentStore.open({ dataDir: dir, segmentSpans: 8 });
    const sizes = (ext: string) =>
      fs
        .readdirSync(path.join(dir, SEGMENTS_DIR))
        .filter((f) => f.endsWith(ext))
        .reduce((n, f) => n + fs.statSync(path.join(dir, SEGMENTS_DIR, f)).size, 0);
    assert.ok(sizes('.idx') > 0, 'closing saved the snapshots');
    assert.equal((await again.status()).dbBytes, sizes('.seg') + sizes('.idx'));
    // Under a bound the records alone would fit, the store is still over it.
    assert.ok((await again.shrinkTo(sizes('.seg'), 1)) > 0);
    assert.equal((await again.status()).dbBytes, sizes('.seg') + sizes('.idx'));
    await again.close();
  });

  it('reads back from the files what it acknowledged, after a reopen', async () => {
    const dir = tmp();
    const store = await SegmentStore.open({ dataDir: dir, segmentSpans: 8 });
    for (let t = 1; t <= 4; t++) await store.write(trace(t, 4, 1000 * t));
    const before = await store.search(q);
    await store.close();
    const again = await SegmentStore.open({ dataDir: dir, segmentSpans: 8 });
    assert.deepEqual(await again.search(q), before);
    assert.deepEqual((await again.getTrace(hex(3)))?.map((s) => s.span), trace(3, 4, 3000).map((s) => s.span));
    await again.close();
  });

  it('cuts off a torn last record (a crash mid-append) and keeps every whole one', async () => {
    const dir = tmp();
    const store = await SegmentStore.open({ dataDir: dir });
    await store.write(trace(1, 3, 1000));
    await store.write(trace(2, 3, 2000));
    await store.close();
    const file = path.join(dir, SEGMENTS_DIR, '00000001.seg');
    const whole = fs.statSync(file).size;
    fs.appendFileSync(file, Buffer.from([200, 1, 0, 0, 9, 9, 9, 9, 1, 2, 3]));
    const again = await SegmentStore.open({ dataDir: dir });
    assert.equal((await again.status()).spans, 6);
    assert.equal(fs.statSync(file).size, whole);
    await again.write(trace(3, 2, 3000));
    await again.close();
    const third = await SegmentStore.open({ dataDir: dir });
    assert.equal((await third.status()).spans, 8);
    await third.close();
  });

  it('drops whole segments for retention: the oldest once all its traces started before the cutoff', async () => {
    const dir = tmp();
    const store = await SegmentStore.open({ dataDir: dir, segmentSpans: 4 });
    const now = Date.now();
    await store.write(trace(1, 4, now - 3_600_000));
    await store.write(trace(2, 4, now - 60_000));
    await store.write(trace(3, 4, now));
    const retention = startRetention(store, { maxAgeNs: 600_000_000_000n, intervalMs: 3_600_000 });
    assert.equal(await retention.runOnce(), 1);
    await retention.stop();
    assert.deepEqual(segmentFiles(dir), ['00000002.seg', '00000003.seg']);
    assert.equal(await store.getTrace(hex(1)), undefined);
    assert.equal((await store.search(q)).total, 2);
    await store.close();
  });

  it('drops the oldest segments until the files fit --max-size, and keeps taking writes', async () => {
    const dir = tmp();
    const filling = await SegmentStore.open({ dataDir: dir, segmentSpans: 4 });
    for (let t = 1; t <= 4; t++) await filling.write(trace(t, 4, 1000 * t));
    // Closed and opened again: every segment's index snapshot is on disk, and counts.
    await filling.close();
    const store = await SegmentStore.open({ dataDir: dir, segmentSpans: 4 });
    const disk = (seq: string) => fs.statSync(path.join(dir, SEGMENTS_DIR, `${seq}.seg`)).size + fs.statSync(path.join(dir, SEGMENTS_DIR, `${seq}.idx`)).size;
    const retention = startRetention(store, { maxBytes: disk('00000003') + disk('00000004') + 10, intervalMs: 3_600_000 });
    await retention.runOnce();
    await retention.stop();
    assert.deepEqual(segmentFiles(dir), ['00000003.seg', '00000004.seg']);
    await store.write(trace(5, 4, 5000));
    assert.deepEqual((await store.search(q)).traces.map((x) => Number.parseInt(x.traceId, 16)), [5, 4, 3]);
    await store.close();
  });

  it('answers a newest-first page beyond the scan budget from the newest traces, and refuses other sorts', async () => {
    const store = await SegmentStore.open({ dataDir: tmp(), segmentSpans: 10, searchScanTraces: 5 });
    for (let t = 1; t <= 12; t++) await store.write(trace(t, 1, 1000 * t));
    const page = await store.search({ ...q, limit: 2 });
    assert.deepEqual(page.traces.map((x) => Number.parseInt(x.traceId, 16)), [12, 11]);
    assert.equal(page.totalCapped, true);
    await assert.rejects(store.search({ ...q, sort: 'longest' }), QueryBudgetError);
    await store.close();
  });

  it('refuses writes after close, having committed what it had accepted', async () => {
    const dir = tmp();
    const store = await SegmentStore.open({ dataDir: dir });
    const pending = store.write(trace(1, 3, 1000));
    await store.close();
    await pending;
    await assert.rejects(store.write(trace(2, 1, 2000)), StoreClosedError);
    const again = await SegmentStore.open({ dataDir: dir });
    assert.equal((await again.status()).spans, 3);
    await again.close();
  });

  it('opens from index snapshots, re-reading only blocks appended after one, and ignores a damaged snapshot', async () => {
    const dir = tmp();
    const store = await SegmentStore.open({ dataDir: dir, segmentSpans: 4 });
    const late = trace(1, 6, 1000);
    await store.write(late.slice(0, 4));
    await store.write(trace(2, 4, 2000));
    await store.write(trace(3, 4, 3000));
    const idx = path.join(dir, SEGMENTS_DIR, '00000001.idx');
    assert.ok(fs.existsSync(idx), 'a segment that filled has its snapshot');
    const stale = fs.readFileSync(idx);
    await store.write(late.slice(4));
    await store.close();
    const expected = await (async () => {
      const s = await SegmentStore.open({ dataDir: dir, segmentSpans: 4 });
      const r = await s.search(q);
      await s.close();
      return r;
    })();
    assert.equal(expected.traces.find((t) => t.traceId === hex(1))?.spanCount, 6);
    // A snapshot older than its file: the late block is read from the file.
    fs.writeFileSync(idx, stale);
    const again = await SegmentStore.open({ dataDir: dir, segmentSpans: 4 });
    assert.deepEqual(await again.search(q), expected);
    assert.equal((await again.getTrace(hex(1)))?.length, 6);
    await again.close();
    // A damaged snapshot is ignored: the file is read whole.
    const bytes = fs.readFileSync(idx);
    bytes.writeUInt8((bytes.at(-5) as number) ^ 0xff, bytes.length - 5);
    fs.writeFileSync(idx, bytes);
    const third = await SegmentStore.open({ dataDir: dir, segmentSpans: 4 });
    assert.deepEqual(await third.search(q), expected);
    await third.close();
  });

  it('refuses spans past the per-trace cap, counting a resent span once, in small writes and large', async () => {
    const store = await SegmentStore.open({ dataDir: tmp(), maxSpansPerTrace: 50 });
    const spans = trace(1, 130, 1000);
    assert.deepEqual(await store.write(spans.slice(0, 30)), { rejected: 0, messages: [] });
    // 20 new ones fit; the 5 resent are already held, the last 5 new ones are over the cap.
    const second = await store.write([...spans.slice(25, 30), ...spans.slice(30, 55)]);
    assert.equal(second.rejected, 5);
    assert.match(second.messages[0] as string, /5 span\(s\) refused/);
    // Over 64 ids at once takes the set-based path: the same answer.
    const big = await store.write([...spans.slice(0, 50), ...spans.slice(60, 130), ...spans.slice(60, 70)]);
    assert.equal(big.rejected, 70);
    assert.equal((await store.getTrace(hex(1)))?.length, 50);
    const wide = await SegmentStore.open({ dataDir: tmp(), maxSpansPerTrace: 200 });
    assert.equal((await wide.write([...spans, ...spans.slice(0, 40)])).rejected, 0);
    assert.equal((await wide.getTrace(hex(1)))?.length, 130);
    await store.close();
    await wide.close();
  });
});
