import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { StoredSpan } from '../../model.ts';
import { SqliteStore } from '../sqlite-store.ts';
import { makeSpan } from '../store-contract.ts';
import { StoreCorruptError, StoreUnavailableError } from '../store.ts';
import { migrateSqlite } from './migrate.ts';
import { SEGMENTS_DIR, SegmentStore } from './segment-store.ts';
import { readSnapshot, writeSnapshot } from './segment-snapshot.ts';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tw-seg-open-'));
const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const q = { attrs: [], limit: 100, offset: 0, sort: 'recent' as const };

function trace(t: number, n: number, startMs: number): StoredSpan[] {
  return Array.from({ length: n }, (_, i) =>
    makeSpan({ trace: t, span: i + 1, ...(i ? { parent: 1 } : {}), service: `svc${i % 2}`, name: `op ${i}`, startMs: startMs + i, durMs: 3, attrs: [str('order.id', `o-${t}`)], error: i === 2 }),
  );
}

describe('opening a data directory with the segment store', () => {
  it('copies a SQLite store left there, trace for trace, and keeps its file as traces.db.migrated', async () => {
    const dir = tmp();
    const sqlite = new SqliteStore({ dataDir: dir });
    for (let t = 1; t <= 30; t++) await sqlite.write(trace(t, 1 + (t % 5), 1000 * t));
    const before = await sqlite.search(q);
    const spansOf7 = await sqlite.getTrace(trace(7, 1, 0)[0]?.span.traceId as string);
    await sqlite.close();
    const store = await SegmentStore.open({ dataDir: dir });
    const progress: number[] = [];
    assert.equal(await migrateSqlite(dir, store, (p) => progress.push(p.traces)), 30);
    assert.deepEqual(progress, [30]);
    assert.deepEqual(await store.search(q), before);
    assert.deepEqual(await store.getTrace(trace(7, 1, 0)[0]?.span.traceId as string), spansOf7);
    assert.ok(!fs.existsSync(path.join(dir, 'traces.db')) && fs.existsSync(path.join(dir, 'traces.db.migrated')));
    assert.equal(await migrateSqlite(dir, store), 0, 'nothing left to copy');
    await store.close();
  });

  it('refuses a directory another live process holds, and takes over a lock left by one that is gone', async () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, SEGMENTS_DIR));
    const other = spawn('sleep', ['30']);
    fs.writeFileSync(path.join(dir, SEGMENTS_DIR, 'LOCK'), `${other.pid}\n`);
    await assert.rejects(SegmentStore.open({ dataDir: dir }), (e: Error) => e instanceof StoreUnavailableError && new RegExp(`pid ${other.pid}`).test(e.message));
    other.kill('SIGKILL');
    await new Promise((r) => other.once('exit', r));
    const store = await SegmentStore.open({ dataDir: dir });
    await store.write(trace(1, 2, 1000));
    await store.close();
    assert.ok(!fs.existsSync(path.join(dir, SEGMENTS_DIR, 'LOCK')), 'released at close');
  });

  it('refuses a segment file that is not one, saying which directory and what to do', async () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, SEGMENTS_DIR));
    fs.writeFileSync(path.join(dir, SEGMENTS_DIR, '00000001.seg'), 'not a segment at all');
    await assert.rejects(SegmentStore.open({ dataDir: dir }), (e: Error) => e instanceof StoreCorruptError && /move that file aside/.test(e.message));
    const fixed = (fs.rmSync(path.join(dir, SEGMENTS_DIR, '00000001.seg')), await SegmentStore.open({ dataDir: dir }));
    await fixed.close();
  });

  it('removes a snapshot a crash left half-written, and still opens from the segment file', async () => {
    const dir = tmp();
    const store = await SegmentStore.open({ dataDir: dir, segmentSpans: 4 });
    await store.write(trace(1, 4, 1000));
    await store.close();
    const stray = path.join(dir, SEGMENTS_DIR, '00000001.idx.tmp');
    fs.writeFileSync(stray, 'TWIDX04\npartial');
    const again = await SegmentStore.open({ dataDir: dir });
    assert.equal(fs.existsSync(stray), false);
    assert.equal((await again.search(q)).total, 1);
    await again.close();
  });

  it('leaves no temporary file behind when a snapshot cannot be put in place', async () => {
    const dir = tmp();
    const target = path.join(dir, '00000001.idx');
    // A directory where the snapshot should go: the rename fails after the temporary file was written.
    fs.mkdirSync(path.join(target, 'occupied'), { recursive: true });
    await assert.rejects(writeSnapshot(target, { covered: 0, refs: [], index: {} as never }));
    assert.deepEqual(fs.readdirSync(dir), ['00000001.idx']);
    assert.equal(readSnapshot(target), undefined);
  });
});
