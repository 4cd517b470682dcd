/**
 * Caps on the queues that only grow when something is wrong, applied as broker policies (they can
 * change on live queues; queue arguments cannot): `events.unrouted` keeps the newest 10,000
 * messages for a day (nothing is routed there now unless a binding is missing); each DLQ holds at
 * most 100,000 and then refuses more (never drops a dead letter: the failing consumer keeps the
 * message and its queue alerts through `queue_messages`, shared/src/metrics.ts). Each service queue has a delivery limit:
 * a message that crashes its consumer's process (so it is never acked, nacked or retried) is
 * redelivered at most that many times, then dead-lettered to the service's DLQ by the broker.
 */
import { dlqName } from './topology.ts';
import { PLATFORM_QUEUES } from './platform-topology.ts';

/** Redeliveries a quorum queue allows before the broker dead-letters a message (crashes, not errors). */
export const DELIVERY_LIMIT = 20;
export interface QueuePolicy {
  name: string;
  pattern: string;
  definition: Record<string, string | number>;
}

/** A service queue's policy: delivery limit, and where the broker sends a message that passed it. */
export function deliveryLimitPolicy(queue: string, limit = DELIVERY_LIMIT): QueuePolicy {
  return {
    name: `${queue}-delivery-limit`,
    pattern: `^${queue.replace(/[.]/g, '\\.')}$`,
    // At-least-once: the broker keeps the message until the DLQ confirms it (it needs reject-publish; no length limit is set).
    definition: { 'delivery-limit': limit, 'dead-letter-exchange': '', 'dead-letter-routing-key': dlqName(queue), 'dead-letter-strategy': 'at-least-once', overflow: 'reject-publish' },
  };
}

export const QUEUE_POLICIES: readonly QueuePolicy[] = [
  ...PLATFORM_QUEUES.map((service) => deliveryLimitPolicy(service.queue)),
  { name: 'unrouted-cap', pattern: '^events\\.unrouted$', definition: { 'max-length': 10_000, overflow: 'drop-head', 'message-ttl': 86_400_000 } },
  { name: 'dlq-cap', pattern: '\\.dlq$', definition: { 'max-length': 100_000, overflow: 'reject-publish' } },
];
