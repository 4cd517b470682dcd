/**
 * The messaging tables do not grow for ever: published outbox rows are deleted after their
 * retention (the relay never needs them again; the timeline reads them until then), inbox rows
 * after theirs (far beyond any redelivery: retries end within the hour and a replayed dead letter
 * was never applied, so it has no inbox row to miss). Small batches, so a large backlog never
 * holds long locks; unpublished rows are never touched.
 */
import type { SqlTransaction } from './sql-client.ts';

export interface MessagingRetention {
  outboxHours: number;
  inboxHours: number;
}

const BATCH = 1_000;

/** One round: at most a batch of each; returns how many rows went. */
export async function pruneMessaging(db: Pick<SqlTransaction, '$executeRawUnsafe'>, retention: MessagingRetention): Promise<{ outbox: number; inbox: number }> {
  const outbox = await db.$executeRawUnsafe(
    `DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE published_at IS NOT NULL AND published_at < now() - make_interval(secs => $1::double precision * 3600) ORDER BY published_at LIMIT ${BATCH})`,
    retention.outboxHours,
  );
  const inbox = await db.$executeRawUnsafe(
    `DELETE FROM inbox WHERE (consumer, message_id) IN (SELECT consumer, message_id FROM inbox WHERE processed_at < now() - make_interval(secs => $1::double precision * 3600) ORDER BY processed_at LIMIT ${BATCH})`,
    retention.inboxHours,
  );
  return { outbox, inbox };
}

export const MESSAGING_PRUNE_BATCH = BATCH;
