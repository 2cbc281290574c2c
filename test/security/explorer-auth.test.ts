/**
 * Nobody is let in: the explorer binds loopback by default, refuses a public
 * bind without a token, and with a token answers 401 (no data) on OTLP/HTTP,
 * OTLP/gRPC, the API and the UI unless the token (or the UI's session cookie)
 * comes along. The library's exporters pass it through the standard
 * OTEL_EXPORTER_OTLP_HEADERS, end to end, over all three protocols. CORS is
 * closed unless one origin is configured. Every request has a size limit.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto, { randomBytes } from 'node:crypto';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { InsecureBindError, WeakTokenError, createAuth, startExplorer } from '../../packages/explorer/src/index.ts';
import { hex, otlpJson, startTestExplorer, tempDir } from '../explorer/helpers.ts';
import { BIN } from '../explorer/process.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TOKEN = randomBytes(24).toString('hex');
const bearer = { authorization: `Bearer ${TOKEN}` };
type Ex = Awaited<ReturnType<typeof startTestExplorer>>;

function oneSpan(traceId: string, service = 'auth-test') {
  const now = BigInt(Date.now()) * 1_000_000n;
  return otlpJson(
    [{ traceId, spanId: hex(1, 16), name: 'secret-op', kind: 2, startTimeUnixNano: String(now), endTimeUnixNano: String(now + 1_000_000n) }],
    service,
  );
}

function post(port: number, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

describe('binding', () => {
  it('refuses a non-loopback host without a token, with a message that says what to do', async () => {
    await assert.rejects(startExplorer({ host: '0.0.0.0', dataDir: tempDir(), grpcPort: 0, httpPort: 0, uiPort: 0 }), (err: Error) => {
      assert.ok(err instanceof InsecureBindError);
      assert.match(err.message, /TRACEWIRE_TOKEN/);
      return true;
    });
    assert.throws(() => createAuth({ host: '0.0.0.0', token: 'short' }), WeakTokenError);
    assert.equal(createAuth({ host: '127.0.0.1' }).enabled, false);
    assert.equal(createAuth({ host: '::1' }).enabled, false);
  });

  it('the CLI exits 2 and names the fix; with TRACEWIRE_TOKEN it starts on 0.0.0.0', async () => {
    const run = (env: Record<string, string>) =>
      new Promise<{ code: number | null; out: string; err: string; child: ReturnType<typeof spawn> }>((resolve) => {
        const child = spawn(process.execPath, [BIN, 'explorer', '--host', '0.0.0.0', '--data', tempDir(), '--grpc-port', '0', '--http-port', '0', '--ui-port', '0'], {
          env: { ...process.env, TRACEWIRE_TOKEN: '', ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('\n')) resolve({ code: null, out, err, child });
        });
        child.stderr.on('data', (c: Buffer) => (err += c.toString()));
        child.once('exit', (code) => resolve({ code, out, err, child }));
      });
    const refused = await run({});
    assert.equal(refused.code, 2);
    assert.match(refused.err, /refusing to listen on 0\.0\.0\.0 without a token/);
    const ok = await run({ TRACEWIRE_TOKEN: TOKEN });
    try {
      const ready = JSON.parse(ok.out.split('\n')[0] as string) as { uiPort: number; host: string };
      assert.equal(ready.host, '0.0.0.0');
      assert.equal((await fetch(`http://127.0.0.1:${ready.uiPort}/api/services`)).status, 401);
      assert.equal((await fetch(`http://127.0.0.1:${ready.uiPort}/api/services`, { headers: bearer })).status, 200);
    } finally {
      ok.child.kill('SIGTERM');
      await new Promise((r) => ok.child.once('exit', r));
    }
  });
});

describe('with a token', () => {
  let ex: Ex;
  const stored = hex(0xabc, 32);
  before(async () => {
    ex = await startTestExplorer({ token: TOKEN, maxBodyBytes: 1024 * 1024 });
    assert.equal((await post(ex.httpPort, oneSpan(stored, 'svc-stored'), bearer)).status, 200);
  });
  after(async () => ex?.close());

  it('OTLP/HTTP: no token, a wrong token or another scheme → 401 and nothing stored; a huge unauthenticated body is not read', async () => {
    const before = (await ex.store.status()).spans;
    for (const headers of [{} as Record<string, string>, { authorization: `Bearer ${TOKEN}x` }, { authorization: `Basic ${TOKEN}` }, { authorization: TOKEN }]) {
      const res = await post(ex.httpPort, oneSpan(hex(0xbad, 32)), headers);
      assert.equal(res.status, 401, JSON.stringify(headers));
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="tracewire"');
      assert.doesNotMatch(await res.text(), /svc-stored|secret-op/);
    }
    const big = await fetch(`http://127.0.0.1:${ex.httpPort}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: Buffer.alloc(8 * 1024 * 1024) }).catch(
      (err: Error) => err,
    );
    // Either the 401 or a reset while the client was still sending: never a 413 (the body was not measured) or a 200.
    if (!(big instanceof Error)) assert.equal(big.status, 401);
    assert.equal((await ex.store.status()).spans, before);
    assert.equal(await ex.store.getTrace(hex(0xbad, 32)), undefined);
  });

  it('OTLP/gRPC: no token or a wrong one → UNAUTHENTICATED', async () => {
    const client = new grpc.Client(`127.0.0.1:${ex.grpcPort}`, grpc.credentials.createInsecure());
    const call = (md: grpc.Metadata) =>
      new Promise<grpc.ServiceError | null>((resolve) => {
        client.makeUnaryRequest(
          '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
          (b: Buffer) => b,
          (b: Buffer) => b,
          Buffer.alloc(0),
          md,
          (err) => resolve(err),
        );
      });
    try {
      assert.equal((await call(new grpc.Metadata()))?.code, grpc.status.UNAUTHENTICATED);
      const wrong = new grpc.Metadata();
      wrong.set('authorization', 'Bearer nope-nope-nope-nope');
      assert.equal((await call(wrong))?.code, grpc.status.UNAUTHENTICATED);
      const right = new grpc.Metadata();
      right.set('authorization', `Bearer ${TOKEN}`);
      assert.equal(await call(right), null, 'an empty export with the token is OK');
    } finally {
      client.close();
    }
  });

  it('API: 401 without the token, JSON with no data; 200 with it', async () => {
    for (const p of ['/api/services', `/api/traces/${stored}`, `/api/tw/traces/${stored}`, '/api/tw/search', '/api/tw/status', '/api/dependencies']) {
      const res = await fetch(`${ex.url}${p}`);
      assert.equal(res.status, 401, p);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.doesNotMatch(await res.text(), /svc-stored|secret-op|abc/);
      const wrong = await fetch(`${ex.url}${p}`, { headers: { authorization: 'Bearer 0123456789abcdef0123' } });
      assert.equal(wrong.status, 401, p);
    }
    const ok = await fetch(`${ex.url}/api/services`, { headers: bearer });
    assert.equal(ok.status, 200);
    assert.deepEqual(((await ok.json()) as { data: string[] }).data, ['svc-stored']);
  });

  it('UI: the login page (401, no data); POST /login or ?token= trade the token for an HttpOnly SameSite=Strict cookie', async () => {
    const page = await fetch(`${ex.url}/trace/${stored}`, { redirect: 'manual' });
    assert.equal(page.status, 401);
    const html = await page.text();
    assert.match(html, /<form method="post" action="\/login">/);
    assert.doesNotMatch(html, /svc-stored|secret-op/);

    const wrong = await fetch(`${ex.url}/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'token=wrong' });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.headers.get('set-cookie'), null);

    const login = await fetch(`${ex.url}/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${TOKEN}` });
    assert.equal(login.status, 303);
    assert.equal(login.headers.get('location'), '/');
    const setCookie = login.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^tracewire_session=[0-9a-f]{64}; HttpOnly; SameSite=Strict; Path=\/$/);
    assert.ok(!setCookie.includes(TOKEN), 'the cookie is not the token');
    const cookie = setCookie.split(';')[0] as string;
    assert.equal((await fetch(`${ex.url}/api/services`, { headers: { cookie } })).status, 200);
    assert.equal((await fetch(`${ex.url}/api/services`, { headers: { cookie: 'tracewire_session=' + 'f'.repeat(64) } })).status, 401);

    const link = await fetch(`${ex.url}/trace/${stored}?token=${TOKEN}&x=1`, { redirect: 'manual' });
    assert.equal(link.status, 303);
    assert.equal(link.headers.get('location'), `/trace/${stored}?x=1`, 'the token is taken out of the URL');
    assert.match(link.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Strict/);
    const sneaky = await fetch(`${ex.url}//evil.example/?token=${TOKEN}`, { redirect: 'manual' });
    // A target starting `//` is refused (400) before the login runs: never a redirect to another host.
    assert.equal(sneaky.status, 400);
    assert.equal(sneaky.headers.get('location'), null, 'never a redirect to another host');
    assert.equal((await fetch(`${ex.url}/?token=wrong-token-wrong-token`, { redirect: 'manual' })).status, 401);
  });

  it('compares in constant time: SHA-256 digests of equal length through crypto.timingSafeEqual', () => {
    const spy = mock.method(crypto, 'timingSafeEqual');
    syncBuiltinESMExports();
    try {
      const auth = createAuth({ host: '0.0.0.0', token: TOKEN });
      assert.equal(auth.checkAuthorization(`Bearer ${TOKEN}`), true);
      assert.equal(auth.checkAuthorization('Bearer x'), false);
      assert.equal(auth.checkAuthorization(undefined), false);
      assert.equal(auth.checkToken(TOKEN.slice(0, 5)), false);
      assert.equal(spy.mock.callCount(), 4, 'every check, even a missing header, goes through timingSafeEqual');
      for (const c of spy.mock.calls) {
        const [a, b] = c.arguments as [Buffer, Buffer];
        assert.equal(a.length, 32);
        assert.equal(b.length, 32);
      }
    } finally {
      spy.mock.restore();
      syncBuiltinESMExports();
    }
  });

  it('size limits: bodies on the query API → 413, a login form over 4 KiB → 413, headers over 16 KiB → 431', async () => {
    const withBody = await fetch(`${ex.url}/api/services`, { method: 'POST', headers: bearer, body: 'x'.repeat(100) });
    assert.equal(withBody.status, 413);
    const form = await fetch(`${ex.url}/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${'a'.repeat(5000)}` });
    assert.equal(form.status, 413);
    const hugeHeader = await fetch(`${ex.url}/api/services`, { headers: { ...bearer, 'x-pad': 'p'.repeat(20_000) } });
    assert.equal(hugeHeader.status, 431);
    const otlpHeader = await fetch(`http://127.0.0.1:${ex.httpPort}/v1/traces`, { method: 'POST', headers: { ...bearer, 'x-pad': 'p'.repeat(20_000) }, body: '{}' });
    assert.equal(otlpHeader.status, 431);
    const over = await fetch(`http://127.0.0.1:${ex.httpPort}/v1/traces`, { method: 'POST', headers: { ...bearer, 'content-type': 'application/json' }, body: 'x'.repeat(2 * 1024 * 1024) });
    assert.equal(over.status, 413);
  });
});

describe('CORS', () => {
  it('is closed by default: no Access-Control-Allow-Origin on OTLP, preflight or API', async () => {
    const ex = await startTestExplorer();
    try {
      const origin = { origin: 'https://evil.example' };
      const otlp = await post(ex.httpPort, oneSpan(hex(7, 32)), origin);
      assert.equal(otlp.status, 200);
      assert.equal(otlp.headers.get('access-control-allow-origin'), null);
      const pre = await fetch(`http://127.0.0.1:${ex.httpPort}/v1/traces`, { method: 'OPTIONS', headers: { ...origin, 'access-control-request-method': 'POST' } });
      assert.equal(pre.headers.get('access-control-allow-origin'), null);
      const api = await fetch(`${ex.url}/api/services`, { headers: origin });
      assert.equal(api.headers.get('access-control-allow-origin'), null);
    } finally {
      await ex.close();
    }
  });

  it('--cors-origin opens it to exactly that origin', async () => {
    const ex = await startTestExplorer({ corsOrigin: 'https://ui.example' });
    try {
      const good = await post(ex.httpPort, oneSpan(hex(8, 32)), { origin: 'https://ui.example' });
      assert.equal(good.headers.get('access-control-allow-origin'), 'https://ui.example');
      const pre = await fetch(`http://127.0.0.1:${ex.httpPort}/v1/traces`, { method: 'OPTIONS', headers: { origin: 'https://ui.example' } });
      assert.match(pre.headers.get('access-control-allow-headers') ?? '', /authorization/);
      const other = await fetch(`${ex.url}/api/services`, { headers: { origin: 'https://evil.example' } });
      assert.equal(other.headers.get('access-control-allow-origin'), null);
    } finally {
      await ex.close();
    }
  });
});

describe('the library exporters send the token from OTEL_EXPORTER_OTLP_HEADERS', () => {
  let ex: Ex;
  before(async () => {
    ex = await startTestExplorer({ token: TOKEN });
  });
  after(async () => ex?.close());

  /** A child process with @tracewire/tracing exports one span and prints its trace id and stats. */
  function exportFrom(protocol: string, headers: string | undefined) {
    const endpoint = protocol === 'grpc' ? `http://127.0.0.1:${ex.grpcPort}` : `http://127.0.0.1:${ex.httpPort}`;
    const script = `
      import { initTracing, withSpan } from '@tracewire/tracing';
      import { trace } from '@opentelemetry/api';
      const t = initTracing({ serviceName: 'token-${protocol.replace('/', '-')}' });
      const id = withSpan('with-token', {}, (s) => s.spanContext().traceId);
      await t.forceFlush();
      console.log(JSON.stringify({ id, stats: t.stats() }));
      await t.shutdown();
    `;
    return new Promise<{ id: string; stats: { exported: number; failed: number } }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: ROOT,
        env: {
          ...process.env,
          OTEL_TRACES_EXPORTER: 'otlp',
          OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
          OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
          OTEL_EXPORTER_OTLP_TIMEOUT: '3000',
          ...(headers !== undefined ? { OTEL_EXPORTER_OTLP_HEADERS: headers } : { OTEL_EXPORTER_OTLP_HEADERS: '' }),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.once('exit', (code) => {
        const line = out.split('\n').find((l) => l.startsWith('{"id"'));
        if (code !== 0 || !line) reject(new Error(`exporter child exited ${code}: ${err}`));
        else resolve(JSON.parse(line));
      });
    });
  }

  for (const protocol of ['grpc', 'http/protobuf', 'http/json']) {
    it(`${protocol}: with authorization=Bearer%20<token> the span is stored; without it, refused and counted as failed`, async () => {
      const good = await exportFrom(protocol, `authorization=Bearer%20${TOKEN}`);
      assert.equal(good.stats.exported, 1, JSON.stringify(good.stats));
      assert.equal((await ex.store.getTrace(good.id))?.length, 1);
      const bad = await exportFrom(protocol, undefined);
      assert.equal(bad.stats.exported, 0);
      assert.equal(bad.stats.failed, 1, JSON.stringify(bad.stats));
      assert.equal(await ex.store.getTrace(bad.id), undefined);
    });
  }
});
