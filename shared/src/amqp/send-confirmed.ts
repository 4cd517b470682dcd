import type { ConfirmChannel, Options } from 'amqplib';

/** Sends straight to a queue (default exchange), persistent, and waits for the broker's confirm. */
export function sendConfirmed(channel: ConfirmChannel, queue: string, content: Buffer, properties: Options.Publish): Promise<void> {
  return new Promise((resolve, reject) => {
    channel.publish('', queue, content, { ...properties, persistent: true }, (error: unknown) => {
      if (error) reject(error instanceof Error ? error : new Error(`broker refused the message for ${queue}`, { cause: error }));
      else resolve();
    });
  });
}
