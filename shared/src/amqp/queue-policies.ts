/**
 * Caps on the queues that only grow when something is wrong, applied as broker policies (they can
 * change on live queues; queue arguments cannot): `events.unrouted` keeps the newest 10,000
 * messages for a day (nothing is routed there now unless a binding is missing); each DLQ holds at
 * most 100,000 and then refuses more (never drops a dead letter: the failing consumer keeps the
 * message and its queue alerts through `queue_depth`).
 */
export interface QueuePolicy {
  name: string;
  pattern: string;
  definition: Record<string, string | number>;
}

export const QUEUE_POLICIES: readonly QueuePolicy[] = [
  { name: 'unrouted-cap', pattern: '^events\\.unrouted$', definition: { 'max-length': 10_000, overflow: 'drop-head', 'message-ttl': 86_400_000 } },
  { name: 'dlq-cap', pattern: '\\.dlq$', definition: { 'max-length': 100_000, overflow: 'reject-publish' } },
];
