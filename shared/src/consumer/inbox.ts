import type { SqlTransaction } from '../outbox/sql-client.ts';

/**
 * Records that `consumer` is applying `messageId`, inside the handler's transaction, with the
 * attempt that got it applied (1: the first; more: it was retried, which the console shows).
 * Returns false when the row already exists, i.e. the message was applied before: the
 * caller acks and skips. A concurrent duplicate waits on the key until the first one
 * commits (then it is skipped) or rolls back (then it applies).
 */
export async function recordInInbox(tx: SqlTransaction, consumer: string, messageId: string, eventType: string, attempt = 1): Promise<boolean> {
  const inserted = await tx.$executeRawUnsafe(
    'INSERT INTO inbox (consumer, message_id, event_type, attempt) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
    consumer,
    messageId,
    eventType,
    attempt,
  );
  return inserted === 1;
}

/** A batch's inbox rows in one statement: returns the ids newly recorded (the rest were applied before). */
export async function recordAllInInbox(tx: SqlTransaction, consumer: string, messages: ReadonlyArray<{ id: string; type: string; attempt: number }>): Promise<Set<string>> {
  if (messages.length === 0) return new Set();
  const rows = await tx.$queryRawUnsafe<Array<{ message_id: string }>>(
    `INSERT INTO inbox (consumer, message_id, event_type, attempt)
     SELECT $1, message_id, event_type, attempt FROM unnest($2::text[], $3::text[], $4::smallint[]) AS m(message_id, event_type, attempt)
     ON CONFLICT DO NOTHING RETURNING message_id`,
    consumer,
    messages.map((message) => message.id),
    messages.map((message) => message.type),
    messages.map((message) => message.attempt),
  );
  return new Set(rows.map((row) => row.message_id));
}
