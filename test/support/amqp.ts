/** Real-broker RabbitMQ helpers for tests. */
import amqp, { type Channel, type ChannelModel, type ConfirmChannel } from 'amqplib';

export const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

export interface Rabbit {
  connection: ChannelModel;
  channel: Channel;
  confirm: ConfirmChannel;
  close(): Promise<void>;
}

export async function connectRabbit(): Promise<Rabbit> {
  const connection = await amqp.connect(AMQP_URL);
  const channel = await connection.createChannel();
  const confirm = await connection.createConfirmChannel();
  return {
    connection,
    channel,
    confirm,
    close: async () => {
      await connection.close().catch(() => {});
    },
  };
}

/**
 * Takes messages off `queue` (acknowledging them) until one satisfies
 * `match`, which is returned; undefined when none arrived within `timeoutMs`.
 */
export async function takeMessage(
  channel: Channel,
  queue: string,
  match: (message: amqp.GetMessage) => boolean,
  timeoutMs = 30_000,
): Promise<amqp.GetMessage | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const got = await channel.get(queue, { noAck: true });
    if (got && match(got)) return got;
    if (!got) await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}
