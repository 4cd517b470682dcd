import { createEnvelope, type Cause, type Envelope, type NewEvent } from '../envelope.ts';
import { partitionOf } from './partition.ts';
import type { SqlTransaction } from './sql-client.ts';

export const EVENTS_EXCHANGE = 'events';

export interface WriteOptions {
  /** The CloudEvents `source` of the writing service, e.g. "/services/order". */
  source: string;
  /** The event being handled when these are written: sets causation and correlation. */
  cause?: Cause;
  /** Correlation id of the request when there is no causing event. */
  correlationId?: string;
}

/**
 * Writes events to the outbox inside the caller's transaction, so they are published if and
 * only if the transaction commits. One statement inserts every row and queues a NOTIFY,
 * which PostgreSQL delivers at commit (never for a rollback) to wake the relay.
 */
export async function writeEvents(tx: SqlTransaction, events: readonly NewEvent[], options: WriteOptions): Promise<Envelope[]> {
  const envelopes = events.map((event) => createEnvelope(options.source, event, options.cause, options.correlationId));
  await insertEnvelopes(tx, envelopes);
  return envelopes;
}

/** The outbox rows for envelopes already made (a batch of handlers writes all of theirs at once). */
export async function insertEnvelopes(tx: SqlTransaction, envelopes: readonly Envelope[]): Promise<void> {
  if (envelopes.length === 0) return;
  await tx.$executeRawUnsafe(
    `WITH inserted AS (
       INSERT INTO outbox (event_id, aggregate_id, partition_key, exchange, routing_key, envelope)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::smallint[], $4::text[], $5::text[], $6::text[])
       RETURNING 1)
     SELECT pg_notify('outbox', '') FROM (SELECT count(*) FROM inserted) AS written`,
    envelopes.map((envelope) => envelope.id),
    envelopes.map((envelope) => envelope.subject),
    envelopes.map((envelope) => partitionOf(envelope.subject)),
    envelopes.map(() => EVENTS_EXCHANGE),
    envelopes.map((envelope) => envelope.type),
    envelopes.map((envelope) => JSON.stringify(envelope)),
  );
}

/**
 * Collects the events of several handlers in one transaction and writes them in one statement
 * (`flush`, before commit). The outbox's seq order is the order they were published in.
 */
export function bufferedOutbox(tx: SqlTransaction) {
  const envelopes: Envelope[] = [];
  return {
    publisher: (options: WriteOptions) => async (events: readonly NewEvent[]) => {
      envelopes.push(...events.map((event) => createEnvelope(options.source, event, options.cause, options.correlationId)));
    },
    flush: () => insertEnvelopes(tx, envelopes.splice(0)),
  };
}

/** `publish` for a use case: writes its events into this transaction's outbox. */
export function outboxPublisher(tx: SqlTransaction, options: WriteOptions): (events: readonly NewEvent[]) => Promise<void> {
  return async (events) => {
    await writeEvents(tx, events, options);
  };
}
