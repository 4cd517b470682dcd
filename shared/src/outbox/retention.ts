/**
 * The messaging tables do not grow for ever: published outbox rows leave after their retention
 * (the relay never needs them again), moved in the same statement into `event_history`, the
 * timeline's own compact record (routing fields dropped, card tokens, payment choices and
 * e-mail addresses taken out of the data), which is kept far longer and then deleted too; inbox
 * rows go after theirs (far beyond any redelivery: retries end within the hour and a replayed
 * dead letter was never applied, so it has no inbox row to miss). Small batches, so a large
 * backlog never holds long locks; unpublished rows are never touched.
 */
import type { SqlTransaction } from './sql-client.ts';

export interface MessagingRetention {
  outboxHours: number;
  inboxHours: number;
  /** How long the timeline's event history is kept (default 400 days). */
  historyDays?: number;
}

/** Keys of event data the history never keeps (the timeline shows them redacted from the outbox). */
export const REDACTED_DATA_KEYS = ['cardToken', 'customerEmail', 'customerEmailSealed', 'paymentChoiceSealed'] as const;

/** Event data as shown to people (the timeline, the console's DLQ view): those keys redacted. */
export function redactEventData(data: unknown): unknown {
  if (!data || typeof data !== 'object' || Array.isArray(data)) return data;
  const redacted: readonly string[] = REDACTED_DATA_KEYS;
  return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, redacted.includes(key) && value !== null ? '[redacted]' : value]));
}
const REDACTED_ARRAY = `ARRAY[${REDACTED_DATA_KEYS.map((key) => `'${key}'`).join(', ')}]::text[]`;

const BATCH = 1_000;

/** One round: at most a batch of each; returns how many rows went. */
export async function pruneMessaging(db: Pick<SqlTransaction, '$executeRawUnsafe'>, retention: MessagingRetention): Promise<{ outbox: number; inbox: number; history: number }> {
  const outbox = await db.$executeRawUnsafe(
    `WITH moved AS (
       DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE published_at IS NOT NULL AND published_at < now() - make_interval(secs => $1::double precision * 3600) ORDER BY published_at LIMIT ${BATCH})
       RETURNING event_id, aggregate_id, routing_key, envelope::jsonb AS envelope, created_at, published_at)
     INSERT INTO event_history (event_id, aggregate_id, type, time, causation_id, correlation_id, published_at, data)
     SELECT event_id, aggregate_id, COALESCE(envelope->>'type', routing_key), COALESCE((envelope->>'time')::timestamptz, created_at),
            envelope->>'causationid', COALESCE(envelope->>'correlationid', ''), published_at,
            COALESCE(CASE WHEN jsonb_typeof(envelope->'data') = 'object' THEN (envelope->'data') - ${REDACTED_ARRAY} ELSE envelope->'data' END, 'null'::jsonb)::text
       FROM moved
     ON CONFLICT (event_id) DO NOTHING`,
    retention.outboxHours,
  );
  const inbox = await db.$executeRawUnsafe(
    `DELETE FROM inbox WHERE (consumer, message_id) IN (SELECT consumer, message_id FROM inbox WHERE processed_at < now() - make_interval(secs => $1::double precision * 3600) ORDER BY processed_at LIMIT ${BATCH})`,
    retention.inboxHours,
  );
  const history = await db.$executeRawUnsafe(
    `DELETE FROM event_history WHERE event_id IN (SELECT event_id FROM event_history WHERE time < now() - make_interval(days => $1::int) ORDER BY time LIMIT ${BATCH})`,
    retention.historyDays ?? 400,
  );
  return { outbox, inbox, history };
}

export const MESSAGING_PRUNE_BATCH = BATCH;
