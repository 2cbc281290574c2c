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
