/** Kafka clients configured the same way in every service. */
import { Admin, Consumer, Producer, defaultPartitioner, stringSerializer } from '@platformatic/kafka';

export type ShopProducer = Producer<string, string, string, string | Buffer>;

const bytesOrString = (v?: string | Buffer): Buffer | undefined => (typeof v === 'string' ? Buffer.from(v) : v);

/**
 * A producer that waits for all in-sync replicas (acks = -1) and is
 * idempotent, so a retried send is not written twice. Retries are left to
 * the caller (the outbox relay has its own backoff), so a down broker fails fast.
 */
export function createProducer(clientId: string, brokers: string[]): ShopProducer {
  return new Producer<string, string, string, string | Buffer>({
    clientId,
    bootstrapBrokers: brokers,
    acks: -1,
    idempotent: true,
    retries: 1,
    retryDelay: 200,
    timeout: 5_000,
    serializers: { key: stringSerializer, value: stringSerializer, headerKey: stringSerializer, headerValue: bytesOrString },
  });
}

/**
 * The partition `createProducer`'s producer picks for a keyed record (its
 * default partitioner over the string-serialized key, modulo the partition
 * count). Setting it explicitly changes nothing on the wire, but lets a
 * produce answer name each record's offset (see `kafkaRecordPositions`).
 */
export function partitionForKey(key: string, partitionsCount: number): number {
  const serialized = stringSerializer(key) as Buffer;
  return defaultPartitioner(undefined as never, serialized) % partitionsCount;
}

export function createConsumer(clientId: string, groupId: string, brokers: string[]): Consumer {
  return new Consumer({ clientId, groupId, bootstrapBrokers: brokers, maxWaitTime: 200, timeout: 5_000, retries: 2 });
}

/** Creates topics that do not exist yet; existing ones are left alone. */
export async function ensureTopics(brokers: string[], topics: string[], partitions = 3): Promise<void> {
  const admin = new Admin({ clientId: 'tracewire-shop-admin', bootstrapBrokers: brokers, timeout: 5_000, retries: 1 });
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    try {
      await admin.createTopics({ topics: missing, partitions, replicas: 1 });
    } catch (error) {
      // Another service may have created them a moment ago.
      const now = new Set(await admin.listTopics());
      if (!missing.every((t) => now.has(t))) throw error;
    }
  } finally {
    await admin.close().catch(() => {});
  }
}
