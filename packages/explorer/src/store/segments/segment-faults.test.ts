/**
 * A full disk, for real: a 4 MiB tmpfs (needs permission to mount; skipped,
 * saying so, where there is none). Writes the disk cannot take are refused
 * with the retryable StoreUnavailableError, what was acknowledged stays
 * readable, and once space is freed the refused writes are stored on retry.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { StoredSpan } from '../../model.ts';
import { makeSpan } from '../store-contract.ts';
import { StoreUnavailableError } from '../store.ts';
import { SegmentStore } from './segment-store.ts';

function mountTmpfs(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A trace whose spans carry incompressible payloads, so the disk fills in a few writes. */
function bulky(t: number): StoredSpan[] {
  return Array.from({ length: 20 }, (_, i) =>
    makeSpan({ trace: t, span: i + 1, startMs: 1000 * t + i, durMs: 1, attrs: [{ key: 'blob', value: { stringValue: randomBytes(6000).toString('base64') } }] }),
  );
}

describe('SegmentStore on a full disk', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-seg-full-'));
  const mounted = mountTmpfs(dir, '4m');

  it('refuses writes as retryable while the disk is full, keeps what it acknowledged, and stores the retries once there is room', { skip: mounted ? false : 'cannot mount a tmpfs here (not root)' }, async () => {
    try {
      const filler = path.join(dir, 'filler');
      fs.writeFileSync(filler, Buffer.alloc(1024 * 1024));
      const store = await SegmentStore.open({ dataDir: dir });
      const acked: number[] = [];
      let refused: { t: number; err: unknown } | undefined;
      for (let t = 1; t < 200 && !refused; t++) {
        try {
          await store.write(bulky(t));
          acked.push(t);
        } catch (err) {
          refused = { t, err };
        }
      }
      assert.ok(refused, 'the disk filled up');
      assert.ok(refused.err instanceof StoreUnavailableError, String(refused.err));
      assert.match(refused.err.message, /ENOSPC/);
      assert.equal(refused.err.retryAfterSeconds, 30);
      for (const t of acked) assert.equal((await store.getTrace(bulky(t)[0]?.span.traceId as string))?.length, 20);
      assert.equal(await store.getTrace(bulky(refused.t)[0]?.span.traceId as string), undefined, 'a refused write is not half-stored');
      fs.rmSync(filler);
      await store.write(bulky(refused.t));
      await store.close();
      const again = await SegmentStore.open({ dataDir: dir });
      assert.equal((await again.status()).traces, acked.length + 1);
      assert.equal((await again.getTrace(bulky(refused.t)[0]?.span.traceId as string))?.length, 20);
      await again.close();
    } finally {
      // Lazy: a store left open by a failed assertion must not hide that failure behind a busy mount.
      execFileSync('umount', ['-l', dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
