/**
 * The explorer's end of a shard on its own thread: starts the thread, sends it calls, matches the answers.
 * A shard whose thread stops on its own (a bug, out of memory) is started again, after a pause
 * that doubles while it keeps stopping (0.5 s up to 30 s): its store re-opens from its files,
 * where everything it acknowledged is. Until it runs again, every call answers
 * StoreUnavailableError, which the receivers turn into a retryable refusal. A store that
 * cannot open for good (a damaged file, a newer format: what stops the explorer at start) is
 * not tried again: the shard then answers that error, which exporters do not retry.
 */
import { Worker } from 'node:worker_threads';
import { StoreCorruptError, StoreUnavailableError, StoreVersionError } from '../store.ts';
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

const FIRST_PAUSE_MS = 500;
const MAX_PAUSE_MS = 30_000;
/** A thread that ran this long before it stopped starts again after the first pause, not a longer one. */
const STEADY_MS = 60_000;

/** A shard's thread, once its store opened; rejects with the store's error if it cannot open. */
async function spawn(name: string, options: ShardOptions, onProgress: (read: number, of: number) => void): Promise<Worker> {
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
      if (m.event === 'ready') resolve(worker);
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

export interface ShardEvents {
  /** The shard's thread stopped on its own (it is being started again). */
  onError: (err: Error) => void;
  /** The shard runs again after a stop. */
  onRestarted?: (name: string) => void;
}

export class ShardClient implements Shard {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Undefined while the shard is stopped (its thread gone, a new one not running yet). */
  private worker: Worker | undefined;
  /** Why the shard is stopped, while it is. */
  private stopped: Error | undefined;
  private closing = false;
  private startedAt = Date.now();
  private pauseMs = FIRST_PAUSE_MS;
  private restartTimer: NodeJS.Timeout | undefined;
  /** When the next start is due (epoch ms), while stopped. */
  private restartAt = 0;
  /** A thread being started again, until it is ready or fails. */
  private starting: Promise<Worker | undefined> | undefined;
  /** Set when the store cannot open again without an operator (StoreCorruptError, StoreVersionError): no more starts. */
  private broken: Error | undefined;

  private constructor(
    worker: Worker,
    readonly name: string,
    private readonly options: ShardOptions,
    private readonly events: ShardEvents,
  ) {
    this.attach(worker);
  }

  /** Starts the shard's thread and waits for its store to open (rejects with the store's error if it cannot). */
  static async start(name: string, options: ShardOptions, onProgress: (read: number, of: number) => void, events: ShardEvents): Promise<ShardClient> {
    return new ShardClient(await spawn(name, options, onProgress), name, options, events);
  }

  call<K extends ShardMethod>(method: K, args: Parameters<ShardApi[K]>, transfer: ArrayBuffer[] = []): Promise<Answer<K>> {
    const worker = this.worker;
    if (!worker) return Promise.reject(this.unavailable());
    const id = this.nextId++;
    return new Promise<Answer<K>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, method, args } as ShardCall, transfer);
    });
  }

  /** Closes the shard's store (its writes finish first), then ends its thread. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearTimeout(this.restartTimer);
    // A thread opening its store is let finish, then closed like a running one: its store holds the directory lock.
    let worker = this.worker;
    if (!worker) {
      worker = await this.starting;
      if (!worker) return;
      this.attach(worker);
    }
    try {
      await this.call('close', []);
    } finally {
      await worker.terminate();
    }
  }

  /** Ends the thread at once, its store left as a crash leaves it (what recovery at open is for). */
  async terminate(): Promise<void> {
    await this.worker?.terminate();
  }

  private attach(worker: Worker): void {
    this.worker = worker;
    this.stopped = undefined;
    this.startedAt = Date.now();
    worker.on('message', (m: ShardMessage) => {
      if (!('id' in m)) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if ('error' in m) p.reject(fromWire(m.error));
      else p.resolve(m.value);
    });
    worker.on('error', (err) => this.lost(worker, err));
    worker.on('exit', (code) => this.lost(worker, new Error(`its thread exited with code ${code}`)));
  }

  private unavailable(): Error {
    if (this.broken && !this.closing) return this.broken;
    const why = this.closing ? 'closed' : `restarting after it stopped: ${this.stopped?.message}`;
    // The time left before the next start, and a second for the store to open.
    return new StoreUnavailableError(`trace store shard ${this.name} is not running (${why})`, Math.max(1, Math.ceil((this.restartAt - Date.now()) / 1000) + 1));
  }

  /** The thread is gone ('error' and 'exit' both come): refuse what it had not answered, and start another. */
  private lost(worker: Worker, why: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.stopped = why;
    if (!this.closing) {
      if (Date.now() - this.startedAt >= STEADY_MS) this.pauseMs = FIRST_PAUSE_MS;
      this.events.onError(new Error(`trace store shard ${this.name} stopped: ${why.message}; starting it again in ${this.pauseMs / 1000} s`));
      this.restartLater();
    }
    // After restartLater: the refusal says when the next start is due.
    const err = this.unavailable();
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private restartLater(): void {
    const pause = this.pauseMs;
    this.restartAt = Date.now() + pause;
    this.pauseMs = Math.min(MAX_PAUSE_MS, pause * 2);
    this.restartTimer = setTimeout(() => {
      const starting = spawn(this.name, this.options, () => undefined);
      this.starting = starting.catch(() => undefined);
      starting.then(
        (worker) => {
          this.starting = undefined;
          if (this.closing) return; // close() takes it from `starting`
          this.attach(worker);
          this.events.onRestarted?.(this.name);
        },
        (err: Error) => {
          this.starting = undefined;
          if (this.closing) return;
          this.stopped = err;
          if (err instanceof StoreCorruptError || err instanceof StoreVersionError) {
            this.broken = err;
            this.events.onError(new Error(`trace store shard ${this.name} cannot start again: ${err.message}; it stays down until the explorer is restarted`));
            return;
          }
          this.events.onError(new Error(`trace store shard ${this.name} did not start again: ${err.message}; trying again in ${this.pauseMs / 1000} s`));
          this.restartLater();
        },
      );
    }, pause);
  }
}
