/**
 * The explorer's end of a shard on its own thread: starts the thread, sends it calls, matches the answers.
 * A shard whose thread stops on its own (a bug, out of memory) answers every call from then
 * on with StoreUnavailableError, which the receivers turn into a retryable refusal: what it
 * committed is on disk and comes back when the explorer is restarted.
 */
import { Worker } from 'node:worker_threads';
import { StoreUnavailableError } from '../store.ts';
import { shardWorkerBundle } from './worker-bundle.ts';
import {
  type Shard,
  type ShardApi,
  type ShardCall,
  type ShardMessage,
  type ShardMethod,
  type ShardOptions,
  type ShardWorkerData,
  fromWire,
} from './shard-protocol.ts';

const YOUNG_GENERATION_MIB = 16;
/** The sources through tsx: when the bundle (worker-bundle.ts) cannot be built. */
const BOOTSTRAP = new URL('./shard-worker.mjs', import.meta.url);
const MODULE = new URL('./shard-worker.ts', import.meta.url).href;

type Answer<K extends ShardMethod> = Awaited<ReturnType<ShardApi[K]>>;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

export class ShardClient implements Shard {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Why the thread is gone, once it is. */
  private stopped: Error | undefined;
  private closing = false;

  private constructor(
    private readonly worker: Worker,
    readonly name: string,
    private readonly onError: (err: Error) => void,
  ) {
    worker.on('message', (m: ShardMessage) => {
      if (!('id' in m)) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if ('error' in m) p.reject(fromWire(m.error));
      else p.resolve(m.value);
    });
    worker.on('error', (err) => this.stop(err));
    worker.on('exit', (code) => this.stop(new Error(`its thread exited with code ${code}`)));
  }

  /** Starts the shard's thread and waits for its store to open (rejects with the store's error if it cannot). */
  static async start(name: string, options: ShardOptions, onProgress: (read: number, of: number) => void, onError: (err: Error) => void): Promise<ShardClient> {
    const data: ShardWorkerData = { options, __module: MODULE };
    const entry = (await shardWorkerBundle()) ?? BOOTSTRAP;
    // A smaller young generation than V8's default (48 MiB): the index the shard keeps is old-generation data, and every MiB counts in the explorer's memory bound.
    const worker = new Worker(entry, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MIB } });
    return new Promise((resolve, reject) => {
      const opening = (m: ShardMessage): void => {
        if (!('event' in m)) return;
        if (m.event === 'progress') return onProgress(m.read, m.of);
        worker.off('message', opening);
        worker.off('exit', exited);
        worker.off('error', reject);
        if (m.event === 'ready') resolve(new ShardClient(worker, name, onError));
        else {
          void worker.terminate();
          reject(fromWire(m.error));
        }
      };
      const exited = (code: number): void => reject(new Error(`store shard ${name} stopped while opening (exit code ${code})`));
      worker.on('message', opening);
      worker.once('exit', exited);
      worker.once('error', reject);
    });
  }

  call<K extends ShardMethod>(method: K, args: Parameters<ShardApi[K]>, transfer: ArrayBuffer[] = []): Promise<Answer<K>> {
    if (this.stopped) return Promise.reject(this.unavailable());
    const id = this.nextId++;
    return new Promise<Answer<K>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ id, method, args } as ShardCall, transfer);
    });
  }

  /** Closes the shard's store (its writes finish first), then ends its thread. */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.closing = true;
    try {
      await this.call('close', []);
    } finally {
      await this.worker.terminate();
    }
  }

  /** Ends the thread at once, its store left as a crash leaves it (what recovery at open is for). */
  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  private unavailable(): StoreUnavailableError {
    return new StoreUnavailableError(`trace store shard ${this.name} is not running (${this.stopped?.message}); restart the explorer`, 30);
  }

  private stop(why: Error): void {
    if (this.stopped) return;
    this.stopped = why;
    if (!this.closing) this.onError(new Error(`trace store shard ${this.name} stopped: ${why.message}`));
    const err = this.unavailable();
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
