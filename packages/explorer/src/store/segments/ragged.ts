/**
 * One short list of numbers per trace (its span ids, its blocks), kept as
 * JS arrays while they grow and packed into two typed arrays (outside the
 * GC's heap) once the segment freezes: a million small arrays are what made
 * the collector slow as the store grew. A frozen row that changes again (a
 * late span) is copied back into an array.
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
  private readonly live = new Map<number, number[]>();

  private get packedRows(): number {
    return this.start.length - 1;
  }

  get(row: number): ArrayLike<number> {
    const l = this.live.get(row);
    if (l) return l;
    if (row >= this.packedRows) return EMPTY;
    return this.flat.subarray(this.start[row] as number, this.start[row + 1] as number);
  }

  /** The row as an array to push to. */
  mutable(row: number): number[] {
    let l = this.live.get(row);
    if (!l) {
      l = Array.from(this.get(row));
      this.live.set(row, l);
    }
    return l;
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
    this.live.clear();
  }

  static from(s: RaggedSnapshot): Ragged {
    const r = new Ragged();
    r.flat = s.flat;
    r.start = s.start;
    return r;
  }
}
