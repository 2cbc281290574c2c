import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { type Footprint, datasetFootprint, diskFigure, dirBytes } from '../../bench/support/disk-usage.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-disk-usage-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
fs.writeFileSync(path.join(dir, 'traces.db'), Buffer.alloc(3000));
fs.writeFileSync(path.join(dir, 'meta.json'), '{}');
fs.mkdirSync(path.join(dir, 'sub'));
fs.writeFileSync(path.join(dir, 'sub', 'x'), Buffer.alloc(500));

const footprint = (bytesPerSpan: number, extra: Partial<Footprint> = {}): Footprint => ({ spans: 10, dirBytes: bytesPerSpan * 10, files: {}, bytesPerSpan, ...extra });

describe('disk per stored span', () => {
  it('sums the length of every file under the data directory, in subdirectories too', () => {
    const { bytes, files } = dirBytes(dir);
    assert.equal(bytes, 3000 + 2 + 500);
    assert.deepEqual(files, { 'traces.db': 3000, 'meta.json': 2, [path.join('sub', 'x')]: 500 });
  });

  it("leaves out a query data set's meta.json", () => {
    assert.deepEqual(datasetFootprint(dir, 35), { spans: 35, dirBytes: 3500, files: { 'traces.db': 3000, [path.join('sub', 'x')]: 500 }, bytesPerSpan: 100 });
  });

  it('judges bytes per span against 150 and says by how much a miss is over', () => {
    const missed = diskFigure('case', footprint(600, { dbBytes: 5990, exitCode: 0 }));
    assert.equal(missed.met, false);
    assert.equal(missed.target, '<= 150 bytes/span');
    assert.match(missed.note ?? '', /450 bytes \(x4\.00\) over/);
    assert.match(missed.note ?? '', /after a clean stop \(exit 0\)/);
    assert.equal(diskFigure('case', footprint(150)).met, true);
  });

  it('puts the baseline explorer of the same run beside it', () => {
    const f = diskFigure('case', footprint(300), footprint(600), 'b77d11e, same run');
    assert.equal(f.baseline, 600);
    assert.equal(f.ratio, 0.5);
    assert.match(f.note ?? '', /baseline = b77d11e, same run/);
  });
});
