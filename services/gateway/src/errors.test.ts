import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { grpcError } from '@tracewire/service-common';
import { HttpError, fromOrders } from './errors.ts';

describe('gRPC status → HTTP', () => {
  const cases: Array<[number, 'create' | 'get', number, string | undefined]> = [
    [status.INVALID_ARGUMENT, 'create', 400, 'quantity'],
    [status.NOT_FOUND, 'create', 422, 'product_id'],
    [status.NOT_FOUND, 'get', 404, undefined],
    [status.FAILED_PRECONDITION, 'create', 409, 'quantity'],
    [status.ABORTED, 'create', 409, 'idempotency-key'],
    [status.ALREADY_EXISTS, 'create', 422, 'idempotency-key'],
    [status.DEADLINE_EXCEEDED, 'create', 504, undefined],
    [status.CANCELLED, 'get', 504, undefined],
    [status.UNAVAILABLE, 'create', 503, undefined],
    [status.INTERNAL, 'create', 502, undefined],
  ];
  for (const [code, operation, http, field] of cases) {
    it(`${code} on ${operation} → ${http}`, () => {
      const mapped = fromOrders(grpcError(code, 'quantity: must be at least 1'), operation);
      assert.equal(mapped.status, http);
      assert.equal(mapped.field, field);
    });
  }

  it('anything that is not a gRPC error is a 500 without details', () => {
    const mapped = fromOrders(new Error('secret internals'), 'create');
    assert.ok(mapped instanceof HttpError);
    assert.deepEqual([mapped.status, mapped.body()], [500, { error: 'internal error' }]);
  });
});
