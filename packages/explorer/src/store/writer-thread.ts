/**
 * The main thread's handle on the writer thread (writer-worker.ts). Replies
 * are matched to requests by id. The thread starts on first use and is
 * referenced only while a request is outstanding: an idle store never keeps
 * a process alive, and a pending write still finishes before it may exit.
 * Should the thread die, its outstanding requests fail and the next request
 * starts a new one.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { StoredSpan } from '../model.ts';
import type { WriterInit, WriterReply, WriterRequest } from './writer-protocol.ts';

type Request = WriterRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

interface Call {
  worker: Worker;
  resolve: (reply: WriterReply) => void;
  reject: (err: Error) => void;
}

export class WriterThread {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly calls = new Map<number, Call>();

  constructor(private readonly init: WriterInit) {}

  /** Per group: undefined when committed, else the error that refused it. */
  async write(groups: StoredSpan[][]): Promise<Array<Error | undefined>> {
    const reply = await this.call({ op: 'write', groups });
    if (reply.op !== 'write') return groups.map(() => new Error(`unexpected writer reply ${reply.op}`));
    return reply.errors.map((message) => (message === undefined ? undefined : new Error(message)));
  }

  async delete(tseqs: number[]): Promise<number> {
    if (!tseqs.length) return 0;
    const reply = await this.call({ op: 'delete', tseqs });
    return reply.op === 'delete' ? reply.deleted : 0;
  }

  /** Checkpoints and closes the writing connection, then ends the thread. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    const exited = once(worker, 'exit');
    await this.send(worker, { op: 'close' });
    await exited;
  }

  private call(request: Request): Promise<WriterReply> {
    return this.send((this.worker ??= this.start()), request);
  }

  private send(worker: Worker, request: Request): Promise<WriterReply> {
    const id = this.nextId++;
    worker.ref();
    return new Promise<WriterReply>((resolve, reject) => {
      this.calls.set(id, { worker, resolve, reject });
      worker.postMessage({ ...request, id });
    });
  }

  private start(): Worker {
    const worker = new Worker(new URL('./writer-worker.mjs', import.meta.url), { workerData: this.init });
    worker.on('message', (reply: WriterReply) => {
      const call = this.calls.get(reply.id);
      if (!call) return;
      this.calls.delete(reply.id);
      // A closing thread (no longer this.worker) stays referenced until it has exited.
      if (worker === this.worker && ![...this.calls.values()].some((c) => c.worker === worker)) worker.unref();
      if (reply.op === 'failed') call.reject(new Error(reply.error));
      else call.resolve(reply);
    });
    worker.on('error', (err: Error) => this.lost(worker, err));
    worker.on('exit', (code: number) => this.lost(worker, new Error(`the store's writer thread exited (code ${code})`)));
    return worker;
  }

  private lost(worker: Worker, err: Error): void {
    if (this.worker === worker) this.worker = undefined;
    for (const [id, call] of this.calls) {
      if (call.worker !== worker) continue;
      this.calls.delete(id);
      call.reject(err);
    }
  }
}
