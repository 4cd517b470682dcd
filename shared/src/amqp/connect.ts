import amqp, { type ChannelModel, type RecoveringChannelModel } from 'amqplib';
import type { Logger } from '../logger.ts';
import { amqpConnectTarget } from './amqp-url.ts';
import { coalesceWrites, socketOf } from './coalesce-writes.ts';

/**
 * Connects with amqplib's recovery: on connection loss it reconnects with jittered backoff
 * and runs `setup` again on the new connection, which is where every user re-creates its
 * channels, topology and consumers. Channels of a lost connection are never reused. Each
 * connection's frames go out a tick at a time (coalesce-writes.ts). A URL
 * naming several nodes (amqp-url.ts) reconnects to the next node each time.
 */
export async function connectAmqp(
  url: string,
  options: { name: string; logger: Logger; setup: (model: ChannelModel) => Promise<void> },
): Promise<RecoveringChannelModel> {
  const connection = await amqp.connect(amqpConnectTarget(url), {
    clientProperties: { connection_name: options.name },
    recovery: {
      initialDelay: 100,
      maxDelay: 5_000,
      maxRetries: Infinity,
      initialMaxRetries: 20,
      setup: async (model: ChannelModel) => {
        // Before anything of the session is written: its frames then leave a tick at a time.
        const socket = socketOf(model);
        if (socket) coalesceWrites(socket);
        await options.setup(model);
      },
    },
  });
  connection.on('disconnect', (error: Error) => options.logger.warn({ err: error.message }, 'amqp disconnected; reconnecting'));
  connection.on('connect', () => options.logger.info('amqp connected'));
  connection.on('error', (error: Error) => options.logger.warn({ err: error.message }, 'amqp connection error'));
  return connection;
}
