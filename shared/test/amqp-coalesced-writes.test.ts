import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { ChannelModel } from 'amqplib';
import { connectAmqp } from '../src/amqp/connect.ts';
import { socketOf } from '../src/amqp/coalesce-writes.ts';
import { createLogger } from '../src/logger.ts';
import { AMQP_URL } from './support/env.ts';

describe('an amqplib connection made by connectAmqp', () => {
  const opened: Array<{ close(): Promise<void> }> = [];
  after(async () => {
    for (const connection of opened) await connection.close().catch(() => undefined);
  });

  it('when a channel publishes many messages in one tick, then its socket holds them until the tick ends', async () => {
    let model: ChannelModel | undefined;
    const connection = await connectAmqp(AMQP_URL, { name: 'coalesce-test', logger: createLogger('coalesce-test', 'silent'), setup: async (made) => void (model = made) });
    opened.push(connection);
    const socket = socketOf(model!);
    assert.ok(socket, 'amqplib no longer exposes its socket where coalesce-writes.ts looks');
    const channel = await model!.createConfirmChannel();
    const queue = (await channel.assertQueue('', { exclusive: true })).queue;
    // Counted from here on: frames handed to the socket, and the uncorks that send them.
    const seen = { writes: 0, sends: 0 };
    const { write, uncork } = socket;
    socket.write = ((...args: Parameters<typeof write>) => ((seen.writes += 1), write.apply(socket, args))) as typeof write;
    socket.uncork = () => ((seen.sends += 1), uncork.call(socket));
    for (let index = 0; index < 20; index += 1) channel.sendToQueue(queue, Buffer.from(`message ${index}`));
    await channel.waitForConfirms();
    assert.ok(seen.writes >= 20, `each message is at least one frame (${seen.writes})`);
    assert.ok(seen.sends >= 1 && seen.sends <= 2, `20 messages of one tick left in ${seen.sends} sends`);
    assert.equal((await channel.checkQueue(queue)).messageCount, 20, 'every message arrived');
  });
});
