/**
 * The `Idempotency-Key` of `POST /api/orders`, shared by the gateway (which
 * answers 400) and orders (INVALID_ARGUMENT), so both hold the same grammar.
 * IETF draft-ietf-httpapi-idempotency-key-header sends the key as a
 * Structured Field string (`"…"`); the bare form (as Stripe's API takes it)
 * is accepted too. The characters are those of UUIDs, ULIDs and base64.
 */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 128;
const KEY = /^[A-Za-z0-9\-_.:~+/=]{1,128}$/;

export const IDEMPOTENCY_KEY_RULE = `1-${IDEMPOTENCY_KEY_MAX_LENGTH} characters of A-Z a-z 0-9 - _ . : ~ + / =`;

export function isValidIdempotencyKey(key: string): boolean {
  return KEY.test(key);
}

/** The key in a header value (quotes of the Structured Field form removed), or undefined when it is not one. */
export function parseIdempotencyKeyHeader(value: string): string | undefined {
  const key = value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
  return isValidIdempotencyKey(key) ? key : undefined;
}
