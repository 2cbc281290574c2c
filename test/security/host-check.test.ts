/**
 * DNS rebinding: a web page on evil.example re-points its own name at
 * 127.0.0.1 and then reads `http://evil.example:16686/api/...` as same-origin,
 * or posts spans to port 4318. The browser still sends `Host: evil.example`,
 * so without a token the explorer answers only requests addressed to a
 * loopback name (localhost, *.localhost, an IP address) or to a host the
 * operator allowed (`--allowed-host`, `TRACEWIRE_ALLOWED_HOSTS`). With a token
 * the token is the guard and any Host is fine. `--cors-origin '*'` never
 * opens the query API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hex, otlpJson, postJson, tempDir } from '../explorer/helpers.ts';
import { type ExplorerProcess, runCli, startExplorerProcess, waitExit } from '../explorer/process.ts';
import { type RawResponse, rawGet, rawRequest } from '../explorer/raw-http.ts';

function span(traceId: string) {
  const now = BigInt(Date.now()) * 1_000_000n;
  return otlpJson([{ traceId, spanId: hex(1, 16), name: 'op', kind: 2, startTimeUnixNano: String(now), endTimeUnixNano: String(now + 1_000_000n) }], 'host-check');
}

function postSpans(port: number, host: string, traceId: string, extra: Record<string, string> = {}): Promise<RawResponse> {
  const body = JSON.stringify(span(traceId));
  const headers = Object.entries({ host, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...extra })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  return rawRequest(port, `POST /v1/traces HTTP/1.1\r\n${headers}connection: close\r\n\r\n${body}`);
}

async function stop(ex: ExplorerProcess): Promise<void> {
  ex.child.kill('SIGTERM');
  await waitExit(ex.child);
}

describe('without a token, only requests addressed to this machine are answered', () => {
  let ex: ExplorerProcess;
  before(async () => {
    ex = await startExplorerProcess(tempDir());
  });
  after(() => stop(ex));

  it('refuses a foreign Host on the API and the UI with 403 and a message naming the fix; nothing is read', async () => {
    assert.equal((await postJson(ex.httpPort, span(hex(1, 32)))).status, 200);
    for (const host of ['evil.example', `evil.example:${ex.uiPort}`, 'localhost.evil.example', '127.0.0.1.nip.io', 'evil.example.', '']) {
      for (const path of ['/api/services', `/api/traces/${hex(1, 32)}`, '/api/tw/search', '/', '/search']) {
        const r = await rawGet(ex.uiPort, path, { host });
        assert.equal(r.status, 403, `${host} ${path}`);
        assert.match(r.body, /--allowed-host/);
        assert.match(r.body, /TRACEWIRE_ALLOWED_HOSTS/);
        assert.doesNotMatch(r.body, /host-check/);
      }
    }
  });

  it('refuses a foreign authority in an absolute-form request target (RFC 9112 §3.2.2: it wins over Host)', async () => {
    const r = await rawGet(ex.uiPort, `http://evil.example:${ex.uiPort}/api/services`, { host: `localhost:${ex.uiPort}` });
    assert.equal(r.status, 403);
  });

  it('answers loopback names, *.localhost and IP addresses', async () => {
    for (const host of [`localhost:${ex.uiPort}`, 'LOCALHOST', `127.0.0.1:${ex.uiPort}`, '127.1.2.3', `[::1]:${ex.uiPort}`, 'app.localhost', 'localhost.', '10.0.0.7', '[fe80::1]']) {
      const r = await rawGet(ex.uiPort, '/api/services', { host });
      assert.equal(r.status, 200, host);
      assert.match(r.body, /host-check/);
    }
  });

  it('refuses spans posted to OTLP/HTTP under a foreign Host: 403, nothing stored', async () => {
    const refused = await postSpans(ex.httpPort, 'evil.example:4318', hex(0xbad, 32));
    assert.equal(refused.status, 403);
    assert.match(refused.body, /--allowed-host/);
    assert.equal((await rawGet(ex.uiPort, `/api/tw/traces/${hex(0xbad, 32)}`)).status, 404);
    const stored = await postSpans(ex.httpPort, `127.0.0.1:${ex.httpPort}`, hex(0x600d, 32));
    assert.equal(stored.status, 200);
    assert.equal((await rawGet(ex.uiPort, `/api/tw/traces/${hex(0x600d, 32)}`)).status, 200);
  });
});

describe('allowed hosts', () => {
  it('--allowed-host (repeatable) adds exact names and, with a leading dot, a domain and its subdomains', async () => {
    const ex = await startExplorerProcess(tempDir(), ['--allowed-host', 'tracewire.internal', '--allowed-host', '.dev.example']);
    try {
      for (const host of ['tracewire.internal', `TraceWire.Internal:${ex.uiPort}`, 'dev.example', 'a.b.dev.example', 'localhost']) {
        assert.equal((await rawGet(ex.uiPort, '/api/services', { host })).status, 200, host);
      }
      for (const host of ['other.internal', 'tracewire.internal.evil', 'xdev.example']) {
        assert.equal((await rawGet(ex.uiPort, '/api/services', { host })).status, 403, host);
      }
      assert.equal((await postSpans(ex.httpPort, 'tracewire.internal', hex(2, 32))).status, 200);
    } finally {
      await stop(ex);
    }
  });

  it('TRACEWIRE_ALLOWED_HOSTS takes a comma-separated list when no flag is given', async () => {
    process.env.TRACEWIRE_ALLOWED_HOSTS = 'a.example, b.example';
    let ex: ExplorerProcess;
    try {
      ex = await startExplorerProcess(tempDir());
    } finally {
      delete process.env.TRACEWIRE_ALLOWED_HOSTS;
    }
    try {
      assert.equal((await rawGet(ex.uiPort, '/api/services', { host: 'b.example' })).status, 200);
      assert.equal((await rawGet(ex.uiPort, '/api/services', { host: 'c.example' })).status, 403);
    } finally {
      await stop(ex);
    }
  });

  it('refuses a value that is not a host name with exit 2 and a message', async () => {
    for (const bad of ['*', 'http://a.example', 'a.example:8080', 'a b', '']) {
      const r = await runCli(['explorer', '--data', tempDir(), '--grpc-port', '0', '--http-port', '0', '--ui-port', '0', '--allowed-host', bad]);
      assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
      assert.match(r.stderr, /--allowed-host/);
    }
  });
});

describe('with a token, or a wildcard CORS origin', () => {
  it('with a token any Host is answered (the token is the guard)', async () => {
    const token = 'x'.repeat(32);
    const withToken = await startExplorerProcess(tempDir(), ['--token', token]);
    try {
      const r = await rawGet(withToken.uiPort, '/api/services', { host: 'explorer.corp.example', authorization: `Bearer ${token}` });
      assert.equal(r.status, 200);
      assert.equal((await rawGet(withToken.uiPort, '/api/services', { host: 'explorer.corp.example' })).status, 401);
    } finally {
      await stop(withToken);
    }
  });

  it("--cors-origin '*' opens OTLP/HTTP to browser exporters but never the query API", async () => {
    const ex = await startExplorerProcess(tempDir(), ['--cors-origin', '*']);
    try {
      const origin = 'https://evil.example';
      const otlp = await postSpans(ex.httpPort, '127.0.0.1', hex(3, 32), { origin });
      assert.equal(otlp.headers['access-control-allow-origin'], '*');
      for (const method of ['GET', 'OPTIONS']) {
        const api = await rawGet(ex.uiPort, '/api/services', { host: 'localhost', origin, 'access-control-request-method': 'GET' }, method);
        assert.equal(api.headers['access-control-allow-origin'], undefined, method);
      }
    } finally {
      await stop(ex);
    }
  });
});
