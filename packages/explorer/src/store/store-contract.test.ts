import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteStore } from './sqlite-store.ts';
import { describeStoreContract } from './store-contract.ts';

describeStoreContract('SqliteStore', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-contract-'));
  const store = new SqliteStore({ dataDir: dir });
  return {
    store,
    async cleanup() {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});
