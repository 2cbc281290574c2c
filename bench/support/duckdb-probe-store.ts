/**
 * The DuckDB side of bench/support/duckdb-probe.ts: one row layout, its
 * appender-based write path and the four queries of issue #12, kept apart from
 * the probe's timing code. A measurement, not a Store: it has no limits,
 * retention or error mapping.
 *
 * Layout (chosen for the four queries; every column fixed-width or
 * dictionary/FSST-compressed by DuckDB):
 * - `spans`: one row per span; `srow` is a write-order sequence number, so
 *   it rises with the table and DuckDB's per-row-group min/max (zone maps)
 *   find any srow range without an index. Ids are numbers: the trace id as
 *   two UBIGINT halves (an equality scan of a UHUGEINT column, bit-packed,
 *   took 20-30 ms over 40k rows here, of two UBIGINTs 0.7 ms), span and
 *   parent UBIGINT; resources are ids into `resources`.
 * - `attrs`: one row per span attribute (srow, key, value text, value type):
 *   a search by key=value scans the dictionary-compressed `key` and `value`
 *   columns, and reassembling a trace reads its srows' attributes.
 * - `resources`: each distinct resource once (its attributes as JSON).
 * With `attrHash`, `attrs` also holds a 32-bit FNV-1a hash of key and value
 * (`vhash`): a search compares integers first instead of decompressing every
 * FSST-compressed value (equality over FSST strings measured ~6 ns a value).
 * Nothing is indexed (no ART): appends stay appends; the queries rely on scans
 * and zone maps, which the probe measures.
 */
import { type DuckDBAppender, type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { AnyValue, KeyValue, Resource, Scope, StoredSpan } from '../../packages/explorer/src/index.ts';
import type { SpanKindNumber, StatusCodeNumber } from '../../packages/explorer/src/model.ts';

const schema = (attrHash: boolean) => [
  `CREATE TABLE attrs (srow BIGINT, key VARCHAR, value VARCHAR, vtype UTINYINT${attrHash ? ', vhash UINTEGER' : ''})`,
  `CREATE TABLE spans (srow BIGINT, trace_hi UBIGINT, trace_lo UBIGINT, span_id UBIGINT, parent_id UBIGINT, service VARCHAR, name VARCHAR,
     kind UTINYINT, start_ns BIGINT, dur_ns BIGINT, status UTINYINT, status_msg VARCHAR, res_id INTEGER)`,
  'CREATE TABLE resources (res_id INTEGER, service VARCHAR, attrs_json VARCHAR)',
];

const V_STRING = 0;
const V_INT = 1;
const V_DOUBLE = 2;
const V_BOOL = 3;
const V_JSON = 4;

function valueText(v: AnyValue): [string, number] {
  if (v.stringValue !== undefined) return [v.stringValue, V_STRING];
  if (v.intValue !== undefined) return [v.intValue, V_INT];
  if (v.doubleValue !== undefined) return [String(v.doubleValue), V_DOUBLE];
  if (v.boolValue !== undefined) return [String(v.boolValue), V_BOOL];
  return [JSON.stringify(v), V_JSON];
}

function valueOf(text: string, vtype: number): AnyValue {
  if (vtype === V_STRING) return { stringValue: text };
  if (vtype === V_INT) return { intValue: text };
  if (vtype === V_DOUBLE) return { doubleValue: Number(text) };
  if (vtype === V_BOOL) return { boolValue: text === 'true' };
  return JSON.parse(text) as AnyValue;
}

/** FNV-1a, 32 bits, over key, a NUL and value (UTF-16 code units; a probe, not a format). */
function fnv1a(key: string, value: string): number {
  let h = 0x811c9dc5;
  const s = `${key}\u0000${value}`;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

const hexBig = (hex: string): bigint => BigInt(`0x${hex}`);
/** An inlined literal: the halves are parsed from hex, so they cannot carry SQL. */
const traceWhere = (hex: string): string => `trace_lo = ${hexBig(hex.slice(16))} AND trace_hi = ${hexBig(hex.slice(0, 16))}`;
const bigHex = (v: bigint, width: number): string => v.toString(16).padStart(width, '0');

export interface DuckProbeOptions {
  file: string;
  /** DuckDB's own memory limit (buffer manager), e.g. '400MB'. */
  memoryLimit: string;
  /** Adds `attrs.vhash` and searches by it (see the layout above). */
  attrHash: boolean;
}

/** What a newest-first search returns per trace (the fields a result list shows). */
export interface DuckSummary {
  traceId: string;
  startNs: bigint;
  spanCount: number;
  errorCount: number;
}

export interface ServiceEdge {
  from: string;
  to: string;
  count: number;
  errors: number;
}

const SCOPE: Scope = { name: '@tracewire/tracing', version: '0.1.0' };

export class DuckProbeStore {
  private srow = 0n;
  private readonly resIds = new Map<Resource, number>();
  private readonly resById = new Map<number, { resource: Resource; service: string }>();

  private constructor(
    private readonly instance: DuckDBInstance,
    readonly conn: DuckDBConnection,
    private readonly attrHash: boolean,
  ) {}

  static async open(o: DuckProbeOptions): Promise<DuckProbeStore> {
    const instance = await DuckDBInstance.create(o.file, { memory_limit: o.memoryLimit });
    const conn = await instance.connect();
    for (const sql of schema(o.attrHash)) await conn.run(sql);
    return new DuckProbeStore(instance, conn, o.attrHash);
  }

  /**
   * One transaction: BEGIN, append every span and attribute, flush the
   * appenders, COMMIT. DuckDB's commit writes the transaction to the WAL and
   * fsyncs it (WriteAheadLog::Flush → Sync; the probe checks with strace), so
   * the data is durable when this resolves; no CHECKPOINT is needed for that.
   */
  async write(spans: StoredSpan[]): Promise<void> {
    await this.conn.run('BEGIN TRANSACTION');
    const newRes: Array<[number, string, Resource]> = [];
    const sp = await this.conn.createAppender('spans');
    const at = await this.conn.createAppender('attrs');
    for (const s of spans) this.appendSpan(sp, at, s, newRes);
    sp.closeSync();
    at.closeSync();
    if (newRes.length) {
      const ra = await this.conn.createAppender('resources');
      for (const [id, svc, r] of newRes) {
        ra.appendInteger(id);
        ra.appendVarchar(svc);
        ra.appendVarchar(JSON.stringify(r.attributes));
        ra.endRow();
      }
      ra.closeSync();
    }
    await this.conn.run('COMMIT');
  }

  private appendSpan(sp: DuckDBAppender, at: DuckDBAppender, s: StoredSpan, newRes: Array<[number, string, Resource]>): void {
    const row = this.srow++;
    let res = this.resIds.get(s.resource);
    if (res === undefined) {
      res = this.resIds.size;
      this.resIds.set(s.resource, res);
      this.resById.set(res, { resource: s.resource, service: s.service });
      newRes.push([res, s.service, s.resource]);
    }
    const r = s.span;
    const start = BigInt(r.startTimeUnixNano);
    sp.appendBigInt(row);
    sp.appendUBigInt(hexBig(r.traceId.slice(0, 16)));
    sp.appendUBigInt(hexBig(r.traceId.slice(16)));
    sp.appendUBigInt(hexBig(r.spanId));
    if (r.parentSpanId) sp.appendUBigInt(hexBig(r.parentSpanId));
    else sp.appendNull();
    sp.appendVarchar(s.service);
    sp.appendVarchar(r.name);
    sp.appendUTinyInt(r.kind);
    sp.appendBigInt(start);
    sp.appendBigInt(BigInt(r.endTimeUnixNano) - start);
    sp.appendUTinyInt(r.status.code);
    if (r.status.message) sp.appendVarchar(r.status.message);
    else sp.appendNull();
    sp.appendInteger(res);
    sp.endRow();
    for (const a of r.attributes) {
      const [text, vtype] = valueText(a.value);
      at.appendBigInt(row);
      at.appendVarchar(a.key);
      at.appendVarchar(text);
      at.appendUTinyInt(vtype);
      if (this.attrHash) at.appendUInteger(fnv1a(a.key, text));
      at.endRow();
    }
  }

  async checkpoint(): Promise<void> {
    await this.conn.run('CHECKPOINT');
  }

  /** Every span of the trace, reassembled into StoredSpans (as the explorer's API needs them). */
  async getTrace(traceId: string): Promise<StoredSpan[]> {
    const spans = (
      await this.conn.runAndReadAll(
        `SELECT srow, span_id, parent_id, service, name, kind, start_ns, dur_ns, status, status_msg, res_id FROM spans WHERE ${traceWhere(traceId)} ORDER BY srow`,
      )
    ).getRows();
    if (!spans.length) return [];
    const srows = spans.map((r) => r[0] as bigint);
    const lo = srows[0] as bigint;
    const hi = srows.at(-1) as bigint;
    // The srow range lets zone maps skip every row group outside the trace's; the IN list keeps only its spans.
    const attrRows = (
      await this.conn.runAndReadAll(`SELECT srow, key, value, vtype FROM attrs WHERE srow BETWEEN ${lo} AND ${hi} AND srow IN (${srows.join(',')})`)
    ).getRows();
    const bySrow = new Map<bigint, KeyValue[]>();
    for (const [srow, key, value, vtype] of attrRows) {
      let list = bySrow.get(srow as bigint);
      if (!list) bySrow.set(srow as bigint, (list = []));
      list.push({ key: key as string, value: valueOf(value as string, Number(vtype)) });
    }
    return spans.map(([srow, spanId, parent, service, name, kind, start, dur, status, msg, res]) => {
      const r = this.resById.get(Number(res));
      return {
        service: service as string,
        resource: r ? r.resource : { attributes: [] },
        scope: SCOPE,
        span: {
          traceId, spanId: bigHex(spanId as bigint, 16), parentSpanId: parent === null ? '' : bigHex(parent as bigint, 16),
          name: name as string, kind: Number(kind) as SpanKindNumber,
          startTimeUnixNano: String(start), endTimeUnixNano: String((start as bigint) + (dur as bigint)),
          attributes: bySrow.get(srow as bigint) ?? [], events: [], links: [],
          status: msg === null ? { code: Number(status) as StatusCodeNumber } : { code: Number(status) as StatusCodeNumber, message: msg as string },
        },
      };
    });
  }

  /**
   * Newest 20 traces (by the matching span's start) whose spans match `where`, with the matches counted up to
   * 10,001 (the explorer's count cap) and a summary per trace, as the explorer's search answers.
   */
  private async newest(matchSql: string, params: string[]): Promise<{ total: number; traces: DuckSummary[] }> {
    const page = (
      await this.conn.runAndReadAll(
        `SELECT trace_hi, trace_lo, max(start_ns) AS s FROM (${matchSql}) GROUP BY ALL ORDER BY s DESC LIMIT 20`,
        params,
      )
    ).getRows();
    const total = Number(
      (await this.conn.runAndReadAll(`SELECT count(*) FROM (SELECT DISTINCT trace_hi, trace_lo FROM (${matchSql}) LIMIT 10001)`, params)).getRows()[0]?.[0] ?? 0,
    );
    if (!page.length) return { total, traces: [] };
    const los = page.map((r) => String(r[1] as bigint)).join(',');
    const sums = (
      await this.conn.runAndReadAll(
        `SELECT trace_hi, trace_lo, min(start_ns), count(*), count(*) FILTER (WHERE status = 2) FROM spans WHERE trace_lo IN (${los}) GROUP BY ALL`,
      )
    ).getRows();
    const byId = new Map(sums.map((r) => [`${r[0]}:${r[1]}`, r]));
    const traces = page.map((p) => {
      const s = byId.get(`${p[0]}:${p[1]}`);
      return { traceId: bigHex(p[0] as bigint, 16) + bigHex(p[1] as bigint, 16), startNs: (s?.[2] as bigint) ?? 0n, spanCount: Number(s?.[3] ?? 0), errorCount: Number(s?.[4] ?? 0) };
    });
    return { total, traces };
  }

  searchServiceOperation(service: string, operation: string): Promise<{ total: number; traces: DuckSummary[] }> {
    return this.newest('SELECT trace_hi, trace_lo, start_ns FROM spans WHERE service = $1 AND name = $2', [service, operation]);
  }

  searchAttribute(key: string, value: string): Promise<{ total: number; traces: DuckSummary[] }> {
    const hash = this.attrHash ? `a.vhash = ${fnv1a(key, value)} AND ` : '';
    return this.newest(
      `SELECT s.trace_hi, s.trace_lo, s.start_ns FROM attrs a JOIN spans s ON s.srow = a.srow WHERE ${hash}a.key = $1 AND a.value = $2`,
      [key, value],
    );
  }

  /** Cross-service parent → child edges among spans that started at or after `sinceNs`. */
  async serviceMap(sinceNs: bigint): Promise<ServiceEdge[]> {
    const rows = (
      await this.conn.runAndReadAll(
        `SELECT p.service, c.service, count(*), count(*) FILTER (WHERE c.status = 2 OR p.status = 2)
           FROM spans c JOIN spans p ON p.trace_lo = c.trace_lo AND p.trace_hi = c.trace_hi AND p.span_id = c.parent_id
          WHERE c.start_ns >= ${sinceNs} AND p.start_ns >= ${sinceNs - 3_600_000_000_000n} AND p.service <> c.service
          GROUP BY ALL ORDER BY 1, 2`,
      )
    ).getRows();
    return rows.map((r) => ({ from: r[0] as string, to: r[1] as string, count: Number(r[2]), errors: Number(r[3]) }));
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }
}
