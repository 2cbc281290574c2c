/**
 * A store that cannot write right now is a retryable failure for exporters
 * (OTLP: HTTP 503 + Retry-After, gRPC UNAVAILABLE), not a 500 / INTERNAL that
 * makes them drop the batch; and a damaged database stops start-up with a
 * message saying what to do. Real explorer processes; the lock is taken by
 * this test process on the explorer's own database file.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import Database from 'better-sqlite3';
import { ExportTraceServiceRequest, TRACE_EXPORT_PATH } from '../../packages/explorer/src/receive/otlp-schema.ts';
import { getJson, hex, otlpJson, postJson, tempDir } from './helpers.ts';
import { type ExplorerProcess, runCli, startExplorerProcess, waitExit } from './process.ts';

function grpcExport(port: number, traceId: string): Promise<grpc.ServiceError | null> {
  const body = ExportTraceServiceRequest.encode(
    ExportTraceServiceRequest.fromObject({
      resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: Buffer.from(traceId, 'hex'), spanId: Buffer.from(hex(9, 16), 'hex'), name: 'g', startTimeUnixNano: 1, endTimeUnixNano: 2 }] }] }],
    }),
  ).finish();
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest(TRACE_EXPORT_PATH, (b: Buffer) => b, (b: Buffer) => b, Buffer.from(body), (err) => {
      client.close();
      resolve(err);
    });
  });
}

const span = (traceId: string) => otlpJson([{ traceId, spanId: hex(1, 16), name: 'locked', startTimeUnixNano: '1', endTimeUnixNano: '2' }]);

describe('a locked database', () => {
  let ex: ExplorerProcess;
  const dir = tempDir();
  before(async () => {
    ex = await startExplorerProcess(dir, ['--store', 'sqlite']);
    assert.equal((await postJson(ex.httpPort, span(hex(0xa0, 32)))).status, 200);
  });
  after(async () => {
    ex.child.kill('SIGTERM');
    await waitExit(ex.child);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 + Retry-After and UNAVAILABLE while another process holds the write lock, and stores the retries once it is released', { timeout: 60_000 }, async () => {
    const lock = new Database(path.join(dir, 'traces.db'));
    lock.exec('BEGIN EXCLUSIVE');
    let released = false;
    try {
      const res = await postJson(ex.httpPort, span(hex(0xa1, 32)));
      assert.equal(res.status, 503);
      assert.ok(Number(res.headers.get('retry-after')) >= 1, `Retry-After ${res.headers.get('retry-after')}`);
      const st = (await res.json()) as { code: number; message: string };
      assert.equal(st.code, 14);
      assert.match(st.message, /cannot be written right now/);
      const err = await grpcExport(ex.grpcPort, hex(0xa2, 32));
      assert.equal(err?.code, grpc.status.UNAVAILABLE);
      lock.exec('ROLLBACK');
      released = true;
    } finally {
      if (!released) lock.exec('ROLLBACK');
      lock.close();
    }
    // What an OTLP exporter does next: the same export again.
    assert.equal((await postJson(ex.httpPort, span(hex(0xa1, 32)))).status, 200);
    assert.equal(await grpcExport(ex.grpcPort, hex(0xa2, 32)), null);
    for (const id of [hex(0xa0, 32), hex(0xa1, 32), hex(0xa2, 32)]) assert.equal((await getJson(`${ex.url}/api/tw/traces/${id}`)).status, 200, id);
  });
});

describe('a damaged database', () => {
  it('stops start-up with exit code 1 and says what to do, without a stack trace', async () => {
    const dir = tempDir();
    try {
      fs.writeFileSync(path.join(dir, 'traces.db'), Buffer.alloc(64 * 1024, 'not a database. '));
      const r = await runCli(['explorer', '--data', dir, '--grpc-port', '0', '--http-port', '0', '--ui-port', '0']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /traces\.db is damaged and was not opened/);
      assert.match(r.stderr, /mv .*traces\.db .*traces\.db\.damaged/);
      assert.match(r.stderr, /\.recover/);
      assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
      assert.equal(r.stdout, '', 'no ready line');
      assert.equal(fs.readFileSync(path.join(dir, 'traces.db')).subarray(0, 16).toString(), 'not a database. ', 'the file is left as it was');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
