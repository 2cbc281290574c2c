/** Orders' failures as gRPC statuses, in one place. */
import { status } from '@grpc/grpc-js';
import { grpcError, isServiceError } from '@tracewire/service-common';

export const invalidArgument = (field: string, message: string) => grpcError(status.INVALID_ARGUMENT, `${field}: ${message}`);
export const orderNotFound = (orderId: string) => grpcError(status.NOT_FOUND, `order not found: ${orderId}`);
export const outOfStock = (productId: string, inStock: number, wanted: number) =>
  grpcError(status.FAILED_PRECONDITION, `out of stock: ${productId} has ${inStock}, ${wanted} requested`);

export const idempotencyInProgress = () =>
  grpcError(status.ABORTED, 'idempotency_key: a request with this key is still in progress; retry later');
export const idempotencyConflict = () =>
  grpcError(status.ALREADY_EXISTS, 'idempotency_key: already used for a different request');

/**
 * What a failed inventory call becomes for our caller: its status passes
 * through (NOT_FOUND product, FAILED_PRECONDITION, DEADLINE_EXCEEDED), anything
 * else is UNAVAILABLE: inventory is a dependency, not the caller's mistake.
 */
export function fromInventory(error: unknown) {
  if (isServiceError(error)) {
    const passThrough: number[] = [status.NOT_FOUND, status.FAILED_PRECONDITION, status.DEADLINE_EXCEEDED, status.INVALID_ARGUMENT];
    if (passThrough.includes(error.code)) return grpcError(error.code, error.details);
    return grpcError(status.UNAVAILABLE, `inventory: ${error.details || error.message}`);
  }
  return grpcError(status.INTERNAL, 'internal error');
}
