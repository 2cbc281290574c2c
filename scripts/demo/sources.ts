/**
 * Where the demo's spans go and how it reads one trace back: the explorer
 * (started here, or one already running on its default ports), or, when
 * there is none, a small OTLP/HTTP receiver inside the demo itself.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { startOtlpSink } from '../../test/support/otlp-sink.ts';
import { ROOT } from './launch.ts';
import type { TreeSpan } from './trace-tree.ts';

export interface TraceSource {
  kind: 'explorer' | 'built-in receiver';
  /** OTEL_* settings that point the services here. */
  env: Record<string, string>;
  /** Where to browse all traces, when there is a UI. */
  browseUrl: string | undefined;
  traceUrl(traceId: string): string | undefined;
  fetchTrace(traceId: string): Promise<TreeSpan[]>;
  stop(): Promise<void>;
}

interface JaegerSpan {
  spanID: string;
  operationName: string;
  references?: Array<{ refType: string; spanID: string }>;
  startTime: number;
  duration: number;
  processID: string;
  tags?: Array<{ key: string; value: unknown }>;
}
interface JaegerTrace {
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

function fromJaeger(trace: JaegerTrace): TreeSpan[] {
  return trace.spans.map((s) => {
    const tag = (key: string): unknown => s.tags?.find((t) => t.key === key)?.value;
    return {
      spanId: s.spanID,
      parentSpanId: s.references?.[0]?.spanID,
      service: trace.processes[s.processID]?.serviceName ?? '?',
      name: s.operationName,
      kind: String(tag('span.kind') ?? '').toUpperCase(),
      startUs: s.startTime,
      durationUs: s.duration,
      error: tag('error') === true || tag('otel.status_code') === 'ERROR',
    };
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    return res.ok;
  } catch {
    return false;
  }
}

function explorerSource(uiUrl: string, grpcPort: number, child: ChildProcess | undefined): TraceSource {
  return {
    kind: 'explorer',
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${grpcPort}`, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
    browseUrl: uiUrl,
    traceUrl: (id) => `${uiUrl}/trace/${id}`,
    async fetchTrace(traceId) {
      const res = await fetch(`${uiUrl}/api/traces/${traceId}`, { signal: AbortSignal.timeout(5_000) });
      if (!res.ok) return [];
      const body = (await res.json()) as { data?: JaegerTrace[] };
      return body.data?.[0] ? fromJaeger(body.data[0]) : [];
    },
    async stop() {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Reuses an explorer on 16686, or starts one; undefined when that fails. */
export async function startExplorer(dataDir: string, log: (line: string) => void): Promise<TraceSource | undefined> {
  if (await answers('http://127.0.0.1:16686/api/services')) {
    log('using the explorer already running on http://127.0.0.1:16686');
    return explorerSource('http://127.0.0.1:16686', 4317, undefined);
  }
  const script = path.join(ROOT, 'scripts/explorer.sh');
  const child = spawn('bash', [script, '--data', dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const recent: string[] = [];
  readline.createInterface({ input: child.stderr! }).on('line', (line) => {
    recent.push(line);
    if (recent.length > 10) recent.shift();
  });
  const ready = await new Promise<{ url: string; grpcPort: number } | undefined>((resolve) => {
    const timer = setTimeout(() => resolve(undefined), 120_000);
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const json = JSON.parse(line) as { event?: string; url?: string; grpcPort?: number };
        if (json.event === 'ready' && json.url && json.grpcPort) {
          clearTimeout(timer);
          resolve({ url: json.url.replace(/\/+$/, ''), grpcPort: json.grpcPort });
        }
      } catch {
        // not a JSON line
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
  });
  if (!ready) {
    if (child.exitCode === null) child.kill('SIGKILL');
    log(`explorer did not start (${recent.slice(-3).join(' | ') || 'no output'}); collecting spans in the demo instead`);
    return undefined;
  }
  return explorerSource(ready.url, ready.grpcPort, child);
}

/** An in-process OTLP/HTTP JSON receiver: spans are printed but there is no UI. */
export async function startBuiltInReceiver(): Promise<TraceSource> {
  const sink = await startOtlpSink();
  return {
    kind: 'built-in receiver',
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
    browseUrl: undefined,
    traceUrl: () => undefined,
    fetchTrace: async (traceId) =>
      sink.trace(traceId).map((s) => ({
        spanId: s.spanId,
        parentSpanId: s.parentSpanId,
        service: s.service,
        name: s.name,
        kind: s.kind,
        startUs: Number(s.startNs / 1000n),
        durationUs: Number((s.endNs - s.startNs) / 1000n),
        error: s.status.code === 'ERROR',
      })),
    stop: () => sink.close(),
  };
}
