import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { context, trace } from '@opentelemetry/api';
import { createLogger, withSpan } from '@tracewire/tracing';
import { memoryTracing } from '../../../test/support/memory-tracing.ts';
import { ReleaseRetrier } from './release-retrier.ts';
import { openOrdersStore } from './store.ts';

const tracing = memoryTracing({ serviceName: 'release-retrier-test' });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-release-retrier-'));
const log = createLogger('release-retrier-test', { write: () => {} });
after(async () => {
  await tracing.shutdown();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function until(done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

describe('release retrier', () => {
  it('picks up rows written before it started, retries until Release succeeds under the stored context, then deletes the row', async () => {
    const file = path.join(dir, 'orders.db');
    const first = openOrdersStore(file);
    const failedOrder = withSpan('create-order', (span) => {
      first.deferRelease('o-1', 3, 'UNAVAILABLE');
      return span.spanContext();
    });
    first.close();

    // A restarted orders: the row is still there.
    const store = openOrdersStore(file);
    assert.deepEqual(
      store.pendingReleases(10).map((r) => [r.order_id, r.attempts, r.last_error]),
      [['o-1', 3, 'UNAVAILABLE']],
    );
    let calls = 0;
    const seen: string[] = [];
    const retrier = new ReleaseRetrier(
      store,
      async (row) => {
        calls++;
        seen.push(trace.getSpanContext(context.active())?.spanId ?? 'none');
        assert.equal(row.order_id, 'o-1');
        if (calls <= 2) throw new Error('inventory unavailable');
      },
      log,
      { pollMs: 20 },
    );
    retrier.start();
    await until(() => store.pendingReleases(10).length === 0);
    await retrier.stop();
    assert.equal(store.pendingReleases(10).length, 0, 'deleted once Release succeeded');
    assert.equal(calls, 3);
    assert.deepEqual(new Set(seen), new Set([failedOrder.spanId]), 'every call runs under the failed order context');
    store.close();
  });

  it('keeps the row, with its attempts and last error, while Release fails, and stop does not wait out the backoff', async () => {
    const store = openOrdersStore(path.join(dir, 'failing.db'));
    store.deferRelease('o-2', 3, 'UNAVAILABLE');
    // The first four backoff pauses pass at once; the fifth never ends by itself, so only
    // stop() can end it: if stop waited out the backoff, this test would never finish.
    const pauses: number[] = [];
    const retrier = new ReleaseRetrier(
      store,
      async () => {
        throw new Error('still down');
      },
      log,
      {
        pollMs: 20,
        maxBackoffMs: 60_000,
        timer: (done, ms) => {
          pauses.push(ms);
          if (pauses.length < 5) setImmediate(done);
          return () => {};
        },
      },
    );
    retrier.start();
    await until(() => pauses.length === 5);
    await retrier.stop();
    assert.equal(pauses.length, 5, 'no round after stop');
    assert.ok(pauses.every((ms, i) => i === 0 || ms >= (pauses[i - 1] ?? 0)), `backoff grows: ${pauses.join(', ')}`);
    const [row] = store.pendingReleases(10);
    assert.equal(row?.order_id, 'o-2');
    assert.equal(row?.attempts, 3 + 5, 'each failed round counted');
    assert.equal(row?.last_error, 'still down');
    store.close();
  });
});
