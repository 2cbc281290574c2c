/**
 * A segment's file: a header, then records appended one after another, each
 * `u32 length | u32 crc32 | payload` (little-endian), the payload a deflated
 * block. Appends are made durable by fdatasync before a write is acknowledged.
 * A crash can leave only a torn last record, one no write was acknowledged
 * for; opening the file cuts it off, so every record after the header is whole.
 */
import { fdatasyncSync, ftruncateSync, readSync, writeSync, writevSync } from 'node:fs';
import fs from 'node:fs/promises';
import zlib from 'node:zlib';
import { MalformedBlockError } from './segment-errors.ts';

const MAGIC = Buffer.from('TWSEG01\n', 'latin1');
const HEADER = MAGIC.length;
const FRAME = 8;
/** A record larger than this is damage, not data: no commit writes one (blocks are bounded by the store). */
const MAX_RECORD = 256 * 1024 * 1024;

/** A write that wrote nothing, without an error: what a full disk does to a short writev's rest. */
const shortWrite = (): Error => Object.assign(new Error('no space left on device (short write)'), { code: 'ENOSPC' });

export interface RecordRef {
  offset: number;
  length: number;
}

export interface Recovered {
  records: RecordRef[];
  /** Bytes cut off the end: a torn record from a crash mid-append. */
  truncated: number;
}

export class SegmentLog {
  private constructor(
    readonly file: string,
    private readonly fh: fs.FileHandle,
    private end: number,
  ) {}

  get size(): number {
    return this.end;
  }

  static async create(file: string): Promise<SegmentLog> {
    const fh = await fs.open(file, 'wx+');
    await fh.write(MAGIC, 0, HEADER, 0);
    await fh.datasync();
    return new SegmentLog(file, fh, HEADER);
  }

  /** Opens an existing file, cutting off a torn last record; `onRecord` sees every whole record's payload in order. */
  static async open(file: string, onRecord: (payload: Uint8Array, ref: RecordRef) => void): Promise<{ log: SegmentLog } & Recovered> {
    const fh = await fs.open(file, 'r+');
    try {
      const data = await fh.readFile();
      if (data.length < HEADER || !data.subarray(0, HEADER).equals(MAGIC)) {
        throw new MalformedBlockError(`${file} is not a Tracewire segment file (bad header)`);
      }
      const records: RecordRef[] = [];
      let pos = HEADER;
      while (pos + FRAME <= data.length) {
        const length = data.readUInt32LE(pos);
        if (length > MAX_RECORD || pos + FRAME + length > data.length) break;
        const payload = data.subarray(pos + FRAME, pos + FRAME + length);
        if (zlib.crc32(payload) !== data.readUInt32LE(pos + 4)) break;
        const ref = { offset: pos, length: FRAME + length };
        records.push(ref);
        onRecord(payload, ref);
        pos += FRAME + length;
      }
      if (pos < data.length) {
        await fh.truncate(pos);
        await fh.datasync();
      }
      return { log: new SegmentLog(file, fh, pos), records, truncated: data.length - pos };
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /** Appends the payloads and fdatasyncs; resolves with where each landed once they are durable. */
  async append(payloads: Uint8Array[]): Promise<RecordRef[]> {
    const { parts, refs, at } = this.frame(payloads);
    const start = this.end;
    try {
      await this.writeAll(parts, start, at - start);
      await this.fh.datasync();
    } catch (err) {
      // Whatever part of the append reached the file is cut off, so the next append lands where the index expects.
      await this.fh.truncate(start).catch(() => undefined);
      throw err;
    }
    this.end = at;
    return refs;
  }

  /** `append` on the calling thread (a shard's own thread: SegmentIo 'inline'). */
  appendSync(payloads: Uint8Array[]): RecordRef[] {
    const { parts, refs, at } = this.frame(payloads);
    const start = this.end;
    try {
      const total = at - start;
      // writev may write less than asked without an error, as in writeAll.
      let done = writevSync(this.fh.fd, parts, start);
      const rest = done < total ? Buffer.concat(parts).subarray(done) : undefined;
      while (rest && done < total) {
        const n = writeSync(this.fh.fd, rest, done - (total - rest.length), total - done, start + done);
        if (n === 0) throw shortWrite();
        done += n;
      }
      fdatasyncSync(this.fh.fd);
    } catch (err) {
      try {
        ftruncateSync(this.fh.fd, start);
      } catch {
        // The append failed already; that is the error to report.
      }
      throw err;
    }
    this.end = at;
    return refs;
  }

  private frame(payloads: Uint8Array[]): { parts: Uint8Array[]; refs: RecordRef[]; at: number } {
    const refs: RecordRef[] = [];
    const parts: Uint8Array[] = [];
    let at = this.end;
    for (const p of payloads) {
      const frame = Buffer.allocUnsafe(FRAME);
      frame.writeUInt32LE(p.length, 0);
      frame.writeUInt32LE(zlib.crc32(p), 4);
      parts.push(frame, p);
      refs.push({ offset: at, length: FRAME + p.length });
      at += FRAME + p.length;
    }
    return { parts, refs, at };
  }

  /**
   * writev may write less than asked without an error (a nearly full disk does): the rest is
   * written until done or the error that stopped it surfaces, so no append is acknowledged half-written.
   */
  private async writeAll(parts: Uint8Array[], at: number, total: number): Promise<void> {
    let done = (await this.fh.writev(parts, at)).bytesWritten;
    if (done === total) return;
    const rest = Buffer.concat(parts).subarray(done);
    while (done < total) {
      const { bytesWritten } = await this.fh.write(rest, done - (total - rest.length), total - done, at + done);
      if (bytesWritten === 0) throw shortWrite();
      done += bytesWritten;
    }
  }

  /**
   * The payload of one record written earlier, read on the calling thread: ~10 µs from the page cache, where a trip through
   * libuv's pool took 3-15 ms at the p99 on this VM (waking an idle vCPU), which was most of
   * trace by id's p99 at 10M spans. A read that misses the cache blocks for one disk read, as
   * the SQLite store's reads always did.
   */
  read(ref: RecordRef): Uint8Array {
    const buf = Buffer.allocUnsafe(ref.length);
    const bytesRead = readSync(this.fh.fd, buf, 0, ref.length, ref.offset);
    if (bytesRead !== ref.length) throw new MalformedBlockError(`${this.file}: record at ${ref.offset} is cut short`);
    return buf.subarray(FRAME);
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
