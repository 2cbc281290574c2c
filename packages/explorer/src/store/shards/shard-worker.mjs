// A shard's thread: worker threads do not inherit tsx's loader hooks on Node 20 (the CLI
// registers them in code, not with --import), so register them here, then load the shard.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.__module);
