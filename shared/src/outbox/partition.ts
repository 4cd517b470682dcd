/**
 * Outbox rows are spread over a fixed number of partitions by a hash of their aggregate id.
 * A relay owns a partition for the length of one claim, so one aggregate's events are only
 * ever published by one relay at a time, in seq order. Changing the count while rows are
 * pending could reorder an aggregate's pending events: drain the outbox first.
 */
export const OUTBOX_PARTITIONS = 32;

/** FNV-1a, 32 bit: stable across processes and versions, unlike anything seeded. */
export function partitionOf(aggregateId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < aggregateId.length; i++) {
    hash ^= aggregateId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % OUTBOX_PARTITIONS;
}
