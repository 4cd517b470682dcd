/**
 * A queue's arguments cannot change in place: the broker refuses a declaration that differs
 * from the queue it has. Queues declared by an earlier version (service queues before they had a
 * single active consumer, classic retry queues before they were quorum) are replaced here, but
 * only when nothing can be lost: every queue to replace is empty. Otherwise the process does not
 * start its consumer and says why; an operator lets the previous version drain them first. An
 * event published in the instant between a service queue's delete and its new bindings goes to
 * `events.unrouted`, where it is kept (not dropped): upgrade with the relays stopped and nothing
 * is there. Test brokers are recreated by `pnpm test` anyway.
 */
import type { ChannelModel } from 'amqplib';
import type { Logger } from '../logger.ts';
import { EVENTS_EXCHANGE } from '../outbox/write-events.ts';
import { retryQueueArguments, retryQueueName, SERVICE_QUEUE_ARGUMENTS, type ServiceQueue } from './topology.ts';

const isInequivalent = (error: unknown) => error instanceof Error && /PRECONDITION_FAILED - inequivalent arg/.test(error.message);

type Model = Pick<ChannelModel, 'createChannel'>;

/** Whether the broker's queue of that name was declared with other arguments. */
async function declaredOtherwise(model: Model, name: string, args: Record<string, unknown>): Promise<boolean> {
  const probe = await model.createChannel();
  probe.on('error', () => undefined); // a refused declaration closes the probe channel, nothing else
  try {
    await probe.assertQueue(name, { durable: true, arguments: args });
    await probe.close();
    return false;
  } catch (error) {
    if (isInequivalent(error)) return true;
    throw error;
  }
}

export async function prepareServiceQueue(model: Model, service: ServiceQueue, logger: Logger): Promise<void> {
  const wanted: Array<[string, Record<string, unknown>]> = [
    [service.queue, SERVICE_QUEUE_ARGUMENTS],
    ...[...new Set(service.retryDelaysMs)].map((delay): [string, Record<string, unknown>] => [retryQueueName(service.queue, delay), retryQueueArguments(service.queue, delay)]),
  ];
  const stale: typeof wanted = [];
  for (const [name, args] of wanted) if (await declaredOtherwise(model, name, args)) stale.push([name, args]);
  if (stale.length === 0) return;

  const channel = await model.createChannel();
  channel.on('error', () => undefined);
  for (const [name] of stale) {
    const { messageCount } = await channel.checkQueue(name);
    if (messageCount > 0) {
      await channel.close().catch(() => undefined);
      throw new Error(`queue ${name} was declared by an earlier version and still holds ${messageCount} messages: let that version drain it, then start this one`);
    }
  }
  for (const [name, args] of stale) {
    await channel.deleteQueue(name, { ifEmpty: true });
    await channel.assertQueue(name, { durable: true, arguments: args });
    if (name === service.queue) for (const eventType of service.eventTypes) await channel.bindQueue(name, EVENTS_EXCHANGE, eventType);
    logger.warn({ queue: name }, 'queue redeclared with its current arguments (it was empty)');
  }
  await channel.close();
}
