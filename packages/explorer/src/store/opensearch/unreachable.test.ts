import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Explorer, startExplorer } from '../../explorer.ts';

describe('an explorer whose OpenSearch cluster is unreachable', () => {
  let ex: Explorer;
  const errors: Error[] = [];
  before(async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-os-down-'));
    // Port 1 on loopback: connection refused at once.
    ex = await startExplorer({ dataDir, grpcPort: 0, httpPort: 0, uiPort: 0, store: 'opensearch', opensearchUrls: ['http://127.0.0.1:1'], onError: (e) => errors.push(e) });
  });
  after(() => ex.close());

  it('starts anyway and says why the templates are not there yet', () => {
    assert.ok(errors.some((e) => /unreachable/.test(e.message)));
  });

  it('answers an export 503 with Retry-After, so the exporter keeps the batch', async () => {
    const res = await fetch(`http://127.0.0.1:${ex.httpPort}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 's' }, spans: [{ traceId: '1'.repeat(32), spanId: '2'.repeat(16), name: 'x', kind: 1, startTimeUnixNano: '1', endTimeUnixNano: '2' }] }] }] }),
    });
    assert.equal(res.status, 503);
    assert.ok(res.headers.get('retry-after'));
  });

  it('answers queries 503 instead of an empty result', async () => {
    for (const p of ['/api/tw/search?lookback=1h', '/api/services', `/api/tw/traces/${'1'.repeat(32)}`]) {
      const res = await fetch(`${ex.url}${p}`);
      assert.equal(res.status, 503, p);
      await res.arrayBuffer();
    }
  });
});
