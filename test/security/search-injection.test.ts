/**
 * Every search filter takes hostile input as data: SQL injection strings,
 * LIKE wildcards, quotes and backslashes give exactly the traces that hold
 * those literal values (or none, or a 400 naming the parameter), never a 500,
 * and the database is intact afterwards. Every JSON answer, errors included,
 * is `application/json` with `X-Content-Type-Options: nosniff`, so a browser
 * never sniffs span data into HTML. Stored hostile values come back as the
 * same literal strings.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { DB_FILE } from '../../packages/explorer/src/index.ts';
import { hex, postJson, startTestExplorer } from '../explorer/helpers.ts';

type Ex = Awaited<ReturnType<typeof startTestExplorer>>;
const MS = 1_000_000n;

const EVIL_SERVICE = "svc'; DROP TABLE traces;--";
const EVIL_OP = 'op" OR 1=1 --';
const EVIL_VALUE = "' OR '1'='1";
const SCRIPT = '<script>alert(1)</script><img src=x onerror=alert(2)>';

/** H1 holds the hostile strings; H2 is ordinary; H3 has LIKE wildcards in its name. */
const TRACES = {
  H1: { id: hex(0xe1, 32), service: EVIL_SERVICE, name: EVIL_OP, attrs: { 'inj.key': EVIL_VALUE, pct: '100%_done', html: SCRIPT } },
  H2: { id: hex(0xe2, 32), service: 'plain', name: 'GET /x', attrs: { 'inj.key': 'normal', pct: '100' } },
  H3: { id: hex(0xe3, 32), service: 'plain', name: 'q%_\\ path', attrs: { other: 'x' } },
} as const;
const byId = new Map(Object.entries(TRACES).map(([k, v]) => [v.id, k]));

let ex: Ex;
let baseline: { spans: number; traces: number };

before(async () => {
  // SQL injection is the SQLite store's risk (the segment store builds no SQL): this suite checks that store and its file.
  ex = await startTestExplorer({ store: 'sqlite' });
  const now = BigInt(Date.now()) * MS;
  for (const [i, t] of Object.values(TRACES).entries()) {
    const res = await postJson(ex.httpPort, {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: t.service } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: t.id,
                  spanId: hex(i + 1, 16),
                  name: t.name,
                  kind: 2,
                  startTimeUnixNano: String(now - BigInt(i) * 1000n * MS),
                  endTimeUnixNano: String(now - BigInt(i) * 1000n * MS + 5n * MS),
                  attributes: Object.entries(t.attrs).map(([key, v]) => ({ key, value: { stringValue: v } })),
                },
              ],
            },
          ],
        },
      ],
    });
    assert.equal(res.status, 200);
  }
  const s = await ex.store.status();
  baseline = { spans: s.spans, traces: s.traces };
});

after(async () => ex?.close());

async function get(pathAndQuery: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${ex.url}${pathAndQuery}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/, pathAndQuery);
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', pathAndQuery);
  const body = (await res.json()) as Record<string, unknown>;
  return { status: res.status, body };
}

async function search(params: Record<string, string | string[]>): Promise<string[]> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const one of [v].flat()) q.append(k, one);
  const r = await get(`/api/tw/search?${q}`);
  assert.equal(r.status, 200, `${q}: ${JSON.stringify(r.body)}`);
  return (r.body.traces as Array<{ traceId: string }>).map((t) => byId.get(t.traceId) ?? t.traceId).sort();
}

async function jaeger(params: Record<string, string>): Promise<string[]> {
  const r = await get(`/api/traces?${new URLSearchParams(params)}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return (r.body.data as Array<{ traceID: string }>).map((t) => byId.get(t.traceID) ?? t.traceID).sort();
}

describe('injection strings in every search filter are data', () => {
  it('service, operation, q (free text, LIKE wildcards escaped)', async () => {
    assert.deepEqual(await search({ service: EVIL_SERVICE }), ['H1']);
    assert.deepEqual(await search({ service: "' OR 1=1 --" }), []);
    assert.deepEqual(await search({ service: 'plain" OR "1"="1' }), []);
    assert.deepEqual(await search({ operation: EVIL_OP }), ['H1']);
    assert.deepEqual(await search({ operation: "x' OR 'a'='a" }), []);
    assert.deepEqual(await search({ service: 'plain', operation: EVIL_OP }), [], 'service and operation of the same span');
    assert.deepEqual(await search({ q: '%' }), ['H3']);
    assert.deepEqual(await search({ q: '_' }), ['H3']);
    assert.deepEqual(await search({ q: '\\' }), ['H3']);
    assert.deepEqual(await search({ q: "' OR 1=1--" }), []);
    assert.deepEqual(await search({ q: 'OR 1=1' }), ['H1'], 'a literal substring of H1’s name');
  });

  it('attr: =, !=, prefix*, exists and !absent', async () => {
    assert.deepEqual(await search({ attr: `inj.key=${EVIL_VALUE}` }), ['H1']);
    assert.deepEqual(await search({ attr: "inj.key=x' OR 'x'='x" }), []);
    assert.deepEqual(await search({ attr: 'inj.key!=normal' }), ['H1']);
    assert.deepEqual(await search({ attr: "inj.key!=' OR 1=1 --" }), ['H1', 'H2']);
    assert.deepEqual(await search({ attr: 'pct=100%*' }), ['H1'], '% is a literal in a prefix');
    assert.deepEqual(await search({ attr: 'pct=1*' }), ['H1', 'H2']);
    assert.deepEqual(await search({ attr: 'pct=_*' }), []);
    assert.deepEqual(await search({ attr: "'; DELETE FROM attrs;--" }), []);
    assert.deepEqual(await search({ attr: '!inj.key' }), ['H3']);
    assert.deepEqual(await search({ attr: `html=${SCRIPT}` }), ['H1']);
    assert.deepEqual(await search({ attr: ["inj.key=' OR '1'='1", 'pct=100%_done'] }), ['H1']);
  });

  it('kind, status, durations, times, paging and sort reject anything but their grammar with 400 naming the parameter', async () => {
    const cases: Array<[string, string]> = [
      ["kind=server' OR 1=1 --", 'kind'],
      ['status=error%27--', 'status'],
      ['minDuration=1ms;DROP TABLE traces', 'minDuration'],
      ['maxDuration=1 OR 1=1', 'maxDuration'],
      ['start=0 OR 1=1', 'start'],
      ["end=1'--", 'end'],
      ['lookback=1h);DROP TABLE attrs;--', 'lookback'],
      ['limit=1 OR 1=1', 'limit'],
      ['offset=0;DELETE FROM traces', 'offset'],
      ['sort=start_ns; DROP TABLE traces', 'sort'],
    ];
    for (const [query, parameter] of cases) {
      const r = await get(`/api/tw/search?${query.replace(/ /g, '%20').replace(/;/g, '%3B')}`);
      assert.equal(r.status, 400, query);
      assert.equal(r.body.parameter, parameter, query);
    }
  });

  it('Jaeger v1: service, operation, tags (JSON and logfmt), traceID, operations of a service', async () => {
    assert.deepEqual(await jaeger({ service: EVIL_SERVICE }), ['H1']);
    assert.deepEqual(await jaeger({ service: EVIL_SERVICE, operation: EVIL_OP }), ['H1']);
    assert.deepEqual(await jaeger({ service: "' OR 1=1 --" }), []);
    assert.deepEqual(await jaeger({ service: 'plain', tags: JSON.stringify({ 'inj.key': EVIL_VALUE }) }), []);
    assert.deepEqual(await jaeger({ service: EVIL_SERVICE, tags: JSON.stringify({ 'inj.key': EVIL_VALUE }) }), ['H1']);
    assert.deepEqual(await jaeger({ service: 'plain', tags: `inj.key="x' OR 'x'='x"` }), []);
    assert.deepEqual(await jaeger({ service: 'plain', tags: 'pct=100' }), ['H2']);
    const badId = await get(`/api/traces?traceID=${encodeURIComponent("1' OR '1'='1")}`);
    assert.equal(badId.status, 400);
    const ops = await get(`/api/services/${encodeURIComponent(EVIL_SERVICE)}/operations`);
    assert.deepEqual(ops.body.data, [EVIL_OP]);
    const none = await get(`/api/services/${encodeURIComponent("plain' OR '1'='1")}/operations`);
    assert.deepEqual(none.body.data, []);
    const kind = await get(`/api/operations?service=plain&spanKind=${encodeURIComponent("server' --")}`);
    assert.equal(kind.status, 400);
    const tid = await get(`/api/tw/traces/${encodeURIComponent("abc' OR 1=1")}`);
    assert.equal(tid.status, 400);
  });

  it('prototype keys are not filter values (found by the fuzzer: kind=__proto__ answered 500)', async () => {
    for (const v of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const r = await get(`/api/tw/search?${new URLSearchParams({ kind: v })}`);
      assert.equal(r.status, 400, `kind=${v}`);
      assert.equal(r.body.parameter, 'kind');
    }
  });

  it('random strings in every filter (fast-check, 150 runs each): 200 or 400, never 500; unknown literals match nothing', async () => {
    const known = new Set<string>([...Object.values(TRACES).flatMap((t) => [t.service, t.name, ...Object.values(t.attrs)])]);
    const hostile = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom("'", '"', '--', ';', '%', '_', '\\', '*', "' OR 1=1 --", '" OR ""="', '); DROP TABLE traces; --', '\u0000', '\uFFFF', '🙂'),
      fc.array(fc.constantFrom("'", '"', '%', '_', '\\', ';', '--', '/*', '*/', 'OR', '1=1', ' '), { maxLength: 8 }).map((a) => a.join('')),
    );
    for (const name of ['service', 'operation', 'q', 'kind', 'status', 'minDuration', 'start', 'lookback', 'limit', 'sort', 'attr']) {
      await fc.assert(
        fc.asyncProperty(hostile, async (v) => {
          const r = await get(`/api/tw/search?${new URLSearchParams({ [name]: v })}`);
          assert.ok(r.status === 200 || r.status === 400, `${name}=${JSON.stringify(v)} → ${r.status}`);
          if (r.status === 400) assert.equal(typeof r.body.error, 'string');
          if (r.status === 200 && (name === 'service' || name === 'operation') && v.trim() !== '' && !known.has(v)) {
            assert.equal(r.body.total, 0, `${name}=${JSON.stringify(v)} matched something`);
          }
        }),
        { numRuns: 150 },
      );
    }
    await fc.assert(
      fc.asyncProperty(hostile, hostile, async (k, v) => {
        const r = await get(`/api/traces?${new URLSearchParams({ service: k, tags: JSON.stringify({ [k]: v }) })}`);
        assert.ok(r.status === 200 || r.status === 400, String(r.status));
      }),
      { numRuns: 150 },
    );
  });

  it('hostile values come back as the same literal strings, in JSON', async () => {
    const r = await get(`/api/tw/traces/${TRACES.H1.id}`);
    assert.equal(r.status, 200);
    const span = (r.body.spans as Array<{ name: string; attributes: Array<{ key: string; value: unknown }> }>)[0];
    assert.equal(span?.name, EVIL_OP);
    assert.equal(span?.attributes.find((a) => a.key === 'html')?.value, SCRIPT);
    for (const p of ['/api/services', '/api/tw/status', `/api/traces/${TRACES.H1.id}`, `/api/tw/traces/${TRACES.H1.id}/otlp`, '/api/tw/service-map', '/api/dependencies', '/api/nope', '/api/tw/traces/zz']) {
      await get(p); // asserts the JSON content type and nosniff on successes and errors alike
    }
  });

  it('the database is intact afterwards', async () => {
    const s = await ex.store.status();
    assert.deepEqual({ spans: s.spans, traces: s.traces }, baseline);
    assert.deepEqual((await get('/api/services')).body.data, ['plain', EVIL_SERVICE].sort());
    const db = new Database(path.join(ex.dataDir, DB_FILE), { readonly: true });
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((t) => t.name);
      for (const t of ['attrs', 'chunks', 'operations', 'trace_ops', 'traces']) assert.ok(tables.includes(t), `table ${t} still there`);
    } finally {
      db.close();
    }
  });
});
