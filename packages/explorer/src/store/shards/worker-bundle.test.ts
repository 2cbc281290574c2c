import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { removeStale, shardWorkerBundle } from './worker-bundle.ts';

const HOUR = 60 * 60_000;

describe('the shard worker bundle', () => {
  it('is built into a file named by its content, which a shard can load', async () => {
    const url = await shardWorkerBundle();
    assert.ok(url, 'esbuild is a dependency: the bundle builds');
    const file = fileURLToPath(url);
    assert.match(path.basename(file), /^shard-worker-[0-9a-f]{16}\.mjs$/);
    assert.match(fs.readFileSync(file, 'utf8'), /SegmentStore/);
  });

  it('removes bundles of earlier sources an hour old, and nothing else', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-bundle-'));
    const now = Date.now();
    const make = (name: string, ageMs: number): void => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, '');
      fs.utimesSync(file, new Date(now - ageMs), new Date(now - ageMs));
    };
    make('shard-worker-0000000000000001.mjs', 2 * HOUR);
    make('shard-worker-0000000000000002.mjs', 2 * HOUR); // the one in use
    make('shard-worker-0000000000000003.mjs', HOUR / 2); // another explorer may still be starting from it
    make('shard-worker-0000000000000004.mjs.123.tmp', 2 * HOUR); // a write a crash left behind
    make('notes.txt', 2 * HOUR);
    removeStale(dir, 'shard-worker-0000000000000002.mjs', now);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['notes.txt', 'shard-worker-0000000000000002.mjs', 'shard-worker-0000000000000003.mjs']);
  });
});
