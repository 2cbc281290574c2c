/** Real-broker Kafka helpers for tests: unique topics, a producer, a consumer that collects. */
import { randomUUID } from 'node:crypto';
import { Admin, Consumer, type Message, type MessagesStream, Producer, stringSerializer } from '@platformatic/kafka';

export const KAFKA_BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

export async function createTopic(topic: string, partitions = 1): Promise<void> {
  const admin = new Admin({ clientId: 'tracewire-test-admin', bootstrapBrokers: KAFKA_BROKERS });
  try {
    await admin.createTopics({ topics: [topic], partitions, replicas: 1 });
  } finally {
    await admin.close();
  }
}

/** Header values may be strings or raw bytes (hostile-input tests send both). */
const bytesOrString = (v?: string | Buffer): Buffer | undefined => (typeof v === 'string' ? Buffer.from(v) : v);

export function testProducer(): Producer<string, string, string, string | Buffer> {
  return new Producer<string, string, string, string | Buffer>({
    clientId: 'tracewire-test-producer',
    bootstrapBrokers: KAFKA_BROKERS,
    serializers: { key: stringSerializer, value: stringSerializer, headerKey: stringSerializer, headerValue: bytesOrString },
  });
}

export interface Collector {
  messages: Message[];
  stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>;
  close(): Promise<void>;
}

/** Consumes `topic` from the beginning in a fresh group, handing each record to `onMessage`. */
export async function consumeTopic(
  topic: string,
  onMessage: (message: Message) => Promise<void> | void,
  groupId = uniqueName('tracewire-test-group'),
): Promise<Collector> {
  const consumer = new Consumer({
    groupId,
    clientId: 'tracewire-test-consumer',
    bootstrapBrokers: KAFKA_BROKERS,
    maxWaitTime: 200,
  });
  const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: true, sessionTimeout: 10_000, heartbeatInterval: 500 });
  const messages: Message[] = [];
  stream.on('data', (message: Message) => {
    messages.push(message);
    void Promise.resolve(onMessage(message)).catch(() => {});
  });
  return {
    messages,
    stream,
    close: async () => {
      await stream.close();
      await consumer.close(true);
    },
  };
}
