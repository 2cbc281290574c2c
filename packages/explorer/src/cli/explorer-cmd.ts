/** `tracewire explorer`: runs the receivers, store, API and UI until SIGINT/SIGTERM. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startExplorer } from '../explorer.ts';
import { InsecureBindError, WeakTokenError } from '../security/auth.ts';
import { HostConfigError } from '../security/host-check.ts';
import { DB_FILE } from '../store/sqlite-store.ts';
import { StoreCorruptError, StoreVersionError } from '../store/store.ts';
import { MAX_SHARDS } from '../store/shards/sharded-store.ts';
import { UsageError, duration, port, size } from './args.ts';

export const EXPLORER_USAGE = `tracewire explorer [options]
  --data DIR          data directory (default ./.tracewire)
  --host HOST         bind address for every listener (default 127.0.0.1)
  --grpc-port N       OTLP/gRPC port (default 4317; 0 = any free port)
  --http-port N       OTLP/HTTP port (default 4318)
  --ui-port N         UI + query API port (default 16686)
  --retention DUR     delete traces older than this, e.g. 7d (default: keep)
  --max-size SIZE     keep the database under this size, e.g. 1GiB (default: no bound)
  --max-body SIZE     largest OTLP request, after decompression (default 16MiB)
  --max-inflight SIZE OTLP request bytes held at once, both receivers (default 64MiB)
  --request-timeout DUR  time to receive one OTLP request (default 30s)
  --idle-timeout DUR  close an OTLP/gRPC connection idle this long (default 60s)
  --ui-dir DIR        directory of the built UI (default packages/explorer/dist/ui)
  --token TOKEN       bearer token for OTLP, the API and the UI (default $TRACEWIRE_TOKEN;
                      required when --host is not a loopback address; prefer the variable:
                      a flag is visible in the process list)
  --cors-origin ORIGIN  the one web origin allowed cross-origin (default: none; '*' opens
                      OTLP/HTTP to every origin, never the query API)
  --allowed-host NAME another name this explorer answers to without a token, besides
                      localhost and IP addresses (repeatable; .example.com = the domain
                      and its subdomains; default $TRACEWIRE_ALLOWED_HOSTS, comma-separated)
  --store KIND        segments (default), sqlite or opensearch (default $TRACEWIRE_STORE);
                      a directory the sqlite store wrote is copied into segments at start
  --shards N          split a new data directory's segment store by trace id over N
                      threads: faster ingest on several cores, more memory (default 1;
                      an existing directory keeps its layout)
  --opensearch-url URL[,URL...]  OpenSearch nodes for --store opensearch (default $TRACEWIRE_OPENSEARCH_URL)
  --opensearch-index-prefix P    Jaeger index prefix: P-jaeger-span-YYYY-MM-DD (default none)`;

function shardCount(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > MAX_SHARDS) throw new UsageError(`--shards must be a whole number from 1 to ${MAX_SHARDS}, not ${text}`);
  return n;
}

/** `--store` and `--opensearch-url` (flag, then environment variable). */
function storeChoice(kind: string | undefined, urls: string | undefined): { store?: 'sqlite' | 'segments' | 'opensearch'; opensearchUrls?: string[] } {
  if (kind === undefined || kind === '' || kind === 'segments') return {};
  if (kind === 'sqlite') return { store: 'sqlite' };
  if (kind !== 'opensearch') throw new UsageError(`--store must be segments, sqlite or opensearch, not ${kind}`);
  const list = (urls ?? '').split(',').map((u) => u.trim()).filter(Boolean);
  if (!list.length) throw new UsageError('--store opensearch needs --opensearch-url http://host:9200 (or TRACEWIRE_OPENSEARCH_URL)');
  for (const u of list) {
    if (!/^https?:\/\/[^\s/]+/.test(u)) throw new UsageError(`--opensearch-url: not an http(s) URL: ${u}`);
  }
  return { store: 'opensearch', opensearchUrls: list };
}

function positiveMs(flag: string, raw: string): number {
  const ms = Number(duration(flag, raw) / 1_000_000n);
  if (ms < 1) throw new UsageError(`--${flag} must be at least 1ms, got ${JSON.stringify(raw)}`);
  return ms;
}

/** What to do about a damaged database: nothing is started, nothing is overwritten. */
function corruptMessage(file: string, detail: string): string {
  return `tracewire explorer: the database ${file} is damaged and was not opened (${detail}).
  Nothing was changed. To go on:
    - keep the damaged file: mv ${file} ${file}.damaged (and its -wal / -shm files, if any)
    - then start the explorer again for an empty store, or restore ${file} from a backup;
    - to save what can be read: sqlite3 ${file}.damaged .recover | sqlite3 ${file}
`;
}

export async function explorerCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        data: { type: 'string' },
        host: { type: 'string' },
        'grpc-port': { type: 'string' },
        'http-port': { type: 'string' },
        'ui-port': { type: 'string' },
        retention: { type: 'string' },
        'max-size': { type: 'string' },
        'max-body': { type: 'string' },
        'max-inflight': { type: 'string' },
        'request-timeout': { type: 'string' },
        'idle-timeout': { type: 'string' },
        'ui-dir': { type: 'string' },
        token: { type: 'string' },
        'cors-origin': { type: 'string' },
        'allowed-host': { type: 'string', multiple: true },
        store: { type: 'string' },
        shards: { type: 'string' },
        'opensearch-url': { type: 'string' },
        'opensearch-index-prefix': { type: 'string' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const token = values.token ?? process.env.TRACEWIRE_TOKEN;
  // Flags first, then the variable (an empty variable means none).
  const allowedHosts = values['allowed-host'] ?? (process.env.TRACEWIRE_ALLOWED_HOSTS ?? '').split(',').map((h) => h.trim()).filter((h) => h !== '');
  const backend = storeChoice(values.store ?? process.env.TRACEWIRE_STORE, values['opensearch-url'] ?? process.env.TRACEWIRE_OPENSEARCH_URL);
  let explorer;
  try {
    explorer = await startExplorer({
      ...(token ? { token } : {}),
      ...(values['cors-origin'] ? { corsOrigin: values['cors-origin'] } : {}),
      allowedHosts,
      dataDir: values.data ?? './.tracewire',
      host: values.host ?? '127.0.0.1',
      grpcPort: port('grpc-port', values['grpc-port'], 4317),
      httpPort: port('http-port', values['http-port'], 4318),
      uiPort: port('ui-port', values['ui-port'], 16686),
      ...(values.retention ? { retentionNs: duration('retention', values.retention) } : {}),
      ...(values['max-size'] ? { maxSizeBytes: size('max-size', values['max-size']) } : {}),
      ...(values['max-body'] ? { maxBodyBytes: size('max-body', values['max-body']) } : {}),
      ...(values['max-inflight'] ? { maxInflightBytes: size('max-inflight', values['max-inflight']) } : {}),
      ...(values['request-timeout'] ? { requestTimeoutMs: positiveMs('request-timeout', values['request-timeout']) } : {}),
      ...(values['idle-timeout'] ? { idleTimeoutMs: positiveMs('idle-timeout', values['idle-timeout']) } : {}),
      ...(values['ui-dir'] ? { uiDir: values['ui-dir'] } : {}),
      ...backend,
      ...(values.shards !== undefined ? { shards: shardCount(values.shards) } : {}),
      ...(values['opensearch-index-prefix'] ? { opensearchIndexPrefix: values['opensearch-index-prefix'] } : {}),
    });
  } catch (err) {
    if (err instanceof InsecureBindError || err instanceof WeakTokenError || err instanceof HostConfigError) throw new UsageError(err.message);
    if (err instanceof StoreCorruptError) {
      const db = path.join(values.data ?? './.tracewire', DB_FILE);
      // A damaged SQLite file gets the recovery steps; a damaged segment file's message says its own.
      process.stderr.write(err.message.includes(DB_FILE) ? corruptMessage(db, err.message) : `tracewire explorer: ${err.message}\n`);
      return 1;
    }
    // A file from a newer explorer: its message names both versions; nothing was changed.
    if (err instanceof StoreVersionError) {
      process.stderr.write(`tracewire explorer: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  // One machine-readable line first (tests and scripts wait for it), then a human one on stderr.
  process.stdout.write(
    `${JSON.stringify({ event: 'ready', host: explorer.host, grpcPort: explorer.grpcPort, httpPort: explorer.httpPort, uiPort: explorer.uiPort, url: explorer.url, dataDir: values.data ?? './.tracewire' })}\n`,
  );
  process.stderr.write(
    `tracewire explorer: UI ${explorer.url}  OTLP/gRPC ${explorer.host}:${explorer.grpcPort}  OTLP/HTTP http://${explorer.host}:${explorer.httpPort}\n`,
  );
  return new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      process.stderr.write(`tracewire explorer: ${signal}, finishing writes and closing the database\n`);
      explorer.close().then(
        () => resolve(0),
        (err: Error) => {
          process.stderr.write(`tracewire explorer: close failed: ${err.message}\n`);
          resolve(1);
        },
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
