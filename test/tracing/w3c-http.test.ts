/**
 * The W3C test suite's set-up over real HTTP: a harness sends a request with
 * raw header fields (over a plain socket, so repeated and odd fields arrive
 * as sent) to a service built with the library's server helper; the service
 * calls the harness back with the library's client helpers; the callback's
 * headers are checked against the spec oracle (test/support/w3c.ts).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { traceHttpServer, tracedFetch, tracedHttpRequest } from '../../packages/tracing/src/index.ts';
import { memoryTracing } from '../support/memory-tracing.ts';
import { TRACEPARENT_OUT, parseBaggageSpec, parseTraceparentSpec, parseTracestateSpec } from '../support/w3c.ts';
import { baggageFields, traceparentFields, tracestateFields } from '../support/w3c-arbitraries.ts';

const tracing = memoryTracing({ serviceName: 'w3c-http', sampler: 'parentbased_always_on' });
let harness: http.Server;
let service: http.Server;
let harnessUrl = '';
let servicePort = 0;
/** Headers of each callback the service made, by request id. */
const callbacks = new Map<string, http.IncomingHttpHeaders>();
let useFetch = false;

before(async () => {
  harness = http.createServer((req, res) => {
    callbacks.set(req.url ?? '', req.headers);
    res.end('ok');
  });
  await new Promise<void>((r) => harness.listen(0, '127.0.0.1', r));
  harnessUrl = `http://127.0.0.1:${(harness.address() as AddressInfo).port}`;
  service = http.createServer(
    traceHttpServer(async (req, res) => {
      const target = `${harnessUrl}${req.url ?? '/'}`;
      useFetch = !useFetch;
      if (useFetch) {
        await (await tracedFetch(target)).text();
      } else {
        await new Promise<void>((resolve, reject) => tracedHttpRequest(target, {}, (r) => r.resume().once('end', resolve)).once('error', reject).end());
      }
      res.end('done');
    }),
  );
  await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
  servicePort = (service.address() as AddressInfo).port;
});
after(async () => {
  harness.closeAllConnections();
  service.closeAllConnections();
  await Promise.all([new Promise((r) => harness.close(r)), new Promise((r) => service.close(r))]);
  await tracing.shutdown();
});

let next = 0;
/**
 * Sends one request with these raw fields; resolves with the headers of the
 * service's callback, or undefined when Node refused the request's header
 * section as too large (431, over its 16 KiB limit) before the service ran.
 */
async function send(fields: Array<[string, string]>): Promise<http.IncomingHttpHeaders | undefined> {
  const id = `/cb/${++next}`;
  const lines = fields.map(([k, v]) => `${k}: ${v}\r\n`).join('');
  const raw = Buffer.from(`GET ${id} HTTP/1.1\r\nhost: w3c\r\n${lines}connection: close\r\n\r\n`, 'utf8');
  const status = await new Promise<string>((resolve, reject) => {
    const socket = net.connect(servicePort, '127.0.0.1', () => socket.write(raw));
    let text = '';
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.once('error', reject);
    socket.once('close', () => resolve(text.slice(0, 12)));
  });
  if (status === 'HTTP/1.1 431' && raw.length > 16 * 1024) return undefined;
  assert.equal(status, 'HTTP/1.1 200', 'the service answered');
  const headers = callbacks.get(id);
  assert.ok(headers, 'the service called back');
  return headers;
}

async function sendOk(fields: Array<[string, string]>): Promise<http.IncomingHttpHeaders> {
  const headers = await send(fields);
  assert.ok(headers);
  return headers;
}

/** Header values Node's HTTP parser refuses (control characters) cannot be sent; replace them. */
const sendable = (v: string): string => v.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, 'x');
const T = '12345678901234567890123456789012';

describe('over real HTTP, the service propagates as the W3C test suite expects', () => {
  it('keeps a valid trace id (random flag as received), restarts on an invalid one, with a random flag of its own', async () => {
    const keep = await sendOk([['TrAcEpArEnT', `00-${T}-1234567890123456-02`]]);
    assert.match(String(keep.traceparent), new RegExp(`^00-${T}-[0-9a-f]{16}-02$`));
    const future = await sendOk([['traceparent', `cc-${T}-1234567890123456-01-what-the-future-will-be-like`]]);
    assert.match(String(future.traceparent), new RegExp(`^00-${T}-[0-9a-f]{16}-01$`));
    for (const bad of [[`ff-${T}-1234567890123456-01`], [`00-${T}-1234567890123456-01`, `00-${T}-1234567890123456-01`], [`00-${T}-1234567890123456-01-x`]]) {
      const restarted = await sendOk(bad.map((v) => ['traceparent', v]));
      assert.ok(!String(restarted.traceparent).includes(T), String(restarted.traceparent));
      assert.match(String(restarted.traceparent), /-03$/, 'a new trace id: random and sampled');
      assert.equal(restarted.tracestate, undefined);
    }
  });

  it('passes tracestate on whole, or drops it whole (W3C suite, strict level)', async () => {
    const tp: [string, string] = ['traceparent', `00-${T}-1234567890123456-00`];
    const kept = await sendOk([tp, ['tracestate', 'foo=1,bar=2'], ['TraceState', 'rojo=1, congo=2'], ['tracestate', '']]);
    assert.equal(kept.tracestate, 'foo=1,bar=2,rojo=1,congo=2');
    for (const bad of ['foo=1,foo=2', 'foo@=1,bar=2', 'foo=bar=baz', Array.from({ length: 33 }, (_, i) => `b${i}=1`).join(',')]) {
      assert.equal((await sendOk([tp, ['tracestate', bad]])).tracestate, undefined, bad);
    }
  });

  it(`any mix of traceparent, tracestate and baggage fields comes out as the spec oracle says (300 requests)`, async () => {
    await fc.assert(
      fc.asyncProperty(traceparentFields, tracestateFields, baggageFields, async (tps, tss, bgs) => {
        const fields: Array<[string, string]> = [
          ...tps.map((v): [string, string] => ['traceparent', sendable(v)]),
          ...tss.map((v): [string, string] => ['tracestate', sendable(v)]),
          ...bgs.map((v): [string, string] => ['baggage', sendable(v)]),
        ];
        const out = await send(fields);
        if (!out) return;
        // What the service received: Node reads bytes as latin1 and joins repeated fields with ", " (RFC 9110 §5.3).
        const seen = (name: string) => fields.filter(([k]) => k === name).map(([, v]) => Buffer.from(v, 'utf8').toString('latin1'));
        const parent = parseTraceparentSpec(seen('traceparent').length === 1 ? seen('traceparent') : [seen('traceparent').join(', ')]);
        const m = TRACEPARENT_OUT.exec(String(out.traceparent));
        assert.ok(m, String(out.traceparent));
        if (parent) {
          assert.equal(m[1], parent.traceId);
          assert.equal(parseInt(m[3] as string, 16), (parent.sampled ? 1 : 0) | (parent.random ? 2 : 0));
          const state = parseTracestateSpec(seen('tracestate'));
          assert.equal(out.tracestate, state && state.length > 0 ? state.map(([k, v]) => `${k}=${v}`).join(',') : undefined);
        } else {
          assert.equal(m[3], '03');
          assert.equal(out.tracestate, undefined, 'no tracestate without the traceparent it belongs to');
        }
        const bag = seen('baggage').length ? parseBaggageSpec([seen('baggage').join(', ')]) : [];
        const sent = out.baggage === undefined ? [] : parseBaggageSpec([String(out.baggage)]);
        assert.deepEqual(sent, bag.slice(0, sent.length), 'baggage sent on is what the spec keeps, in order');
        assert.equal(sent.length === 0, bag.length === 0);
      }),
      { numRuns: 300 },
    );
  });
});
