/**
 * Where the demo's spans go and how it reads one trace back: the explorer
 * (started here, or one already running on its default ports), or, with
 * --no-explorer or when that fails, a private explorer inside the demo on
 * free ports with a temporary data directory. Either way the trace is read
 * from the explorer's API (/api/tw/traces/{id}) and printed by the CLI's
 * waterfall.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { TraceView } from '../../packages/explorer/src/api-types.ts';
import { startExplorer as startExplorerInProcess } from '../../packages/explorer/src/index.ts';
import { ROOT } from './launch.ts';

export interface TraceSource {
  kind: 'explorer' | 'private explorer';
  /** OTEL_* settings that point the services here. */
  env: Record<string, string>;
  /** Where to browse all traces. */
  browseUrl: string;
  traceUrl(traceId: string): string;
  /** The trace as the API serves it; undefined until it is stored. */
  fetchTrace(traceId: string): Promise<TraceView | undefined>;
  stop(): Promise<void>;
}

async function fetchView(uiUrl: string, traceId: string): Promise<TraceView | undefined> {
  const res = await fetch(`${uiUrl}/api/tw/traces/${traceId}`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) {
    await res.body?.cancel();
    return undefined;
  }
  return (await res.json()) as TraceView;
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
    fetchTrace: (traceId) => fetchView(uiUrl, traceId),
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
    log(`explorer did not start (${recent.slice(-3).join(' | ') || 'no output'}); using a private explorer inside the demo instead`);
    return undefined;
  }
  return explorerSource(ready.url, ready.grpcPort, child);
}

/** The explorer inside the demo process: free ports, a temporary data dir removed on stop. */
export async function startPrivateExplorer(): Promise<TraceSource> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-demo-explorer-'));
  const explorer = await startExplorerInProcess({ dataDir, grpcPort: 0, httpPort: 0, uiPort: 0, onError: () => undefined });
  return {
    kind: 'private explorer',
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${explorer.grpcPort}`, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
    browseUrl: explorer.url,
    traceUrl: (id) => `${explorer.url}/trace/${id}`,
    fetchTrace: (traceId) => fetchView(explorer.url, traceId),
    async stop() {
      await explorer.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
