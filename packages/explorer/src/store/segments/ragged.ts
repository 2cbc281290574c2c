/**
 * One short list of numbers per trace (its span ids, its blocks). Packed
 * into two typed arrays once the segment freezes; rows that change after
 * that (every row of the growing segment, a late span's row of a frozen one)
 * live in an arena: one growing typed array for all of them, a row moved to
 * its end when it outgrows its room. Both are outside the GC's heap: a small
 * JS array and a map entry per trace were what the collector copied out of
 * the young generation and walked until the segment froze (docs/performance.md,
 * section 3, seventh pass), and a million of them what made it slow as the
 * store grew.
 */
const EMPTY: ArrayLike<number> = Object.freeze([]) as ArrayLike<number>;

export interface RaggedSnapshot {
  flat: Float64Array<ArrayBufferLike>;
  /** Row r is flat[start[r] .. start[r + 1]). */
  start: Float64Array<ArrayBufferLike>;
}

export class Ragged {
  private flat: Float64Array<ArrayBufferLike> = new Float64Array(0);
  private start: Float64Array<ArrayBufferLike> = new Float64Array(1);
  private arena = new Float64Array(0);
  private arenaUsed = 0;
  /** Per row: its offset in the arena + 1 (0: the row is not there), length and room. */
  private at = new Int32Array(0);
  private len = new Int32Array(0);
  private room = new Int32Array(0);

  private get packedRows(): number {
    return this.start.length - 1;
  }

  get(row: number): ArrayLike<number> {
    const a = row < this.at.length ? (this.at[row] as number) : 0;
    if (a) return this.arena.subarray(a - 1, a - 1 + (this.len[row] as number));
    if (row >= this.packedRows) return EMPTY;
    return this.flat.subarray(this.start[row] as number, this.start[row + 1] as number);
  }

  /** The row's last value, if any. */
  last(row: number): number | undefined {
    const a = row < this.at.length ? (this.at[row] as number) : 0;
    if (a) {
      const n = this.len[row] as number;
      return n ? this.arena[a - 2 + n] : undefined;
    }
    if (row >= this.packedRows) return undefined;
    const end = this.start[row + 1] as number;
    return end > (this.start[row] as number) ? this.flat[end - 1] : undefined;
  }

  /** Appends the values to the row. */
  push(row: number, values: ArrayLike<number>): void {
    const n = values.length;
    if (!n) return;
    this.makeRoom(row, n);
    const at = (this.at[row] as number) - 1;
    const len = this.len[row] as number;
    for (let i = 0; i < n; i++) this.arena[at + len + i] = values[i] as number;
    this.len[row] = len + n;
  }

  /** Packs rows 0..rows-1 (every row's current contents). */
  snapshot(rows: number): RaggedSnapshot {
    let total = 0;
    for (let r = 0; r < rows; r++) total += this.get(r).length;
    const flat = new Float64Array(total);
    const start = new Float64Array(rows + 1);
    let at = 0;
    for (let r = 0; r < rows; r++) {
      const l = this.get(r);
      start[r] = at;
      flat.set(l, at);
      at += l.length;
    }
    start[rows] = at;
    return { flat, start };
  }

  freeze(rows: number): void {
    const s = this.snapshot(rows);
    this.flat = s.flat;
    this.start = s.start;
    this.arena = new Float64Array(0);
    this.arenaUsed = 0;
    this.at = new Int32Array(0);
    this.len = new Int32Array(0);
    this.room = new Int32Array(0);
  }

  static from(s: RaggedSnapshot): Ragged {
    const r = new Ragged();
    r.flat = s.flat;
    r.start = s.start;
    return r;
  }

  /** Room for n more values in the row: where it is, or at the arena's end (a new row gets exactly n, a moved one twice what it needs). */
  private makeRoom(row: number, n: number): void {
    if (row >= this.at.length) {
      const size = Math.max(1024, row + 1, this.at.length * 2);
      this.at = grown(this.at, size);
      this.len = grown(this.len, size);
      this.room = grown(this.room, size);
    }
    const a = this.at[row] as number;
    if (a && (this.len[row] as number) + n <= (this.room[row] as number)) return;
    // Where the row is now (the arena, or the packed rows); a view of the old arena stays valid if it grows.
    const current = this.get(row);
    const len = current.length;
    const room = len === 0 ? n : 2 * (len + n);
    if (this.arenaUsed + room > this.arena.length) {
      const next = new Float64Array(Math.max(4096, 2 * this.arena.length, this.arenaUsed + room));
      next.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = next;
    }
    this.arena.set(current, this.arenaUsed);
    this.at[row] = this.arenaUsed + 1;
    this.len[row] = len;
    this.room[row] = room;
    this.arenaUsed += room;
  }
}

function grown(a: Int32Array<ArrayBuffer>, size: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(size);
  next.set(a);
  return next;
}
