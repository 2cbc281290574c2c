/**
 * The load senders of the explorer benches (explorer-ingest, explorer-fill):
 * N exporters in worker threads, each sending pre-encoded OTLP requests
 * (otlp-bodies.ts) with a few requests in flight, all started at one instant
 * once every thread is ready, so thread start-up and template encoding are
 * not in what is measured. The main-thread side is `startSenders`; a worker
 * module calls `waitForStart` and posts its result when done.
 */
import { Worker, parentPort } from 'node:worker_threads';

/** Exporters, like four services exporting to one collector. */
export const EXPORTERS = 4;
/** 64 traces x 8 spans = 512 spans per request: the SDK BatchSpanProcessor's default batch. */
export const TRACES_PER_REQUEST = 64;
/** Requests each exporter keeps outstanding. */
export const INFLIGHT = 2;

/**
 * A run with a request budget (explorer-fill) shares two counters with its
 * senders: an Int32Array over a SharedArrayBuffer, slot CLAIMED (requests
 * taken, Atomics.add before each) and ACKED (requests acknowledged).
 */
export const CLAIMED = 0;
export const ACKED = 1;
export const budgetCounters = (): SharedArrayBuffer => new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);

export interface Senders<R> {
  /** When the senders began (ms since epoch, Date.now() clock shared by the threads). */
  startAt: number;
  /** Every sender's result, in sender order; rejects if one thread fails. */
  results: Promise<R[]>;
  /** Stops every thread (a stalled run). */
  terminate(): Promise<void>;
}

interface Running<R> {
  worker: Worker;
  ready: Promise<void>;
  result: Promise<R>;
}

function startWorker<R>(module: string, data: object): Running<R> {
  const worker = new Worker(new URL('./ts-worker.mjs', import.meta.url), {
    workerData: { ...data, __module: new URL(module, import.meta.url).href },
  });
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const result = new Promise<R>((resolve, reject) => {
    worker.on('message', (m: R | { ready: true }) => (m && typeof m === 'object' && 'ready' in m ? onReady() : resolve(m as R)));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`sender thread ${module} exited with ${code}`));
    });
  });
  return { worker, ready, result };
}

/** `module`: a worker module beside this file (e.g. './ingest-worker.ts'); `dataFor(i)`: its workerData. */
export async function startSenders<R>(module: string, count: number, dataFor: (i: number) => object): Promise<Senders<R>> {
  const running = Array.from({ length: count }, (_, i) => startWorker<R>(module, dataFor(i)));
  await Promise.all(running.map((w) => w.ready));
  const startAt = Date.now() + 50;
  for (const w of running) w.worker.postMessage({ startAt });
  return {
    startAt,
    results: Promise.all(running.map((w) => w.result)),
    terminate: async () => {
      await Promise.all(running.map((w) => w.worker.terminate()));
    },
  };
}

/** In a sender thread: says it is ready, then resolves at the common start instant (ms since epoch). */
export async function waitForStart(): Promise<number> {
  parentPort?.postMessage({ ready: true });
  const t0 = await new Promise<number>((resolve) => parentPort?.once('message', (m: { startAt: number }) => resolve(m.startAt)));
  await new Promise((r) => setTimeout(r, Math.max(0, t0 - Date.now())));
  return t0;
}
