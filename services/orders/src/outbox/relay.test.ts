import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { context, trace } from '@opentelemetry/api';
import { createLogger, withSpan } from '@tracewire/tracing';
import { memoryTracing } from '../../../../test/support/memory-tracing.ts';
import { openOrdersStore } from '../store.ts';
import { OutboxRelay } from './relay.ts';

const tracing = memoryTracing({ serviceName: 'relay-test' });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-relay-'));
const log = createLogger('relay-test', { write: () => {} });
after(async () => {
  await tracing.shutdown();
  fs.rmSync(dir, { recursive: true, force: true });
});

const order = (id: string) => ({ order_id: id, customer_id: 'c', product_id: 'p', quantity: 1, amount: 1, reservation_id: 'r' });

describe('outbox relay', () => {
  it('retries until the broker accepts, publishing under the context stored with the row', async () => {
    const store = openOrdersStore(path.join(dir, 'orders.db'));
    const created = withSpan('create-order', (span) => {
      store.createOrder(order('o-1'));
      return span.spanContext();
    });
    let calls = 0;
    const seen: string[] = [];
    const relay = new OutboxRelay(
      'kafka',
      store,
      async (row) => {
        calls++;
        seen.push(trace.getSpanContext(context.active())?.spanId ?? 'none');
        if (calls <= 2) throw new Error('broker down');
        assert.equal(row.order_id, 'o-1');
      },
      log,
      { pollMs: 20 },
    );
    relay.start();
    const deadline = Date.now() + 10_000;
    while (store.pending('kafka', 10).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await relay.stop();
    assert.equal(store.pending('kafka', 10).length, 0, 'sent once the broker accepted');
    assert.equal(calls, 3);
    assert.deepEqual(new Set(seen), new Set([created.spanId]), 'every attempt runs under the stored context');
    assert.equal(store.pending('rabbitmq', 10).length, 1, 'the other destination is untouched');
    store.close();
  });
});
