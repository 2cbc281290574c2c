/**
 * Coalesces concurrent sends into one produce request at a time. The relay
 * calls `sendTraced` once per outbox row (so each PRODUCER span gets its own
 * row's parent), and this turns those calls into a single `producer.send`:
 * fewer round trips, and never two requests in flight on the idempotent
 * producer (concurrent sends on @platformatic/kafka 1.35's idempotent
 * producer were seen to stall until timeout).
 *
 * Each caller gets the broker's answer for its own records, so its PRODUCER
 * spans carry partition and offset although the request was shared. For that
 * the batcher pins every keyed record's partition to the one the producer's
 * partitioner would pick anyway: a merged answer names one base offset per
 * partition, and only records of known partitions can be placed from it.
 */
import { type ShopProducer, partitionForKey } from '@tracewire/service-common';
import { type KafkaProduceResult, type KafkaRecordPosition, kafkaRecordPositions } from '@tracewire/tracing';

type OutgoingMessage = Parameters<ShopProducer['send']>[0] extends infer O ? (O extends { messages: Array<infer M> } ? M : never) : never;

interface Waiting {
  messages: OutgoingMessage[];
  resolve: (answer: KafkaProduceResult) => void;
  reject: (error: unknown) => void;
}

export class KafkaSendBatcher {
  private waiting: Waiting[] = [];
  private running: Promise<void> | undefined;
  /** Partition count per topic, read once from the cluster metadata (dropped after a failure). */
  private readonly partitionCounts = new Map<string, number>();

  constructor(private readonly producer: () => ShopProducer) {}

  /** Resolves once the batch holding `messages` was acknowledged, with the base offset of each partition its records went to. */
  send(messages: OutgoingMessage[]): Promise<KafkaProduceResult> {
    return new Promise<KafkaProduceResult>((resolve, reject) => {
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
        const producer = this.producer();
        const merged = await this.pinPartitions(producer, batch.flatMap((w) => w.messages));
        const positions = kafkaRecordPositions(merged, await producer.send({ messages: merged }));
        let at = 0;
        for (const w of batch) {
          w.resolve(answerFor(positions.slice(at, at + w.messages.length)));
          at += w.messages.length;
        }
      } catch (error) {
        this.partitionCounts.clear();
        for (const w of batch) w.reject(error);
      }
    }
    this.running = undefined;
  }

  /** Copies of `messages` with each keyed record's partition made explicit. */
  private async pinPartitions(producer: ShopProducer, messages: OutgoingMessage[]): Promise<OutgoingMessage[]> {
    const unknown = [...new Set(messages.map((m) => m.topic))].filter((t) => !this.partitionCounts.has(t));
    if (unknown.length > 0) {
      const metadata = await producer.metadata({ topics: unknown });
      for (const topic of unknown) {
        const count = metadata.topics.get(topic)?.partitionsCount;
        if (count) this.partitionCounts.set(topic, count);
      }
    }
    return messages.map((m) => {
      const count = this.partitionCounts.get(m.topic);
      if (typeof m.partition === 'number' || typeof m.key !== 'string' || !count) return m;
      return { ...m, partition: partitionForKey(m.key, count) };
    });
  }
}

/**
 * One caller's share of the merged answer: the position of its first record
 * in each partition. A caller's records are contiguous within each partition
 * of the merged request (its messages were appended together, and a
 * partition keeps request order), so that is their base offset.
 */
function answerFor(positions: ReadonlyArray<KafkaRecordPosition | undefined>): KafkaProduceResult {
  const first = new Map<string, KafkaRecordPosition>();
  for (const p of positions) if (p && !first.has(`${p.topic}:${p.partition}`)) first.set(`${p.topic}:${p.partition}`, p);
  return { offsets: [...first.values()] };
}
