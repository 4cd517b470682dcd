import type { SqlTransaction } from '../outbox/sql-client.ts';

/**
 * Records that `consumer` is applying `messageId`, inside the handler's transaction.
 * Returns false when the row already exists, i.e. the message was applied before: the
 * caller acks and skips. A concurrent duplicate waits on the key until the first one
 * commits (then it is skipped) or rolls back (then it applies).
 */
export async function recordInInbox(tx: SqlTransaction, consumer: string, messageId: string, eventType: string): Promise<boolean> {
  const inserted = await tx.$executeRawUnsafe(
    'INSERT INTO inbox (consumer, message_id, event_type) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
    consumer,
    messageId,
    eventType,
  );
  return inserted === 1;
}
