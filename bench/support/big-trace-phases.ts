/**
 * `node --import tsx bench/support/big-trace-phases.ts [dataDir]`: the phases of
 * serving the ui-big-trace bench's 100,000-span trace (read from SQLite, build
 * the view, serialise), timed in process, for profiling the explorer's part
 * of opening a big trace, in both shapes of the view. A dataDir that already holds the trace is reused.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { startExplorer } from '../../packages/explorer/src/index.ts';
import { SqliteStore } from '../../packages/explorer/src/store/sqlite-store.ts';
import { traceView } from '../../packages/explorer/src/query/trace-view.ts';
import { compactTraceView } from '../../packages/explorer/src/query/trace-view-compact.ts';
import { seedForProfile } from '../ui-big-trace.ts';

const TRACE_ID = 'b16b16b16b16b16b16b16b16b16b16b1';
const dataDir = process.argv[2] ?? '/tmp/tw-big-trace';
if (!existsSync(`${dataDir}/seeded`)) {
  await mkdir(dataDir, { recursive: true });
  const ex = await startExplorer({ dataDir, grpcPort: 0, httpPort: 0, uiPort: 0 });
  await seedForProfile(ex.httpPort);
  await ex.close();
  await mkdir(`${dataDir}/seeded`);
}
const store = new SqliteStore({ dataDir });
for (let round = 0; round < 6; round++) {
  const shape = round % 2 === 0 ? 'full' : 'compact';
  let t = performance.now();
  const spans = (await store.getTrace(TRACE_ID))!;
  const read = performance.now() - t;
  t = performance.now();
  const view = shape === 'full' ? traceView(TRACE_ID, spans) : compactTraceView(TRACE_ID, spans);
  const build = performance.now() - t;
  t = performance.now();
  const text = JSON.stringify(view);
  const json = performance.now() - t;
  process.stdout.write(`${shape.padEnd(7)} round ${round >> 1}: read ${read.toFixed(0)} ms, view ${build.toFixed(0)} ms, JSON ${json.toFixed(0)} ms (${(text.length / 2 ** 20).toFixed(1)} MiB)\n`);
}
await store.close();
