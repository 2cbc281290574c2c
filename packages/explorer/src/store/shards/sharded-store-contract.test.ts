import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeStoreContract } from '../store-contract.ts';
import { ShardedStore } from './sharded-store.ts';

// Every promise of the store contract, with traces spread over shards on their own threads.
for (const shards of [2, 3]) {
  describeStoreContract(`ShardedStore, ${shards} shards`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-shard-contract-'));
    const store = await ShardedStore.open({ dataDir: dir, shards });
    return {
      store,
      async cleanup() {
        await store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  });
}
