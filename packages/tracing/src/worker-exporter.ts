/**
 * An OTLP/HTTP protobuf span exporter that serialises on the calling thread
 * and sends from a worker thread. Profiles of the bench shop put the socket
 * work of export requests at ~450 µs per order on the services' event loops
 * (docs/performance.md, section 2); the serialised body is handed over as a
 * transferred ArrayBuffer (no copy, no structured clone of spans), so only the
 * serialiser stays on the event loop. Opt-in (`exportInWorker`): it spends a
 * thread and its heap (~10 MB) per process.
 */
import { Worker } from 'node:worker_threads';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { FromWorker, ToWorker, WorkerSettings } from './worker-protocol.ts';

const FROM_SOURCE = import.meta.url.endsWith('.ts');
// In the published build both modules are .js; run from source (tests, the
// demo, the bench) the worker is the .ts sibling.
const WORKER_URL = new URL(`./export-worker${FROM_SOURCE ? '.ts' : '.js'}`, import.meta.url);

/**
 * Worker threads do not inherit tsx's loader hooks on Node 20, so from source
 * the worker starts with a CommonJS bootstrap that registers tsx and then
 * imports the .ts module (as bench/support/ts-worker.mjs does).
 */
function startWorker(settings: WorkerSettings): Worker {
  const tsx = FROM_SOURCE ? resolveTsx() : undefined;
  if (!tsx) return new Worker(WORKER_URL, { workerData: settings });
  const bootstrap = `const { workerData } = require('node:worker_threads');
import(workerData.tsx).then((m) => m.register()).then(() => import(workerData.module));`;
  return new Worker(bootstrap, { eval: true, workerData: { ...settings, tsx, module: WORKER_URL.href } });
}

function resolveTsx(): string | undefined {
  try {
    return import.meta.resolve('tsx/esm/api');
  } catch {
    return undefined; // a runtime that strips types itself (Node >= 22.18) loads the .ts worker directly
  }
}

const failed = (message: string): ExportResult => ({ code: ExportResultCode.FAILED, error: new Error(message) });

export class WorkerSpanExporter implements SpanExporter {
  private readonly worker: Worker;
  private readonly pending = new Map<number, (result: ExportResult) => void>();
  private nextId = 1;
  /** Set once the worker is gone (crashed or stopped): later exports fail at once. */
  private gone: string | undefined;
  private stopping: Promise<void> | undefined;
  private onStopped: () => void = () => {};

  constructor(settings: WorkerSettings) {
    this.worker = startWorker(settings);
    this.worker.on('message', (m: FromWorker) => this.onMessage(m));
    this.worker.on('error', (err) => this.fail(`export worker failed: ${err.message}`));
    this.worker.on('exit', (code) => this.fail(`export worker exited (code ${code})`));
    // An idle exporter must not keep the process alive (the SDK's batch timer
    // does not either); while a request is in flight it must, or a process
    // that awaits shutdown() would exit with the request unanswered. After the
    // listeners: adding a 'message' listener refs the worker's port again.
    this.worker.unref();
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    if (this.gone !== undefined) return done(failed(this.gone));
    let bytes: Uint8Array | undefined;
    try {
      bytes = ProtobufTraceSerializer.serializeRequest(spans);
    } catch (err) {
      return done(failed(`OTLP serialisation failed: ${(err as Error).message}`));
    }
    if (!bytes) return done(failed('OTLP serialisation produced no body'));
    const id = this.nextId++;
    this.pending.set(id, done);
    this.refWhileBusy();
    const message: ToWorker = {
      kind: 'export',
      id,
      buffer: bytes.buffer as ArrayBuffer,
      byteOffset: bytes.byteOffset,
      byteLength: bytes.byteLength,
      spans: spans.length,
    };
    this.worker.postMessage(message, [bytes.buffer as ArrayBuffer]);
  }

  /** Resolves when every export handed to the worker so far has been answered. */
  async forceFlush(): Promise<void> {
    const waits = [...this.pending.keys()].map((id) => this.answered(id));
    await Promise.all(waits);
  }

  /** Waits for exports in flight, then stops the worker's transport and the worker. */
  shutdown(): Promise<void> {
    this.stopping ??= (async () => {
      await this.forceFlush();
      if (this.gone !== undefined) return;
      const stopped = new Promise<void>((resolve) => {
        this.onStopped = resolve;
      });
      this.worker.ref();
      const message: ToWorker = { kind: 'shutdown' };
      this.worker.postMessage(message);
      await stopped;
      this.gone = 'exporter is shut down';
      await this.worker.terminate();
    })();
    return this.stopping;
  }

  private answered(id: number): Promise<void> {
    const done = this.pending.get(id);
    if (!done) return Promise.resolve();
    return new Promise((resolve) => {
      this.pending.set(id, (result) => {
        done(result);
        resolve();
      });
    });
  }

  private onMessage(message: FromWorker): void {
    if (message.kind === 'stopped') return this.onStopped();
    const done = this.pending.get(message.id);
    this.pending.delete(message.id);
    this.refWhileBusy();
    done?.(message.ok ? { code: ExportResultCode.SUCCESS } : failed(message.error ?? 'export failed'));
  }

  private refWhileBusy(): void {
    if (this.pending.size > 0) this.worker.ref();
    else if (this.stopping === undefined) this.worker.unref();
  }

  /** The worker is gone: every export it still owed fails (counted as failed, never lost silently). */
  private fail(reason: string): void {
    this.gone ??= reason;
    const owed = [...this.pending.values()];
    this.pending.clear();
    for (const done of owed) done(failed(reason));
    this.onStopped();
  }
}
