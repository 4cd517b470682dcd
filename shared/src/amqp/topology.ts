/**
 * The broker topology, declared idempotently by every process that uses it (and exported to
 * rabbitmq/definitions.json). Events go to one topic exchange keyed by event type; each
 * consuming service has its own quorum queue bound to the types it handles, a retry queue per
 * delay step (TTL, then dead-lettered back to the service queue), and a dead-letter queue.
 */
import type { Channel } from 'amqplib';
import { EVENTS_EXCHANGE } from '../outbox/write-events.ts';

export const UNROUTED_EXCHANGE = 'events.unrouted';
export const UNROUTED_QUEUE = 'events.unrouted';

export interface ServiceQueue {
  /** Queue name; also the consumer's name in its inbox rows. */
  queue: string;
  /** Event types (routing keys) the service handles. */
  eventTypes: readonly string[];
  /** Types it no longer handles: their bindings are removed from a broker that still has them. */
  retiredEventTypes?: readonly string[];
  /** Delay before each retry; a message is tried `retryDelaysMs.length + 1` times in all. */
  retryDelaysMs: readonly number[];
}

export const dlqName = (queue: string) => `${queue}.dlq`;
export const retryQueueName = (queue: string, delayMs: number) => `${queue}.retry.${delayMs}ms`;
/** Every queue a service owns: its own, its DLQ and one retry queue per distinct delay. */
export const ownedQueueNames = (queue: string, retryDelaysMs: readonly number[]) => [queue, dlqName(queue), ...[...new Set(retryDelaysMs)].map((delay) => retryQueueName(queue, delay))];

/** Quorum queues: measured here to confirm persistent publishes several times faster than classic. */
export const QUORUM = { 'x-queue-type': 'quorum' } as const;
/**
 * A service queue has one active consumer at a time (the broker hands it to a standby instance
 * when the active one goes): with two instances of a service, one aggregate's events are still
 * applied in the order they were routed. Instances scale the HTTP side; the active one applies
 * events concurrently across aggregates, one at a time per aggregate.
 */
export const SERVICE_QUEUE_ARGUMENTS = { ...QUORUM, 'x-single-active-consumer': true } as const;

/**
 * A retry queue holds a message for its delay (a TTL), then dead-letters it back to the service
 * queue through the default exchange. Quorum, with at-least-once dead-lettering: a classic queue
 * dead-letters at most once, and was seen dropping a message that expired while the broker node
 * restarted (the chaos run). At-least-once requires `reject-publish` overflow; there is no
 * length limit, so nothing is rejected.
 */
export function retryQueueArguments(queue: string, delayMs: number) {
  return {
    ...QUORUM,
    'x-message-ttl': delayMs,
    'x-dead-letter-exchange': '',
    'x-dead-letter-routing-key': queue,
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  } as const;
}

export async function declareEventsExchange(channel: Channel): Promise<void> {
  // Anything no queue is bound for is kept, not dropped: a missing binding is a bug to see.
  await channel.assertExchange(UNROUTED_EXCHANGE, 'fanout', { durable: true });
  await channel.assertQueue(UNROUTED_QUEUE, { durable: true, arguments: QUORUM });
  await channel.bindQueue(UNROUTED_QUEUE, UNROUTED_EXCHANGE, '');
  await channel.assertExchange(EVENTS_EXCHANGE, 'topic', { durable: true, alternateExchange: UNROUTED_EXCHANGE });
}

export async function declareServiceQueue(channel: Channel, service: ServiceQueue): Promise<void> {
  await declareEventsExchange(channel);
  await channel.assertQueue(service.queue, { durable: true, arguments: SERVICE_QUEUE_ARGUMENTS });
  await channel.assertQueue(dlqName(service.queue), { durable: true, arguments: QUORUM });
  for (const delayMs of new Set(service.retryDelaysMs)) {
    await channel.assertQueue(retryQueueName(service.queue, delayMs), { durable: true, arguments: retryQueueArguments(service.queue, delayMs) });
  }
  for (const eventType of service.eventTypes) {
    await channel.bindQueue(service.queue, EVENTS_EXCHANGE, eventType);
  }
  for (const eventType of service.retiredEventTypes ?? []) {
    await channel.unbindQueue(service.queue, EVENTS_EXCHANGE, eventType);
  }
}
