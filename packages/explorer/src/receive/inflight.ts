/**
 * One budget of request bytes held in memory across both receivers: bodies
 * being received (counted chunk by chunk, before a whole message is buffered)
 * and bodies being decoded or waiting for their commit. A request that would
 * go over it is refused as retryable (HTTP 429 + Retry-After, gRPC
 * UNAVAILABLE), so many slow or concurrent large exports cannot exhaust memory.
 */

/** The receivers hold too many request bytes right now; retry shortly. */
export class ReceiverBusyError extends Error {
  override name = 'ReceiverBusyError';
  readonly retryAfterSeconds = 1;
  constructor(max: number) {
    super(`the receivers hold ${max} bytes of requests already; retry later`);
  }
}

export class InflightBytes {
  private used = 0;
  constructor(readonly max: number) {}

  /** Bytes held right now (for tests and status). */
  get held(): number {
    return this.used;
  }

  lease(): InflightLease {
    return new InflightLease(this);
  }

  /** @internal used by leases */
  adjust(delta: number): boolean {
    if (delta > 0 && this.used + delta > this.max) return false;
    this.used += delta;
    return true;
  }
}

/** The bytes one request holds; `release` (idempotent) gives them all back. */
export class InflightLease {
  private bytes = 0;
  private released = false;
  constructor(private readonly budget: InflightBytes) {}

  /** Adds `n` bytes; false (and nothing taken) when the budget would be exceeded. */
  take(n: number): boolean {
    if (this.released || !this.budget.adjust(n)) return false;
    this.bytes += n;
    return true;
  }

  /** Holds exactly `n` bytes from now on (e.g. the received message instead of its frames). */
  resize(n: number): boolean {
    if (this.released || !this.budget.adjust(n - this.bytes)) return false;
    this.bytes = n;
    return true;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.budget.adjust(-this.bytes);
    this.bytes = 0;
  }
}
