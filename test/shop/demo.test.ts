/**
 * Smoke test of the demo in its non-interactive mode: it starts the shop,
 * sends orders, prints one order's trace as a tree and exits 0, leaving no
 * process behind. Runs on free ports, its own data dir and broker names, and
 * a private explorer inside the demo (--no-explorer), so it does not clash with a running demo.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { ROOT } from '../../scripts/demo/launch.ts';
import { deleteShopQueues } from '../support/shop-queues.ts';

const run = promisify(execFile);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-demo-'));
const prefix = `tw-demo-${randomUUID().slice(0, 8)}-`;
after(async () => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  await deleteShopQueues(prefix);
});

describe('npm run demo -- --exit', () => {
  it('prints one order trace as a tree across the five services and exits cleanly', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'scripts/demo/main.ts'), '--orders', '8', '--rate', '20', '--exit', '--no-explorer'],
      {
        cwd: ROOT,
        timeout: 120_000,
        env: {
          ...process.env,
          DATA_DIR: dataDir,
          TOPIC_PREFIX: prefix,
          QUEUE_PREFIX: prefix,
          GATEWAY_PORT: '0',
          ORDERS_ADDR: '127.0.0.1:0',
          INVENTORY_ADDR: '127.0.0.1:0',
        },
      },
    );
    assert.match(stdout, /orders 8\/8 {2}201×\d+ {2}400×1 {2}409×1/);
    assert.match(stdout, /Trace [0-9a-f]{32} of order [0-9a-f-]{36}: \d+ spans, 5 services/);
    for (const line of [
      /^gateway {2}POST \/api\/orders \[server\]/m,
      /└─ orders {2}tracewire\.shop\.v1\.OrderService\/CreateOrder \[server\]/,
      new RegExp(`notifications {2}process ${prefix}order-events \\[consumer\\]`),
      /notifications {2}send-sms/,
      new RegExp(`shipping {2}process ${prefix}orders \\[consumer\\]`),
      /shipping {2}create-shipment/,
    ]) {
      assert.match(stdout, line);
    }
  });
});
