import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeStoreContract } from '../store-contract.ts';
import { SegmentStore } from './segment-store.ts';

describeStoreContract('SegmentStore', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-seg-contract-'));
  const store = await SegmentStore.open({ dataDir: dir });
  return {
    store,
    async cleanup() {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});

// The same promises when every trace lands in a segment of its own, so each answer merges segments.
describeStoreContract('SegmentStore, one span per segment', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-seg-contract-'));
  const store = await SegmentStore.open({ dataDir: dir, segmentSpans: 1 });
  return {
    store,
    async cleanup() {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
});
