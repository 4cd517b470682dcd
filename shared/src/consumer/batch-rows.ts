/**
 * For `lockBatchRows` (ConsumerOptions): the ids a batch's messages name in one field, so a
 * service can lock the rows they lead to in one sorted statement. Only well-formed UUIDs are
 * returned: the lock statement casts them, and a malformed one must not fail a whole batch.
 */
import type { Envelope } from '../envelope.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function uuidsNamed(envelopes: readonly Envelope[], field: string, ofType?: string): string[] {
  return envelopes.flatMap((envelope) => {
    if (ofType !== undefined && envelope.type !== ofType) return [];
    const value = (envelope.data as Record<string, unknown> | null)?.[field];
    return typeof value === 'string' && UUID.test(value) ? [value] : [];
  });
}
