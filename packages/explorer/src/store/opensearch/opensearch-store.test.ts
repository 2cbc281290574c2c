import { describeStoreContract } from '../store-contract.ts';
import { OpenSearchStore } from './opensearch-store.ts';
import { dropPrefix, ensureCluster, uniquePrefix } from './test-cluster.ts';

describeStoreContract('OpenSearchStore', async () => {
  const nodes = ensureCluster();
  const prefix = uniquePrefix();
  const store = new OpenSearchStore({ nodes, indexPrefix: prefix });
  return {
    store,
    async cleanup() {
      await store.close();
      await dropPrefix(prefix);
    },
  };
});
