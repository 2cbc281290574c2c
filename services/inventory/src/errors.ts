/** Inventory's failures as gRPC statuses, in one place. */
import { status } from '@grpc/grpc-js';
import { grpcError } from '@tracewire/service-common';

export const unknownProduct = (productId: string) => grpcError(status.NOT_FOUND, `unknown product: ${productId}`);
export const outOfStock = (productId: string, inStock: number, wanted: number) =>
  grpcError(status.FAILED_PRECONDITION, `out of stock: ${productId} has ${inStock}, ${wanted} requested`);
export const invalidArgument = (field: string, message: string) => grpcError(status.INVALID_ARGUMENT, `${field}: ${message}`);
export const orderReleased = (orderId: string) =>
  grpcError(status.ABORTED, `order ${orderId} was released; a released order cannot reserve stock again`);
/** CHAOS_FAIL_RELEASE_TIMES: an inventory that cannot be reached, as the caller sees it. */
export const simulatedOutage = (left: number) => grpcError(status.UNAVAILABLE, `simulated inventory outage (CHAOS_FAIL_RELEASE_TIMES, ${left} more)`);
