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

/**
 * Admission as CTEs of one statement, bound as $1 (the consumer) and $2..$5 (the messages' ids,
 * types, attempts and subjects, as arrays): `parked` lists those subjects that have something
 * parked, `recorded` the ids newly written to the inbox (of the others). Shared by this file and
 * one-statement.ts, so the two admissions cannot drift apart (`MESSAGES_AND_PARKED`: the first two).
 */
export const MESSAGES_AND_PARKED = `m AS (SELECT * FROM unnest($2::text[], $3::text[], $4::smallint[], $5::text[]) AS m(message_id, event_type, attempt, subject)),
     parked AS (SELECT DISTINCT subject FROM parked_message WHERE consumer = $1 AND subject IN (SELECT subject FROM m))`;

export const ADMISSION = `${MESSAGES_AND_PARKED},
     recorded AS (
       INSERT INTO inbox (consumer, message_id, event_type, attempt)
       SELECT $1, message_id, event_type, attempt FROM m WHERE subject NOT IN (SELECT subject FROM parked)
       ON CONFLICT DO NOTHING RETURNING message_id)`;

/**
 * The common case of admission in one statement: of these messages, the ones whose subject has
 * nothing parked are recorded in the inbox; returned are the ids newly recorded (the others of
 * those were applied before) and the subjects that have something parked (their messages are
 * not recorded here: the caller takes them through the parking rules one by one).
 */
export async function recordUnparkedInInbox(
  tx: SqlTransaction,
  consumer: string,
  messages: ReadonlyArray<{ id: string; type: string; attempt: number; subject: string }>,
): Promise<{ recorded: Set<string>; parkedSubjects: Set<string> }> {
  const rows = await tx.$queryRawUnsafe<Array<{ parked: boolean; value: string }>>(
    `WITH ${ADMISSION}
     SELECT true AS parked, subject AS value FROM parked UNION ALL SELECT false, message_id FROM recorded`,
    consumer,
    messages.map((message) => message.id),
    messages.map((message) => message.type),
    messages.map((message) => message.attempt),
    messages.map((message) => message.subject),
  );
  return {
    recorded: new Set(rows.filter((row) => !row.parked).map((row) => row.value)),
    parkedSubjects: new Set(rows.filter((row) => row.parked).map((row) => row.value)),
  };
}
