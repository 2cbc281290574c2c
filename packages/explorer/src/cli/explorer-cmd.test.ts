import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from './args.ts';
import { explorerCommand } from './explorer-cmd.ts';

describe('tracewire explorer --store', () => {
  it('refuses a store it does not know', async () => {
    await assert.rejects(explorerCommand(['--store', 'cassandra']), (e: Error) => e instanceof UsageError && /segments, sqlite or opensearch/.test(e.message));
  });

  it('refuses a shard count that is not a whole number from 1 to 16', async () => {
    for (const bad of ['0', '17', '2.5', 'two', '-1', '']) {
      await assert.rejects(explorerCommand([`--shards=${bad}`]), (e: Error) => e instanceof UsageError && /--shards must be a whole number from 1 to 16/.test(e.message), bad);
    }
  });

  it('refuses --store opensearch without a node URL, saying which flag is missing', async () => {
    const saved = process.env.TRACEWIRE_OPENSEARCH_URL;
    delete process.env.TRACEWIRE_OPENSEARCH_URL;
    try {
      await assert.rejects(explorerCommand(['--store', 'opensearch']), (e: Error) => e instanceof UsageError && /--opensearch-url/.test(e.message));
      await assert.rejects(explorerCommand(['--store', 'opensearch', '--opensearch-url', 'node1:9200']), (e: Error) => e instanceof UsageError && /not an http/.test(e.message));
    } finally {
      if (saved !== undefined) process.env.TRACEWIRE_OPENSEARCH_URL = saved;
    }
  });
});
