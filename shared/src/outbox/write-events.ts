import { createEnvelope, type Cause, type Envelope, type NewEvent } from '../envelope.ts';
import { partitionOf } from './partition.ts';
import type { SqlTransaction } from './sql-client.ts';
import { UNCONSUMED_TYPES } from '../amqp/platform-topology.ts';

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
  const envelopes = envelopesOf(options)(events);
  await insertEnvelopes(tx, envelopes);
  return envelopes;
}

/** Envelopes for events of this source and cause, for a statement that writes them itself (`outboxInsert`). */
export function envelopesOf(options: WriteOptions): (events: readonly NewEvent[]) => Envelope[] {
  return (events) => events.map((event) => createEnvelope(options.source, event, options.cause, options.correlationId));
}

/** The outbox rows for envelopes already made (a batch of handlers writes all of theirs at once). */
export async function insertEnvelopes(tx: SqlTransaction, envelopes: readonly Envelope[]): Promise<void> {
  if (envelopes.length === 0) return;
  const insert = outboxInsert(envelopes, 1);
  await tx.$executeRawUnsafe(`WITH announced AS (${insert.sql} ${OUTBOX_RETURNING}) SELECT ${WAKE_RELAY}`, ...insert.values);
}

/**
 * The INSERT of these envelopes' outbox rows, for a statement that embeds it (as a CTE) to write
 * its own rows and its events at once; its parameters are numbered from `$first`. The embedding
 * statement also calls `pg_notify('outbox', '')` when it wrote rows, to wake the relay.
 */
export function outboxInsert(envelopes: readonly Envelope[], first: number): { sql: string; values: unknown[] } {
  const at = (offset: number) => `$${first + offset}`;
  return {
    sql: `INSERT INTO outbox (event_id, aggregate_id, partition_key, exchange, routing_key, envelope, published_at)
       SELECT event_id, aggregate_id, partition_key, exchange, routing_key, envelope, CASE WHEN routed THEN NULL ELSE now() END
       FROM unnest(${at(0)}::uuid[], ${at(1)}::text[], ${at(2)}::smallint[], ${at(3)}::text[], ${at(4)}::text[], ${at(5)}::text[], ${at(6)}::boolean[])
         AS row_values(event_id, aggregate_id, partition_key, exchange, routing_key, envelope, routed)`,
    values: [
      envelopes.map((envelope) => envelope.id),
      envelopes.map((envelope) => envelope.subject),
      envelopes.map((envelope) => partitionOf(envelope.subject)),
      envelopes.map(() => EVENTS_EXCHANGE),
      envelopes.map((envelope) => envelope.type),
      envelopes.map((envelope) => JSON.stringify(envelope)),
      envelopes.map((envelope) => !UNCONSUMED_TYPES.has(envelope.type)),
    ],
  };
}

/**
 * What an embedding statement's outbox CTE returns (`announced AS (… ${OUTBOX_RETURNING})`) and
 * the select-list item that wakes the relay at commit only if it wrote a row the relay must send.
 */
export const OUTBOX_RETURNING = 'RETURNING published_at IS NULL AS unsent';
export const WAKE_RELAY = "(SELECT pg_notify('outbox', '') FROM announced WHERE unsent LIMIT 1)";

/**
 * Collects the events of several handlers in one transaction and writes them in one statement
 * (`flush`, before commit). The outbox's seq order is the order they were published in.
 */
export function bufferedOutbox(tx: SqlTransaction) {
  const envelopes: Envelope[] = [];
  return {
    publisher: (options: WriteOptions) => async (events: readonly NewEvent[]) => {
      envelopes.push(...envelopesOf(options)(events));
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
