import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { Store } from '../store/store.ts';
import { StoreBusyError, StoreClosedError, StoreUnavailableError } from '../store/store.ts';
import { DEFAULT_LIMITS } from './limits.ts';
import { rawGet } from '../../../../test/explorer/raw-http.ts';
import { startOtlpHttp } from './otlp-http.ts';

/** A Store whose writes fail the given way: the receiver's mapping to HTTP is what is under test. */
function failingStore(err: Error): Store {
  return { write: () => Promise.reject(err) } as unknown as Store;
}

const body = JSON.stringify({
  resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '1'.repeat(32), spanId: '2'.repeat(16), name: 'x', startTimeUnixNano: '1', endTimeUnixNano: '2' }] }] }],
});

async function post(store: Store) {
  const server = await startOtlpHttp({ store, limits: DEFAULT_LIMITS, maxBodyBytes: 1 << 20 }, '127.0.0.1', 0);
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), json: (await res.json()) as { code: number; message: string } };
  } finally {
    server.close();
  }
}

describe('OTLP/HTTP request targets', () => {
  it('answers 400 to a request target that is not a URL path (found by the socket fuzzer: it answered 500)', async () => {
    const server = await startOtlpHttp({ store: failingStore(new Error('unused')), limits: DEFAULT_LIMITS, maxBodyBytes: 1 << 20 }, '127.0.0.1', 0);
    try {
      const port = (server.address() as AddressInfo).port;
      const res = (await rawGet(port, '//', { host: '127.0.0.1' }, 'OPTIONS')).raw.toString('latin1');
      assert.match(res, /^HTTP\/1\.1 204|^HTTP\/1\.1 400/);
      const post = (await rawGet(port, '//', { host: '127.0.0.1', 'content-length': '0' }, 'POST')).raw.toString('latin1');
      assert.match(post, /^HTTP\/1\.1 400/);
      assert.match(post, /not a URL path/);
    } finally {
      server.close();
    }
  });
});

describe('OTLP/HTTP load shedding', () => {
  it('answers 429 with Retry-After when the write queue is full', async () => {
    const r = await post(failingStore(new StoreBusyError(1)));
    assert.equal(r.status, 429);
    assert.equal(r.retryAfter, '1');
    assert.equal(r.json.code, 8);
  });
  it('answers 503 with Retry-After while shutting down', async () => {
    const r = await post(failingStore(new StoreClosedError()));
    assert.equal(r.status, 503);
    assert.equal(r.retryAfter, '5');
  });
  it('answers 503 with Retry-After when the store cannot write for now (cluster red, bulk rejected)', async () => {
    const r = await post(failingStore(new StoreUnavailableError('bulk rejected', 7)));
    assert.equal(r.status, 503);
    assert.equal(r.retryAfter, '7');
    assert.equal(r.json.code, 14);
  });
  it('answers 500 without details for unexpected failures', async () => {
    const r = await post(failingStore(new Error('disk on fire')));
    assert.equal(r.status, 500);
    assert.doesNotMatch(r.json.message, /fire/);
  });
});
