/**
 * The UI/API listener of a real `tracewire explorer` process, sent requests
 * no browser would send, over bare sockets. Each answers a 4xx that says what
 * was wrong (400 `{error, parameter}` for a bad parameter), nothing reaches an
 * uncaught exception or the error log, and the process keeps serving: after
 * each group the status probe answers and the stored span is still there.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { hex, otlpJson, postJson, tempDir } from './helpers.ts';
import { type ExplorerProcess, startExplorerProcess, waitExit } from './process.ts';
import { rawGet } from './raw-http.ts';

const TRACE = hex(0x5eed, 32);

describe('the UI/API listener under hostile requests', () => {
  let ex: ExplorerProcess;
  before(async () => {
    ex = await startExplorerProcess(tempDir());
    const now = BigInt(Date.now()) * 1_000_000n;
    const span = { traceId: TRACE, spanId: hex(1, 16), name: 'kept', kind: 2, startTimeUnixNano: String(now), endTimeUnixNano: String(now + 1_000_000n) };
    assert.equal((await postJson(ex.httpPort, otlpJson([span], 'hostile'))).status, 200);
  });
  after(async () => {
    ex.child.kill('SIGTERM');
    await waitExit(ex.child);
  });

  /** The process still answers and still holds the span stored before. */
  async function stillServing(): Promise<void> {
    assert.equal(ex.child.exitCode, null, `the explorer exited: ${ex.stderr()}`);
    const status = await rawGet(ex.uiPort, '/api/tw/status');
    assert.equal(status.status, 200);
    const trace = await rawGet(ex.uiPort, `/api/tw/traces/${TRACE}`);
    assert.equal(trace.status, 200);
    assert.equal((JSON.parse(trace.body) as { spans: unknown[] }).spans.length, 1);
  }

  async function expect400(target: string, parameter: string): Promise<void> {
    const r = await rawGet(ex.uiPort, target);
    assert.equal(r.status, 400, `${target}: ${r.status} ${r.body}`);
    const body = JSON.parse(r.body) as { error: string; parameter: string };
    assert.equal(body.parameter, parameter, target);
    assert.ok(body.error.includes(parameter), `${target}: the message names the parameter: ${body.error}`);
  }

  it('answers 400 to a request target that is not a URL path, and keeps serving', async () => {
    for (const target of ['//x:99999', '//x:99999/api/services', '//', '/\\evil.example/', '*', 'http://[::1', 'http://x:99999/api/services', 'api/services', '%00']) {
      const r = await rawGet(ex.uiPort, target);
      assert.equal(r.status, 400, `${target}: ${r.status} ${r.body}`);
      await stillServing();
    }
  });

  it('answers 400 or 404 to UI paths it cannot serve: NUL, broken or overlong encodings, traversal, a file used as a directory, very long names', async () => {
    const cases = [
      '/%00',
      '/assets/%00.js',
      '/trace/%00',
      '/%',
      '/%E0%A4%A',
      '/%ff',
      '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
      '/..%2f..%2f..%2fetc%2fpasswd',
      '/assets/..%5c..%5csecret.txt',
      '/index.html/x',
      '/index.html/x.js',
      `/${'a'.repeat(5000)}`,
      `/${'a'.repeat(300)}.js`,
      `/${'d/'.repeat(3000)}x.js`,
    ];
    for (const target of cases) {
      const r = await rawGet(ex.uiPort, target);
      assert.ok(r.status === 400 || r.status === 404, `${target.slice(0, 60)}: ${r.status}`);
      await stillServing();
    }
  });

  it('answers 400 naming the parameter to numbers past what a 64-bit nanosecond time holds, on both APIs', async () => {
    const huge = '9'.repeat(40);
    const cases: Array<[string, string]> = [
      ['/api/tw/search?start=9999999999999999', 'start'],
      ['/api/tw/search?start=1&end=9999999999999999', 'end'],
      [`/api/tw/search?end=${huge}`, 'end'],
      ['/api/tw/search?start=0000-01-01T00:00:00Z', 'start'],
      ['/api/tw/search?start=275760-09-13T00:00:00Z', 'start'],
      ['/api/tw/search?minDuration=99999999999h', 'minDuration'],
      [`/api/tw/search?maxDuration=${huge}s`, 'maxDuration'],
      [`/api/tw/search?maxDuration=1${'0'.repeat(400)}h`, 'maxDuration'],
      ['/api/tw/search?lookback=999999999d', 'lookback'],
      [`/api/tw/search?limit=${huge}`, 'limit'],
      [`/api/tw/search?offset=${huge}`, 'offset'],
      ['/api/tw/search?minDuration=2s&maxDuration=1s', 'minDuration'],
      ['/api/traces?start=9999999999999999999', 'start'],
      ['/api/traces?end=9223372036854776', 'end'],
      [`/api/traces?start=${huge}`, 'start'],
      ['/api/traces?lookback=99999999999h', 'lookback'],
      ['/api/traces?minDuration=99999999999h', 'minDuration'],
      [`/api/traces?limit=${huge}`, 'limit'],
      ['/api/traces?start=2000&end=1000', 'start'],
      ['/api/dependencies?endTs=999999999999999', 'endTs'],
      [`/api/dependencies?lookback=${huge}`, 'lookback'],
      ['/api/dependencies?lookback=999999999999999', 'lookback'],
      ['/api/tw/service-map?lookback=999999999999d', 'lookback'],
    ];
    for (const [target, parameter] of cases) await expect400(target, parameter);
    await stillServing();
  });

  it('bounds the filters of one search: 16 attr / tags / tag filters, 32 traceIDs, 1,024 characters a value', async () => {
    const attrs = (n: number) => Array.from({ length: n }, (_, i) => `attr=k${i}%3Dv`).join('&');
    assert.equal((await rawGet(ex.uiPort, `/api/tw/search?${attrs(16)}`)).status, 200);
    await expect400(`/api/tw/search?${attrs(17)}`, 'attr');
    const tagsJson = (n: number) => encodeURIComponent(JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']))));
    assert.equal((await rawGet(ex.uiPort, `/api/traces?service=hostile&tags=${tagsJson(16)}`)).status, 200);
    await expect400(`/api/traces?service=hostile&tags=${tagsJson(17)}`, 'tags');
    await expect400(`/api/traces?service=hostile&tags=${encodeURIComponent(Array.from({ length: 17 }, (_, i) => `k${i}=v`).join(' '))}`, 'tags');
    await expect400(`/api/traces?service=hostile&${Array.from({ length: 17 }, (_, i) => `tag=k${i}:v`).join('&')}`, 'tag');
    await expect400(`/api/traces?service=hostile&tags=${tagsJson(10)}&${Array.from({ length: 7 }, (_, i) => `tag=t${i}:v`).join('&')}`, 'tag');
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `traceID=${hex(i + 1, 32)}`).join('&');
    assert.equal((await rawGet(ex.uiPort, `/api/traces?${ids(32)}`)).status, 200);
    await expect400(`/api/traces?${ids(33)}`, 'traceID');
    const long = 'x'.repeat(1025);
    for (const [target, parameter] of [
      [`/api/tw/search?service=${long}`, 'service'],
      [`/api/tw/search?operation=${long}`, 'operation'],
      [`/api/tw/search?q=${long}`, 'q'],
      [`/api/tw/search?attr=k%3D${long}`, 'attr'],
      [`/api/traces?service=${long}`, 'service'],
      [`/api/traces?service=s&operation=${long}`, 'operation'],
      [`/api/traces?service=s&tag=k:${long}`, 'tag'],
      [`/api/traces?service=s&tags=${encodeURIComponent(JSON.stringify({ k: long }))}`, 'tags'],
      [`/api/operations?service=${long}`, 'service'],
      [`/api/services/${long}/operations`, 'service'],
    ] as const) {
      await expect400(target, parameter);
    }
    assert.equal((await rawGet(ex.uiPort, `/api/tw/search?service=${'x'.repeat(1024)}`)).status, 200);
    await stillServing();
  });

  it('cuts off a client that trickles its headers (slowloris) with 408 once headersTimeout (10 s) has passed; closes silent and idle keep-alive connections', async () => {
    const answer = (socket: net.Socket) =>
      new Promise<string>((resolve) => {
        let got = '';
        socket.on('data', (c: Buffer) => (got += c.toString('latin1')));
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(got));
      });
    const slow = net.connect(ex.uiPort, '127.0.0.1');
    const silent = net.connect(ex.uiPort, '127.0.0.1');
    const idle = net.connect(ex.uiPort, '127.0.0.1');
    const [slowAnswer, silentAnswer, idleAnswer] = [answer(slow), answer(silent), answer(idle)];
    slow.write('GET /api/tw/status HTTP/1.1\r\nhost: localhost\r\n');
    idle.write('GET /api/tw/status HTTP/1.1\r\nhost: localhost\r\nconnection: keep-alive\r\n\r\n');
    // One header line a second, never the blank line that ends the headers; other clients are served meanwhile.
    // 25 lines is 2.5 times the bound: a server that let the client go on past that has no working bound
    // (Node's default check interval of 30 s let one go on for ~40 s).
    let closed = false;
    slow.once('close', () => (closed = true));
    for (let i = 0; !closed && i < 25; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      if (!closed && slow.writable) slow.write(`x-pad-${i}: y\r\n`);
      await stillServing();
    }
    slow.destroy();
    assert.match(await slowAnswer, /^HTTP\/1\.1 408 /, 'the server answered 408 and closed within 25 header lines');
    // A connection that never sent a byte is closed too (no answer is owed); a kept-alive one after its answer.
    await silentAnswer;
    assert.match(await idleAnswer, /^HTTP\/1\.1 200 /);
  });

  it('wrote nothing to its error log', () => {
    const lines = ex.stderr().split('\n').filter((l) => l.trim() !== '');
    assert.deepEqual(
      lines.filter((l) => !l.startsWith('tracewire explorer: UI ')),
      [],
    );
  });
});
