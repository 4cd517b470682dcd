/**
 * A queue's arguments cannot change in place: the broker refuses a declaration that differs
 * from the queue it has. Service queues declared before they had a single active consumer are
 * replaced here, but only when nothing can be lost: the queue and its retry queues are empty
 * (a retry copy dead-lettered back into a queue that does not exist for a moment would be
 * dropped). Otherwise the process does not start its consumer and says why; an operator lets the
 * previous version drain it first. An event published in the instant between the delete and the
 * new bindings goes to `events.unrouted`, where it is kept (not dropped): upgrade with the relays
 * stopped and nothing is there. Test brokers are recreated by `pnpm test` anyway.
 */
import type { ChannelModel } from 'amqplib';
import type { Logger } from '../logger.ts';
import { EVENTS_EXCHANGE } from '../outbox/write-events.ts';
import { retryQueueName, SERVICE_QUEUE_ARGUMENTS, type ServiceQueue } from './topology.ts';

const isInequivalent = (error: unknown) => error instanceof Error && /PRECONDITION_FAILED - inequivalent arg/.test(error.message);

type Model = Pick<ChannelModel, 'createChannel'>;

export async function prepareServiceQueue(model: Model, service: ServiceQueue, logger: Logger): Promise<void> {
  const probe = await model.createChannel();
  probe.on('error', () => undefined); // a refused declaration closes the probe channel, nothing else
  try {
    await probe.assertQueue(service.queue, { durable: true, arguments: SERVICE_QUEUE_ARGUMENTS });
    await probe.close();
    return;
  } catch (error) {
    if (!isInequivalent(error)) throw error;
  }
  const channel = await model.createChannel();
  channel.on('error', () => undefined);
  const names = [service.queue, ...new Set(service.retryDelaysMs)].map((item) => (typeof item === 'number' ? retryQueueName(service.queue, item) : item));
  for (const name of names) {
    const { messageCount } = await channel.checkQueue(name).catch(() => ({ messageCount: 0 }));
    if (messageCount > 0) {
      await channel.close().catch(() => undefined);
      throw new Error(`queue ${service.queue} predates its single active consumer and ${name} still holds ${messageCount} messages: let the previous version drain it, then start this one`);
    }
  }
  await channel.deleteQueue(service.queue, { ifEmpty: true });
  await channel.assertQueue(service.queue, { durable: true, arguments: SERVICE_QUEUE_ARGUMENTS });
  for (const eventType of service.eventTypes) await channel.bindQueue(service.queue, EVENTS_EXCHANGE, eventType);
  await channel.close();
  logger.warn({ queue: service.queue }, 'service queue redeclared with a single active consumer (it was empty)');
}
