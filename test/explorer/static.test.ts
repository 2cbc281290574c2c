/** The API port also serves the built UI: files, index.html for client routes, no escape from the UI directory. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestExplorer, tempDir } from './helpers.ts';

describe('explorer UI hosting', () => {
  let ex: Awaited<ReturnType<typeof startTestExplorer>>;
  const ui = tempDir('tw-ui-');
  before(async () => {
    fs.mkdirSync(path.join(ui, 'assets'));
    fs.writeFileSync(path.join(ui, 'index.html'), '<!doctype html><title>ui</title>');
    fs.writeFileSync(path.join(ui, 'assets', 'app-123.js'), 'console.log(1)');
    fs.writeFileSync(path.join(path.dirname(ui), 'secret.txt'), 'no');
    ex = await startTestExplorer({ uiDir: ui });
  });
  after(() => ex.close());

  it('serves assets with a long cache and index.html for client routes', async () => {
    const js = await fetch(`${ex.url}/assets/app-123.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    assert.match(js.headers.get('cache-control') ?? '', /immutable/);
    for (const route of ['/', '/search?service=a', `/trace/${'ab'.repeat(16)}`, '/map']) {
      const res = await fetch(`${ex.url}${route}`);
      assert.equal(res.status, 200, route);
      assert.equal(await res.text(), '<!doctype html><title>ui</title>');
      assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    }
    assert.equal((await fetch(`${ex.url}/assets/missing.js`)).status, 404);
  });

  it('never serves files outside the UI directory', async () => {
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const res = await fetch(`${ex.url}${p}`);
      assert.notEqual(await res.text(), 'no', p);
    }
  });

  it('answers unknown API paths with JSON 404 and writes with 405', async () => {
    const res = await fetch(`${ex.url}/api/nope`);
    assert.equal(res.status, 404);
    assert.match(((await res.json()) as { error: string }).error, /no such endpoint/);
    assert.equal((await fetch(`${ex.url}/api/services`, { method: 'POST' })).status, 405);
  });
});
