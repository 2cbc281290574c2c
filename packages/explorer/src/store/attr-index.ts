/**
 * The span attribute index since schema 5, in two parts that cost a write a
 * few appends instead of one B-tree row (and two index entries) per distinct
 * (key, value) per trace — the `attrs` table, whose random inserts were most
 * of the write path's cost and 40% of the file (docs/performance.md, section 3):
 *
 * - `chunks.kv`: the chunk's distinct (key, value) pairs as one text,
 *   `SEP key UNIT value SEP ...`. Probes ("does this trace have k = v?") read
 *   it through `chunks_tseq` and test it with instr(): exact, no JS call.
 * - `attr_terms`: an FTS5 table, one document per chunk (rowid = chunk rowid),
 *   whose terms are the pairs and the keys, hex-encoded (FTS5's ascii
 *   tokenizer keeps [0-9a-z] runs whole). FTS5 is a log-structured index:
 *   each transaction's terms are written as one sorted segment and segments
 *   are merged in the background of later writes
 *   (https://www.sqlite.org/fts5.html#the_automerge_option), so inserts stay
 *   sequential however large the store grows. Drivers ("which traces have
 *   k = v?") read one posting list. `detail=none`: positions are never asked.
 *
 * Terms are candidates; the probe on `kv` decides, so a driver may be a superset.
 */

/** Separates entries in `chunks.kv` (ASCII record separator). */
const SEP = '\u001e';
/** Separates a key from its value (ASCII unit separator). */
const UNIT = '\u001f';
/** Attribute keys are indexed up to this many characters (values: INDEXED_VALUE_CHARS). */
export const INDEXED_KEY_CHARS = 256;

/** The separators cannot appear inside a key or value, or a probe could match across entries. */
function clean(s: string, max: number): string {
  const cut = s.length > max ? s.slice(0, max) : s;
  return /[\u001e\u001f]/.test(cut) ? cut.replace(/[\u001e\u001f]/g, '\ufffd') : cut;
}

const hex = (s: string): string => Buffer.from(s, 'utf8').toString('hex');

/** Collects one chunk's distinct pairs; `kv()` and `terms()` give what the chunk row and its FTS document store. */
export class ChunkAttrs {
  private readonly pairs = new Map<string, string>();
  private readonly keys = new Set<string>();

  constructor(private readonly maxValueChars: number) {}

  add(key: string, value: string): void {
    const k = clean(key, INDEXED_KEY_CHARS);
    const entry = `${k}${UNIT}${clean(value, this.maxValueChars)}`;
    if (this.pairs.has(entry)) return;
    this.pairs.set(entry, k);
    this.keys.add(k);
  }

  get size(): number {
    return this.pairs.size;
  }

  /** `SEP k UNIT v SEP k UNIT v SEP`: every entry has a separator on both sides. */
  kv(): string {
    return this.pairs.size ? `${SEP}${[...this.pairs.keys()].join(SEP)}${SEP}` : '';
  }

  /** Space-separated FTS terms: `a<hex key>x<hex value>` per pair and `k<hex key>` per key. */
  terms(): string {
    const out: string[] = [];
    for (const entry of this.pairs.keys()) {
      const at = entry.indexOf(UNIT);
      out.push(`a${hex(entry.slice(0, at))}x${hex(entry.slice(at + 1))}`);
    }
    for (const k of this.keys) out.push(`k${hex(k)}`);
    return out.join(' ');
  }
}

/** instr() needle in `chunks.kv` for key = value. */
export function pairNeedle(key: string, value: string, maxValueChars: number): string {
  return `${SEP}${clean(key, INDEXED_KEY_CHARS)}${UNIT}${clean(value, maxValueChars)}${SEP}`;
}

/** instr() needle in `chunks.kv` for a value of `key` starting with `prefix` ('' for any value). */
export function prefixNeedle(key: string, prefix: string, maxValueChars: number): string {
  return `${SEP}${clean(key, INDEXED_KEY_CHARS)}${UNIT}${clean(prefix, maxValueChars)}`;
}

/** FTS5 MATCH expression for one pair. Hex terms need no quoting; quoted anyway, as FTS5 strings. */
export function pairMatch(key: string, value: string, maxValueChars: number): string {
  return `"a${hex(clean(key, INDEXED_KEY_CHARS))}x${hex(clean(value, maxValueChars))}"`;
}

/** FTS5 MATCH expression for every chunk holding `key` with any value. */
export function keyMatch(key: string): string {
  return `"k${hex(clean(key, INDEXED_KEY_CHARS))}"`;
}

/**
 * SQL function `tw_kv_ne(kv, key, value)`: 1 when `kv` holds `key` with a value other
 * than `value` (the `ne` filter: some span has the key with another value).
 */
export function kvHasOtherValue(kv: string | null, key: string, value: string, maxValueChars: number): number {
  if (!kv) return 0;
  const head = prefixNeedle(key, '', maxValueChars);
  const same = pairNeedle(key, value, maxValueChars);
  for (let at = kv.indexOf(head); at !== -1; at = kv.indexOf(head, at + 1)) {
    if (!kv.startsWith(same, at)) return 1;
  }
  return 0;
}
