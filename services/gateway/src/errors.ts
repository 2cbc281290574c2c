/**
 * Every error the gateway answers with, and the one place gRPC statuses from
 * orders become HTTP statuses. Bodies are `{"error": "...", "field"?: "..."}`.
 *
 * | cause                              | HTTP |
 * |------------------------------------|------|
 * | invalid field / invalid JSON       | 400  |
 * | unknown route or order             | 404  |
 * | method not allowed on a route      | 405  |
 * | out of stock (FAILED_PRECONDITION) | 409  |
 * | same Idempotency-Key in progress   | 409  |
 * | (ABORTED)                          |      |
 * | Idempotency-Key used for another   | 422  |
 * | request (ALREADY_EXISTS)           |      |
 * | body over 64 KiB                   | 413  |
 * | content type not JSON              | 415  |
 * | unknown product (NOT_FOUND)        | 422  |
 * | orders unreachable (UNAVAILABLE)   | 503  |
 * | deadline exceeded                  | 504  |
 */
import { status } from '@grpc/grpc-js';
import { isServiceError } from '@tracewire/service-common';

export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): { error: string; field?: string } {
    return this.field ? { error: this.message, field: this.field } : { error: this.message };
  }
}

export const isHttpError = (error: unknown): error is HttpError => error instanceof HttpError;

/** `quantity: must be …` → field `quantity`, as orders words its INVALID_ARGUMENT details. */
function fieldOf(details: string): string | undefined {
  return /^(\w+):/.exec(details)?.[1];
}

/** Maps a failed call to orders; `operation` tells NOT_FOUND of a product (create) from an order (get). */
export function fromOrders(error: unknown, operation: 'create' | 'get'): HttpError {
  if (!isServiceError(error)) return new HttpError(500, 'internal error');
  const details = error.details || error.message;
  switch (error.code) {
    case status.INVALID_ARGUMENT:
      return new HttpError(400, details, fieldOf(details));
    case status.NOT_FOUND:
      return operation === 'create' ? new HttpError(422, details, 'product_id') : new HttpError(404, details);
    case status.FAILED_PRECONDITION:
      return new HttpError(409, details, 'quantity');
    // IETF draft-ietf-httpapi-idempotency-key-header §2.7: 409 while the first request runs, 422 for a reused key.
    case status.ABORTED:
      return new HttpError(409, details, 'idempotency-key', { 'retry-after': '1' });
    case status.ALREADY_EXISTS:
      return new HttpError(422, details, 'idempotency-key');
    case status.DEADLINE_EXCEEDED:
    case status.CANCELLED:
      return new HttpError(504, 'deadline exceeded');
    case status.UNAVAILABLE:
      return new HttpError(503, 'orders service unavailable', undefined, { 'retry-after': '1' });
    default:
      return new HttpError(502, 'orders service failed');
  }
}
