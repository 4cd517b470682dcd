/**
 * What happens to one delivery, as wrappers in a fixed order:
 *   log context → failure routing (ack / retry queue / DLQ) → validation → publisher check →
 *   transaction → parking (an earlier event of the same aggregate is being retried) → inbox → handler.
 * A handler with a one-statement form does parking check, inbox and its change in one statement
 * instead (one-statement.ts), and falls back to the transaction when its subject has something parked.
 * The message is acked only after its effect committed, or after a copy was confirmed into a
 * retry queue or the DLQ. If anything in between dies, the broker redelivers it and the inbox
 * makes the second application a no-op.
 */
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { parseEnvelope, type Envelope } from '../envelope.ts';
import { AppError, describeError, isAppError, isPermanent } from '../errors.ts';
import { isDependencyOutage } from '../dependency-outage.ts';
import { withLogContext, type Logger } from '../logger.ts';
import { outboxPublisher } from '../outbox/write-events.ts';
import type { SqlTransaction } from '../outbox/sql-client.ts';
import { dlqName, retryQueueName } from '../amqp/topology.ts';
import { RETRY_JITTER_FLOOR } from '../amqp/platform-topology.ts';
import { sendConfirmed } from '../amqp/send-confirmed.ts';
import { applyInOneStatement } from './one-statement.ts';
import { holdSubject, releaseSubject, sendNextParked } from './parking.ts';
import { admitOnce, closingWork, handlerContext, resolveHandler, transactionFor, type AfterCommitRunner } from './apply-steps.ts';
import { attemptIn, attemptOf, carriedHeaders, HEADERS, truncateReason, type FailureKind } from './failure-headers.ts';
import type { EventHandler } from './handler.ts';
import { consumerSpan, inSpan } from '../telemetry/tracing.ts';
import { AUTHENTICATED_PUBLISHER_HEADER, authenticatePublisher, type PublisherCheck } from './publisher-check.ts';

export interface DeliveryContext<Tx extends SqlTransaction> {
  queue: string;
  source: string;
  retryDelaysMs: readonly number[];
  handlers: ReadonlyMap<string, EventHandler<Tx>>;
  transaction: <R>(work: (tx: Tx) => Promise<R>) => Promise<R>;
  /** The database outside a transaction, for handlers with a one-statement form (one-statement.ts). */
  statements?: SqlTransaction | undefined;
  /** Plain-`pg` transactions, for messages whose handlers are all `sqlOnly`. */
  sqlTransaction?: (<R>(work: (tx: SqlTransaction) => Promise<R>) => Promise<R>) | undefined;
  logger: Logger;
  /** When set, only events from the broker user that owns their type are applied. */
  verifyPublisher?: PublisherCheck | undefined;
  /** Told when a message failed because a dependency is down (the consumer may pause). */
  onOutage?: () => Promise<void>;
  /** Starts work handlers asked for after their commit (bounded; see apply-steps.ts). */
  runAfterCommit: AfterCommitRunner;
  /** Told of every batch of two or more: its size, and whether it committed or was split up. */
  onBatch?: (size: number, committed: boolean) => void;
  /** Locks a batch's shared rows first, in one order (see ConsumerOptions). */
  lockBatchRows?: ((tx: SqlTransaction, envelopes: readonly Envelope[]) => Promise<void>) | undefined;
}

export type Outcome = 'applied' | 'duplicate' | 'parked' | 'retried' | 'dead-lettered';

export async function handleDelivery<Tx extends SqlTransaction>(
  context: DeliveryContext<Tx>,
  channel: ConfirmChannel,
  message: ConsumeMessage,
  envelope: Envelope | AppError,
  /** Told the outcome as soon as the message is settled, before the follow-up (sending its subject's next parked message). */
  settled: (outcome: Outcome) => void = () => undefined,
): Promise<Outcome> {
  const messageId = message.properties.messageId as string | undefined;
  const logFields = envelope instanceof AppError ? { messageId } : { messageId: envelope.id, eventType: envelope.type, correlationId: envelope.correlationid };
  return withLogContext(logFields, async () => {
    let applied: { outcome: Outcome; released: boolean };
    let publisher: string | undefined;
    try {
      if (envelope instanceof AppError) throw envelope;
      if (context.verifyPublisher) publisher = authenticatePublisher(envelope, message, context.verifyPublisher);
      applied = await applyOnce(context, envelope, message.content.toString('utf8'), publisher, message.properties.headers);
    } catch (error) {
      return routeFailure(context, channel, message, envelope, error, publisher, settled);
    }
    // Outside the try: an ack lost with its channel is not a handler failure. The effect is
    // committed; the broker redelivers and the inbox skips it.
    channel.ack(message);
    context.logger.debug({ outcome: applied.outcome }, 'message handled');
    settled(applied.outcome);
    if (applied.released && !(envelope instanceof AppError)) await sendNextInLine(context, channel, envelope.subject);
    return applied.outcome;
  });
}

/** Parses the body up front so the caller can order work by aggregate (subject). */
export function readEnvelope(message: ConsumeMessage): Envelope | AppError {
  try {
    return parseEnvelope(message.content);
  } catch (error) {
    return isAppError(error) ? error : new AppError('validation', describeError(error));
  }
}

async function applyOnce<Tx extends SqlTransaction>(context: DeliveryContext<Tx>, envelope: Envelope, content: string, publisher: string | undefined, headers: Record<string, unknown> | undefined): Promise<{ outcome: Outcome; released: boolean }> {
  const { handler, data } = resolveHandler(context.handlers, context.queue, envelope);
  if (handler.inOneStatement && context.statements) {
    const { statements } = context;
    const planOf = handler.inOneStatement;
    const outcome = await inSpan(`process ${envelope.type}`, consumerSpan(context.queue, headers, envelope), () =>
      applyInOneStatement(statements, context, envelope, attemptIn(headers), planOf, data, context.runAfterCommit),
    );
    // Its subject waits for a retried message, or its plan did not apply: a transaction decides.
    if (outcome !== 'parked' && outcome !== 'unchanged') return { outcome, released: false };
  }
  const committed: (() => Promise<void>)[] = [];
  let released = false;
  const outcome = await transactionFor(context, [handler])(async (tx) => {
    committed.length = 0; // a retried transaction starts over
    const closing = closingWork(); // one per attempt: what a failed one left is dropped with it
    const admitted = await admitOnce(tx, context.queue, envelope, content, publisher, attemptIn(headers));
    released = admitted.released;
    if (admitted.admission !== 'apply') return admitted.admission;
    await inSpan(`process ${envelope.type}`, consumerSpan(context.queue, headers, envelope), () =>
      handler.handle(data, handlerContext(tx, envelope, (cause) => outboxPublisher(tx, { source: context.source, cause }), (task) => committed.push(task), closing.add)),
    );
    await closing.run();
    return 'applied' as const;
  });
  context.runAfterCommit(committed);
  return { outcome, released };
}

/** The subject's next parked message, if any, goes back to the queue; on failure the sweeper sends it. */
export async function sendNextInLine<Tx extends SqlTransaction>(context: DeliveryContext<Tx>, channel: ConfirmChannel, subject: string): Promise<void> {
  await sendNextParked(context.transaction, { queue: context.queue, channel, self: context.verifyPublisher?.self }, subject).catch((error: unknown) =>
    context.logger.warn({ err: describeError(error), subject }, 'parked message not sent back yet; the sweeper will'),
  );
}

async function routeFailure<Tx extends SqlTransaction>(
  context: DeliveryContext<Tx>,
  channel: ConfirmChannel,
  message: ConsumeMessage,
  envelope: Envelope | AppError,
  error: unknown,
  publisher: string | undefined,
  settled: (outcome: Outcome) => void,
): Promise<Outcome> {
  const subjectOf = envelope instanceof AppError ? undefined : envelope;
  const attempt = attemptOf(message);
  const properties = republished(context, message, publisher);
  const reason = truncateReason(describeError(error));
  const invalid = isAppError(error) && error.kind === 'validation';
  const retryDelay = context.retryDelaysMs[attempt - 1];
  if (isDependencyOutage(error)) void context.onOutage?.();
  if (!isPermanent(error) && retryDelay !== undefined) {
    context.logger.warn({ attempt, retryInMs: retryDelay, reason }, 'handler failed; retrying later');
    // Jittered below the queue's TTL, so messages that failed together (an outage) come back spread out.
    // The aggregate's later events wait for this one. If the database is what failed, they cannot
    // be held back: they fail too and retry on their own schedule.
    if (subjectOf) await context.transaction((tx) => holdSubject(tx, context.queue, subjectOf)).catch(() => undefined);
    const expiration = String(Math.round(retryDelay * (RETRY_JITTER_FLOOR + (1 - RETRY_JITTER_FLOOR) * Math.random())));
    await sendConfirmed(channel, retryQueueName(context.queue, retryDelay), message.content, { ...properties, expiration, headers: carriedHeaders(properties, message, context.queue, { [HEADERS.attempt]: attempt + 1, [HEADERS.failureReason]: reason }) });
    channel.ack(message);
    settled('retried');
    return 'retried';
  }
  const kind: FailureKind = invalid ? 'invalid' : isAppError(error) && error.kind === 'unauthorized' ? 'unauthenticated' : isPermanent(error) ? 'permanent' : 'retries-exhausted';
  context.logger.error({ attempt, kind, reason }, 'message dead-lettered');
  await sendConfirmed(channel, dlqName(context.queue), message.content, {
    ...properties,
    headers: carriedHeaders(properties, message, context.queue, {
      [HEADERS.attempt]: attempt,
      [HEADERS.failureReason]: reason,
      [HEADERS.failureKind]: kind,
      [HEADERS.failedAt]: new Date().toISOString(),
    }),
  });
  channel.ack(message);
  settled('dead-lettered');
  if (subjectOf && (await context.transaction((tx) => releaseSubject(tx, context.queue, subjectOf.id)).catch(() => false))) {
    await sendNextInLine(context, channel, subjectOf.subject);
  }
  return 'dead-lettered';
}

/**
 * Properties for this consumer's own copy (retry queue or DLQ): published under its own broker
 * user, vouching for the publisher it validated, and for nothing when it validated none.
 */
function republished<Tx extends SqlTransaction>(context: DeliveryContext<Tx>, message: ConsumeMessage, publisher: string | undefined): ConsumeMessage['properties'] {
  const headers = { ...message.properties.headers };
  delete headers[AUTHENTICATED_PUBLISHER_HEADER];
  if (publisher) headers[AUTHENTICATED_PUBLISHER_HEADER] = publisher;
  const properties = { ...message.properties, headers };
  delete properties.userId;
  if (context.verifyPublisher) properties.userId = context.verifyPublisher.self;
  return properties;
}
