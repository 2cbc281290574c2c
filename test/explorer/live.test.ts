/**
 * The live API (server-sent events, packages/explorer/src/api/routes-live.ts)
 * against a real explorer: spans posted over OTLP/HTTP reach open streams,
 * the streams are bounded, beat, end when their client goes or the explorer
 * closes, and sit behind the same host and token checks as every route.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { hex, otlpJson, postJson, startTestExplorer } from './helpers.ts';

type TestExplorer = Awaited<ReturnType<typeof startTestExplorer>>;

interface SseEvent {
  event: string;
  data: string;
}

/** Reads an SSE response: `next(pred)` resolves with the first event (or comment, as event ':') matching it. */
function sseReader(res: Response) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const queue: SseEvent[] = [];
  async function next(pred: (e: SseEvent) => boolean = () => true): Promise<SseEvent> {
    for (;;) {
      const i = queue.findIndex(pred);
      if (i >= 0) return queue.splice(0, i + 1).pop()!;
      queue.length = 0;
      const chunk = await reader.read();
      if (chunk.done) throw new Error('stream ended');
      buffer += chunk.value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const e: SseEvent = { event: 'message', data: '' };
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) e.event = ':';
          else if (line.startsWith('event: ')) e.event = line.slice(7);
          else if (line.startsWith('data: ')) e.data += line.slice(6);
        }
        queue.push(e);
      }
    }
  }
  return { next, cancel: () => reader.cancel() };
}

const TOKEN = 'live-test-token-0123456789';
let seq = 0;
function span(traceId: string, name: string) {
  seq += 1;
  const t = BigInt(Date.now()) * 1_000_000n;
  return { traceId, spanId: hex(seq, 16), name, kind: 2, startTimeUnixNano: String(t), endTimeUnixNano: String(t + 1_000_000n) };
}

describe('live streams (server-sent events)', () => {
  let ex: TestExplorer;
  before(async () => {
    ex = await startTestExplorer({ live: { maxClients: 2, heartbeatMs: 100, minIntervalMs: 50 } });
  });
  after(async () => {
    await ex.close();
  });

  it('sends the search answer on connect and again when a matching trace is stored', async () => {
    const res = await fetch(`${ex.url}/api/tw/live?service=live-svc&lookback=1h`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const sse = sseReader(res);
    const first = JSON.parse((await sse.next((e) => e.event === 'search')).data) as { total: number };
    assert.equal(first.total, 0);
    const traceId = hex(0x11fe, 32);
    assert.equal((await postJson(ex.httpPort, otlpJson([span(traceId, 'GET /live')], 'live-svc'))).status, 200);
    const second = JSON.parse((await sse.next((e) => e.event === 'search')).data) as { total: number; traces: Array<{ traceId: string; rootName: string }> };
    assert.equal(second.total, 1);
    assert.deepEqual(second.traces.map((t) => [t.traceId, t.rootName]), [[traceId, 'GET /live']]);
    await sse.cancel();
  });

  it('tells a trace stream of new spans of its trace, and not of other traces', async () => {
    const traceId = hex(0x7ace, 32);
    const res = await fetch(`${ex.url}/api/tw/live/traces/${traceId.toUpperCase()}`);
    assert.equal(res.status, 200);
    const sse = sseReader(res);
    await sse.next((e) => e.event === ':'); // open: the first heartbeat came
    await postJson(ex.httpPort, otlpJson([span(hex(0x07e1, 32), 'other trace')], 'live-svc'));
    await postJson(ex.httpPort, otlpJson([span(traceId, 'late span')], 'live-svc'));
    const told = await sse.next((e) => e.event !== ':');
    assert.deepEqual([told.event, JSON.parse(told.data)], ['spans', { traceId }]);
    await sse.cancel();
  });

  it('answers 400 to a bad search parameter, before any stream opens', async () => {
    const res = await fetch(`${ex.url}/api/tw/live?minDuration=soon`);
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { parameter: string }).parameter, 'minDuration');
    const bad = await fetch(`${ex.url}/api/tw/live/traces/not-hex`);
    assert.equal(bad.status, 400);
    await bad.body?.cancel();
  });

  it('sends a heartbeat comment while nothing happens', async () => {
    const res = await fetch(`${ex.url}/api/tw/live/traces/${hex(0xbeef, 32)}`);
    const sse = sseReader(res);
    assert.equal((await sse.next((e) => e.event === ':')).event, ':');
    assert.equal((await sse.next((e) => e.event === ':')).event, ':');
    await sse.cancel();
  });

  it('refuses a stream past maxClients with 503 and Retry-After, and frees the slot when a client goes', async () => {
    const url = `${ex.url}/api/tw/live/traces/${hex(0xc0de, 32)}`;
    const a = new AbortController();
    const one = await fetch(url, { signal: a.signal });
    const two = await fetch(url);
    assert.deepEqual([one.status, two.status], [200, 200]);
    const three = await fetch(url);
    assert.equal(three.status, 503);
    assert.equal(three.headers.get('retry-after'), '10');
    assert.match(((await three.json()) as { error: string }).error, /too many live streams/);
    a.abort();
    // The server notices the client went (socket close) and frees its slot.
    for (;;) {
      const again = await fetch(url);
      if (again.status === 200) {
        await again.body?.cancel();
        break;
      }
      await again.body?.cancel();
      await new Promise((r) => setTimeout(r, 50));
    }
    await two.body?.cancel();
  });

  it('ends open streams when the explorer closes, so close() does not wait on them', async () => {
    const own = await startTestExplorer({});
    const res = await fetch(`${own.url}/api/tw/live?lookback=1h`);
    const sse = sseReader(res);
    await sse.next((e) => e.event === 'search');
    await own.close();
    await assert.rejects(sse.next(), /stream ended/);
  });
});

describe('live streams behind the explorer checks', () => {
  let ex: TestExplorer;
  before(async () => {
    ex = await startTestExplorer({ token: TOKEN });
  });
  after(async () => {
    await ex.close();
  });

  it('answers 401 without the token and streams with it', async () => {
    const denied = await fetch(`${ex.url}/api/tw/live?lookback=1h`);
    assert.equal(denied.status, 401);
    await denied.body?.cancel();
    const ok = await fetch(`${ex.url}/api/tw/live?lookback=1h`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(ok.status, 200);
    await ok.body?.cancel();
  });

  it('answers 403 to a foreign Host on an explorer without a token (DNS rebinding)', async () => {
    const open = await startTestExplorer({});
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port: open.uiPort, path: '/api/tw/live', headers: { host: 'evil.example' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
      });
      assert.equal(status, 403);
    } finally {
      await open.close();
    }
  });
});
