import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import type { StoredSpan } from '../model.ts';
import type { Store } from '../store/store.ts';
import { StoreBusyError, StoreClosedError, StoreCorruptError, StoreUnavailableError } from '../store/store.ts';
import { MalformedPayloadError } from './decode-context.ts';
import { exportFailure } from './export-errors.ts';
import { storeDecoded } from './export.ts';
import { ReceiverBusyError } from './inflight.ts';

/** Records each write's size; refuses `refuse` spans of every write, as a full trace would. */
function recordingStore(refuse = 0): { store: Store; writes: number[] } {
  const writes: number[] = [];
  const store = {
    write: async (spans: StoredSpan[]) => {
      writes.push(spans.length);
      return refuse ? { rejected: refuse, messages: ['trace is full'] } : { rejected: 0, messages: [] };
    },
  } as unknown as Store;
  return { store, writes };
}

const spans = (n: number) => Array.from({ length: n }, () => ({}) as StoredSpan);

describe('storeDecoded', () => {
  it('writes an export larger than spansPerWrite in groups, one after another', async () => {
    const { store, writes } = recordingStore();
    const outcome = await storeDecoded(store, { spans: spans(12_001), rejected: 2, messages: ['m'] }, 5000);
    assert.deepEqual(writes, [5000, 5000, 2001]);
    assert.deepEqual(outcome, { accepted: 12_001, rejected: 2, errorMessage: 'm' });
  });

  it('counts the spans the store refused as rejected, with its reason once', async () => {
    const { store } = recordingStore(3);
    const outcome = await storeDecoded(store, { spans: spans(12_001), rejected: 2, messages: ['m'] }, 5000);
    assert.deepEqual(outcome, { accepted: 12_001 - 9, rejected: 2 + 9, errorMessage: 'm; trace is full' });
  });

  it('writes a small export in one call', async () => {
    const { store, writes } = recordingStore();
    await storeDecoded(store, { spans: spans(512), rejected: 0, messages: [] }, 5000);
    assert.deepEqual(writes, [512]);
  });
});

describe('exportFailure', () => {
  it('maps each failure to one answer for both transports, retryable where OTLP says so', () => {
    assert.deepEqual(exportFailure(new MalformedPayloadError('bad')), { http: 400, grpc: grpc.status.INVALID_ARGUMENT, message: 'bad' });
    assert.equal(exportFailure(new StoreBusyError(1))?.http, 429);
    assert.equal(exportFailure(new ReceiverBusyError(10))?.grpc, grpc.status.UNAVAILABLE);
    const unavailable = exportFailure(new StoreUnavailableError('disk full', 30));
    assert.deepEqual([unavailable?.http, unavailable?.grpc, unavailable?.retryAfterSeconds], [503, grpc.status.UNAVAILABLE, 30]);
    assert.equal(exportFailure(new StoreClosedError())?.retryAfterSeconds, 5);
    const broken = exportFailure(new StoreCorruptError('a segment file in /var/lib/tw is damaged'));
    assert.deepEqual([broken?.http, broken?.grpc, broken?.retryAfterSeconds], [500, grpc.status.INTERNAL, undefined], 'a store that stays down: not retryable');
    assert.doesNotMatch(broken?.message ?? '', /\/var\/lib/, 'no server path in the answer');
    assert.equal(exportFailure(new Error('bug')), undefined, 'unexpected: 500 / INTERNAL');
  });
});
