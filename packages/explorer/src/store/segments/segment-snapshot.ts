/**
 * A segment's index saved beside its file (`NNNNNNNN.idx`), so opening a
 * store reads indexes instead of re-reading every span. It covers the file up
 * to `covered` bytes; blocks appended later (a late span joining an older
 * trace) are re-indexed from the file. A snapshot is only a cache: a missing,
 * damaged or foreign one is ignored and the index rebuilt from the file.
 */
import fs from 'node:fs';
import v8 from 'node:v8';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { IndexSnapshot } from './segment-index.ts';
import type { RecordRef } from './segment-log.ts';

const MAGIC = Buffer.from('TWIDX05\n', 'latin1');
/** Format 04 held posting lists as they are in memory (segment-index.ts reads both). */
const MAGIC_04 = Buffer.from('TWIDX04\n', 'latin1');
const deflate = promisify(zlib.deflateRaw);

export interface SegmentSnapshot {
  covered: number;
  refs: RecordRef[];
  index: IndexSnapshot;
}

export const snapshotFile = (segmentFile: string) => segmentFile.replace(/\.seg$/, '.idx');

/** Writes the snapshot (in place by a rename); resolves with the file's size. */
export async function writeSnapshot(file: string, snap: SegmentSnapshot): Promise<number> {
  // Deflated (on libuv's threads): the index of ids and attribute values is ~3x smaller so.
  const payload = await deflate(v8.serialize(snap), { level: 1 });
  const head = Buffer.alloc(MAGIC.length + 4);
  MAGIC.copy(head);
  head.writeUInt32LE(zlib.crc32(payload), MAGIC.length);
  const tmp = `${file}.tmp`;
  try {
    await fs.promises.writeFile(tmp, Buffer.concat([head, payload]));
    await fs.promises.rename(tmp, file);
    return head.length + payload.length;
  } catch (err) {
    // A half-written snapshot is no use to anyone: do not leave it taking disk space.
    await fs.promises.rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

export function readSnapshot(file: string): SegmentSnapshot | undefined {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  const at = MAGIC.length + 4;
  const magic = data.subarray(0, MAGIC.length);
  if (data.length < at || !(magic.equals(MAGIC) || magic.equals(MAGIC_04))) return undefined;
  const payload = data.subarray(at);
  if (zlib.crc32(payload) !== data.readUInt32LE(MAGIC.length)) return undefined;
  try {
    const snap = v8.deserialize(zlib.inflateRawSync(payload)) as SegmentSnapshot;
    return typeof snap.covered === 'number' && Array.isArray(snap.refs) && snap.index ? snap : undefined;
  } catch {
    return undefined;
  }
}
