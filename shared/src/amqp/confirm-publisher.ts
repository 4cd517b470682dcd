import { once } from 'node:events';
import type { ConfirmChannel, Options } from 'amqplib';
import type { RecoveringChannelModel } from 'amqplib';
import { connectAmqp } from './connect.ts';
import { prepareServiceQueue } from './queue-migration.ts';
import { declareEventsExchange, declareServiceQueue, type ServiceQueue } from './topology.ts';
import type { Logger } from '../logger.ts';

export interface OutgoingMessage {
  exchange: string;
  routingKey: string;
  body: Buffer;
  options: Options.Publish;
}

/**
 * Publishes with publisher confirms on the current channel of a recovering connection.
 * `publishAll` pipelines the whole batch and waits for the broker's confirms once; it
 * rejects if any message is nacked or the channel dies, so the caller can retry the batch.
 */
export class ConfirmPublisher {
  private channel: ConfirmChannel | null = null;
  private waiting: Array<() => void> = [];

  private constructor(private readonly logger: Logger) {}

  /** `queues`: service queues to declare (with their bindings) before anything is published. */
  static async connect(
    url: string,
    name: string,
    logger: Logger,
    queues: readonly ServiceQueue[] = [],
  ): Promise<{ publisher: ConfirmPublisher; connection: RecoveringChannelModel }> {
    const publisher = new ConfirmPublisher(logger);
    const connection = await connectAmqp(url, {
      name,
      logger,
      setup: async (model) => {
        for (const queue of queues) await prepareServiceQueue(model, queue, logger);
        const channel = await model.createConfirmChannel();
        await declareEventsExchange(channel);
        for (const queue of queues) await declareServiceQueue(channel, queue);
        channel.on('close', () => {
          if (publisher.channel === channel) publisher.channel = null;
        });
        channel.on('error', (error: Error) => logger.warn({ err: error.message }, 'publisher channel error'));
        publisher.channel = channel;
        for (const wake of publisher.waiting.splice(0)) wake();
      },
    });
    return { publisher, connection };
  }

  get ready(): boolean {
    return this.channel !== null;
  }

  /** Resolves when a channel is available (after a reconnect), or rejects after `timeoutMs`. */
  async currentChannel(timeoutMs = 10_000): Promise<ConfirmChannel> {
    if (this.channel) return this.channel;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no AMQP channel available')), timeoutMs);
      this.waiting.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return this.currentChannel(timeoutMs);
  }

  /**
   * Pipelines the whole batch and resolves once the broker confirmed every message of it
   * (only its own: batches of concurrent callers share the channel without waiting on each
   * other). Rejects on any nack or if the channel dies, so the caller retries the batch.
   */
  async publishAll(messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const channel = await this.currentChannel();
    const confirms: Array<Promise<void>> = [];
    for (const message of messages) {
      let hasRoom = true;
      const confirmed = new Promise<void>((resolve, reject) => {
        hasRoom = channel.publish(message.exchange, message.routingKey, message.body, message.options, (error: unknown) =>
          error ? reject(new Error('broker did not confirm a message', { cause: error })) : resolve(),
        );
      });
      confirmed.catch(() => undefined); // observed by Promise.all below; never an unhandled rejection meanwhile
      confirms.push(confirmed);
      if (!hasRoom) await drainedOrClosed(channel);
    }
    await Promise.all(confirms);
    this.logger.trace({ count: messages.length }, 'batch confirmed');
  }
}

/** Backpressure: wait for the socket to drain, but give up if the channel dies meanwhile. */
async function drainedOrClosed(channel: ConfirmChannel): Promise<void> {
  const closed = once(channel, 'close').then(() => {
    throw new Error('channel closed while waiting to publish');
  });
  closed.catch(() => undefined);
  await Promise.race([once(channel, 'drain'), closed]);
}
