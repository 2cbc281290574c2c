/**
 * Coalesces concurrent sends into one produce request at a time. The relay
 * calls `sendTraced` once per outbox row (so each PRODUCER span gets its own
 * row's parent), and this turns those calls into a single `producer.send`:
 * fewer round trips, and never two requests in flight on the idempotent
 * producer (concurrent sends on @platformatic/kafka 1.35's idempotent
 * producer were seen to stall until timeout).
 */
import type { ShopProducer } from '@tracewire/service-common';

type OutgoingMessage = Parameters<ShopProducer['send']>[0] extends infer O ? (O extends { messages: Array<infer M> } ? M : never) : never;

interface Waiting {
  messages: OutgoingMessage[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class KafkaSendBatcher {
  private waiting: Waiting[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly producer: () => ShopProducer) {}

  /** Resolves once the batch holding `messages` was acknowledged; resolves to nothing (offsets are per batch). */
  send(messages: OutgoingMessage[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ messages, resolve, reject });
      this.running ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    // Let every row published in this tick join the first request.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.waiting.length > 0) {
      const batch = this.waiting;
      this.waiting = [];
      try {
        await this.producer().send({ messages: batch.flatMap((w) => w.messages) });
        for (const w of batch) w.resolve();
      } catch (error) {
        for (const w of batch) w.reject(error);
      }
    }
    this.running = undefined;
  }
}
