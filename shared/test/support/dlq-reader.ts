import amqp, { type GetMessage } from 'amqplib';
import { dlqName } from '../../src/amqp/topology.ts';
import { AMQP_URL } from './env.ts';
import { waitFor } from './wait.ts';

/** Waits until a service's DLQ holds `count` messages, then reads them without removing them. */
export async function peekDlq(queue: string, count: number): Promise<GetMessage[]> {
  const connection = await amqp.connect(AMQP_URL);
  try {
    const channel = await connection.createChannel();
    await waitFor(`${count} messages in ${dlqName(queue)}`, async () => (await channel.checkQueue(dlqName(queue))).messageCount === count);
    const messages: GetMessage[] = [];
    for (let i = 0; i < count; i++) {
      const message = await channel.get(dlqName(queue));
      if (message) messages.push(message);
    }
    await channel.close(); // unacked: they go back to the DLQ
    return messages;
  } finally {
    await connection.close();
  }
}
