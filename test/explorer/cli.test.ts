/** The `tracewire` CLI against a running explorer: trace waterfall, traces list, --json, bad args. */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { trace } from '@opentelemetry/api';
import { initTracing } from '@tracewire/tracing';
import { startTestExplorer, tempDir } from './helpers.ts';
import { runCli, startExplorerProcess, waitExit } from './process.ts';
import { type SeedTrace, postSeed, seedTraces } from './seed.ts';

describe('tracewire CLI', () => {
  let ex: Awaited<ReturnType<typeof startTestExplorer>>;
  let seed: SeedTrace[];
  before(async () => {
    ex = await startTestExplorer();
    seed = seedTraces(Date.now());
    await postSeed(ex.httpPort, seed);
  });
  after(() => ex.close());

  it('prints a trace as a tree with guides, bars, durations and status', async () => {
    const b = seed[1] as SeedTrace;
    const r = await runCli(['trace', b.traceId, '--api', ex.url]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0] ?? '', new RegExp(`^trace ${b.traceId}  900 ms  4 spans  2 services  depth 4  2 errors$`));
    assert.match(lines[3] ?? '', /^web {2}GET \/checkout \[server\] +\|█+\| +900 ms {2}ERROR$/);
    assert.match(lines[4] ?? '', /^└─ web {2}payments\/Charge \[client\] .* 800 ms {2}ok$/);
    assert.match(lines[5] ?? '', /^ {3}└─ payments {2}payments\/Charge \[server\] .* ERROR$/);
    assert.match(lines[6] ?? '', /^ {6}└─ payments {2}fraud check .* 10 ms {2}ok$/);
  });

  it('prints the API document with --json', async () => {
    const a = seed[0] as SeedTrace;
    const r = await runCli(['trace', a.traceId, '--api', ex.url, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { traceId: string; spans: unknown[]; summary: { spanCount: number } };
    assert.equal(doc.traceId, a.traceId);
    assert.equal(doc.summary.spanCount, 3);
  });

  it('lists traces by service, time and errors', async () => {
    const r = await runCli(['traces', '--service', 'web', '--since', '1h', '--errors', '--api', ex.url, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const body = JSON.parse(r.stdout) as { total: number; traces: Array<{ traceId: string; rootName: string }> };
    assert.equal(body.total, 2);
    assert.equal((body as { totalCapped?: boolean }).totalCapped, false);
    assert.deepEqual(body.traces.map((t) => t.rootName), ['GET /cart', 'GET /checkout']);
    const text = await runCli(['traces', '--since', '1h', '--api', ex.url]);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /4 of 4 traces/);
    assert.match(text.stdout, /web: GET \/checkout/);
  });

  it('marks a total the explorer stopped counting at with +', async () => {
    const bounded = await startTestExplorer({ searchCountCap: 2 });
    try {
      await postSeed(bounded.httpPort, seed);
      const text = await runCli(['traces', '--since', '1h', '--limit', '3', '--api', bounded.url]);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /3 of 3\+ traces/);
      const json = await runCli(['traces', '--since', '1h', '--limit', '1', '--api', bounded.url, '--json']);
      const body = JSON.parse(json.stdout) as { total: number; totalCapped: boolean };
      assert.deepEqual([body.total, body.totalCapped], [2, true]);
    } finally {
      await bounded.close();
    }
  });

  it('exits 1 for an unknown trace and 2 with a message for bad arguments', async () => {
    const missing = await runCli(['trace', 'ab'.repeat(16), '--api', ex.url]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /not found/);
    for (const args of [['trace'], ['trace', 'xyz'], ['traces', '--since', 'soon'], ['traces', '--limit', '0'], ['traces', '--bogus'], ['launch'], ['explorer', '--ui-port', '99999']]) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^tracewire: /);
    }
    const down = await runCli(['traces', '--api', 'http://127.0.0.1:9']);
    assert.equal(down.code, 1);
    assert.match(down.stderr, /cannot reach the explorer/);
  });

  it('ends by itself on SIGTERM while exporters and browsers still hold connections', async () => {
    const explorer = await startExplorerProcess(tempDir());
    // A service whose gRPC channel to the explorer stays open, as a running service's does.
    const tracing = initTracing({ serviceName: 'still-running', exporter: 'otlp', protocol: 'grpc', endpoint: `http://127.0.0.1:${explorer.grpcPort}` });
    trace.getTracer('cli-test').startSpan('before shutdown').end();
    await tracing.forceFlush();
    assert.equal(tracing.stats().exported, 1);
    // A browser tab: a kept-alive connection to the UI port.
    const agent = new http.Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) =>
      http.get(`${explorer.url}/api/services`, { agent }, (res) => res.resume().on('end', resolve)).on('error', reject),
    );
    try {
      explorer.child.kill('SIGTERM');
      assert.equal(await waitExit(explorer.child), 0);
      assert.doesNotMatch(explorer.stderr(), /still held open/);
    } finally {
      agent.destroy();
      await tracing.shutdown();
    }
  });
});
