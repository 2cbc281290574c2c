/**
 * A shard on its own thread: a segment store of its own directory, answering the sharded
 * store's calls (shard-api.ts) sent as messages (shard-protocol.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SegmentStore } from '../segments/segment-store.ts';
import { shardApi } from './shard-api.ts';
import { type ShardCall, type ShardMessage, type ShardWorkerData, toWire } from './shard-protocol.ts';

const port = parentPort;
if (!port) throw new Error('shard-worker.ts runs as a worker thread');
const post = (m: ShardMessage): void => port.postMessage(m);
const { options } = workerData as ShardWorkerData;

let store: SegmentStore;
try {
  store = await SegmentStore.open({ ...options, onOpenProgress: (read, of) => post({ event: 'progress', read, of }) });
} catch (err) {
  post({ event: 'failed', error: toWire(err) });
  process.exit(0);
}
const api = shardApi(store);

port.on('message', (call: ShardCall) => {
  const method = api[call.method] as (...args: unknown[]) => unknown;
  // A call that throws synchronously is answered like one that rejects.
  Promise.resolve()
    .then(() => method(...call.args))
    .then(
      (value) => post({ id: call.id, value }),
      (err: unknown) => post({ id: call.id, error: toWire(err) }),
    );
});
post({ event: 'ready' });
