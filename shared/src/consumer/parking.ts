/**
 * Keeps one aggregate's events in order while one of them is being retried, without holding
 * back anyone else's. When a message fails and goes to a retry queue, it becomes its subject's
 * *head* (a `parked_message` row with no body). Until the head is applied or dead-lettered, the
 * subject's later messages are parked: their bodies go into rows behind it, and they are acked.
 * When the head leaves, the next row is sent back to the service queue and becomes the head in
 * flight; on arrival it is applied and the one after it is sent, and so on. A new message never
 * overtakes a parked one, since it parks behind whatever head its subject has.
 *
 * The queue has a single active consumer, so one process decides at a time; the rows make that
 * decision survive a crash or a hand-over to the standby instance. What a crash leaves unsent
 * (a head with a body) and what waits longer than the retry budget allows (a head whose message
 * the broker dead-lettered by itself after crash loops) is dealt with by `sweepParked`.
 *
 * Only ids, the event type and the body the consumer received are stored; nothing beyond what
 * the broker held already.
 */
import type { ConfirmChannel } from 'amqplib';
import { CLOUDEVENTS_CONTENT_TYPE, type Envelope } from '../envelope.ts';
import type { SqlTransaction } from '../outbox/sql-client.ts';
import { sendConfirmed } from '../amqp/send-confirmed.ts';
import { AUTHENTICATED_PUBLISHER_HEADER } from './publisher-check.ts';

interface Head {
  seq: bigint;
  message_id: string;
  event_type: string;
  content: string | null;
  publisher: string | null;
}

export type Admission = 'apply' | 'apply-and-release' | 'parked' | 'duplicate';

async function headOf(tx: SqlTransaction, consumer: string, subject: string): Promise<Head | undefined> {
  const rows = await tx.$queryRawUnsafe<Head[]>(
    'SELECT seq, message_id, event_type, content, publisher FROM parked_message WHERE consumer = $1 AND subject = $2 ORDER BY seq LIMIT 1',
    consumer,
    subject,
  );
  return rows[0];
}

/**
 * In the delivery's own transaction, before the inbox: may this message be applied now? A head
 * coming back leaves its row (undone with the transaction if the handler fails again).
 */
export async function admit(tx: SqlTransaction, consumer: string, envelope: Envelope, content: string, publisher: string | undefined): Promise<Admission> {
  const head = await headOf(tx, consumer, envelope.subject);
  if (!head) return 'apply';
  if (head.message_id === envelope.id) {
    await tx.$executeRawUnsafe('DELETE FROM parked_message WHERE seq = $1', head.seq);
    return 'apply-and-release';
  }
  const applied = await tx.$queryRawUnsafe<unknown[]>('SELECT 1 FROM inbox WHERE consumer = $1 AND message_id = $2', consumer, envelope.id);
  if (applied.length > 0) return 'duplicate';
  await tx.$executeRawUnsafe(
    'INSERT INTO parked_message (consumer, subject, message_id, event_type, content, publisher) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (consumer, message_id) DO NOTHING',
    consumer,
    envelope.subject,
    envelope.id,
    envelope.type,
    content,
    publisher ?? null,
  );
  return 'parked';
}

/** The message is going to a retry queue: its subject waits for it (first in line if nothing else is). */
export async function holdSubject(tx: SqlTransaction, consumer: string, envelope: Envelope): Promise<void> {
  // Not for a message applied meanwhile (a redelivery to the instance that took over the queue).
  await tx.$executeRawUnsafe(
    `INSERT INTO parked_message (consumer, subject, message_id, event_type) SELECT $1, $2, $3, $4
     WHERE NOT EXISTS (SELECT 1 FROM inbox WHERE consumer = $1 AND message_id = $3) ON CONFLICT (consumer, message_id) DO NOTHING`,
    consumer,
    envelope.subject,
    envelope.id,
    envelope.type,
  );
}

/** The message was dead-lettered: if its subject waited for it, it waits no longer. True when it did. */
export async function releaseSubject(tx: SqlTransaction, consumer: string, messageId: string): Promise<boolean> {
  return (await tx.$executeRawUnsafe('DELETE FROM parked_message WHERE consumer = $1 AND message_id = $2', consumer, messageId)) > 0;
}

export interface Resender {
  queue: string;
  channel: ConfirmChannel;
  /** This consumer's broker user: the copy vouches for the publisher it authenticated. */
  self?: string | undefined;
}

/**
 * Sends the subject's next parked message back to the service queue, if its turn has come (the
 * head still has its body). Sent first, then marked in flight: a crash between sends it twice,
 * and the inbox applies it once.
 */
export async function sendNextParked<Tx extends SqlTransaction>(transaction: <R>(work: (tx: Tx) => Promise<R>) => Promise<R>, to: Resender, subject: string): Promise<boolean> {
  const head = await transaction((tx) => headOf(tx, to.queue, subject));
  if (!head || head.content === null) return false;
  await sendConfirmed(to.channel, to.queue, Buffer.from(head.content), {
    messageId: head.message_id,
    type: head.event_type,
    contentType: CLOUDEVENTS_CONTENT_TYPE,
    headers: head.publisher ? { [AUTHENTICATED_PUBLISHER_HEADER]: head.publisher } : {},
    ...(to.self ? { userId: to.self } : {}),
  });
  await transaction(async (tx) => tx.$executeRawUnsafe('UPDATE parked_message SET content = NULL, parked_at = now() WHERE seq = $1', head.seq));
  return true;
}

/**
 * Every few seconds: heads a crash left unsent are sent; a head in flight for longer than the
 * whole retry budget (its message was dead-lettered by the broker, past the delivery limit, or
 * its release was lost in an outage) is given up so the subject moves on. Returns what it did.
 */
export async function sweepParked<Tx extends SqlTransaction>(
  transaction: <R>(work: (tx: Tx) => Promise<R>) => Promise<R>,
  to: Resender,
  maxWaitMs: number,
): Promise<{ sent: number; givenUp: string[] }> {
  const heads = await transaction(async (tx) =>
    tx.$queryRawUnsafe<Array<{ seq: bigint; subject: string; message_id: string; unsent: boolean; stale: boolean }>>(
      `SELECT seq, subject, message_id, unsent, stale FROM (
         SELECT DISTINCT ON (subject) seq, subject, message_id, content IS NOT NULL AS unsent,
                -- A head already applied (by another instance that took over the queue while this
                -- one recorded it as retried) would hold its subject for nothing: it goes at once.
                (parked_at < now() - make_interval(secs => $2::double precision / 1000)
                  OR EXISTS (SELECT 1 FROM inbox i WHERE i.consumer = $1 AND i.message_id = parked_message.message_id)) AS stale,
                parked_at < now() - interval '2 seconds' AS settled
           FROM parked_message WHERE consumer = $1 ORDER BY subject, seq) AS heads
       WHERE settled LIMIT 500`,
      to.queue,
      maxWaitMs,
    ),
  );
  const result = { sent: 0, givenUp: [] as string[] };
  for (const head of heads) {
    if (!head.unsent && !head.stale) continue;
    if (!head.unsent) {
      await transaction(async (tx) => tx.$executeRawUnsafe('DELETE FROM parked_message WHERE seq = $1', head.seq));
      result.givenUp.push(head.message_id);
    }
    if (await sendNextParked(transaction, to, head.subject)) result.sent += 1;
  }
  return result;
}
