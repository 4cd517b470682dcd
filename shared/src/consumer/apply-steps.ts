/**
 * The steps of applying a message that the single-message path (handle-delivery.ts) and the
 * batch path (handle-batch.ts) share, so the two cannot drift apart.
 */
import { bulkhead, BulkheadRejectedError } from 'cockatiel';
import { parseEventData, type Cause, type Envelope } from '../envelope.ts';
import { AppError, describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { SqlTransaction } from '../outbox/sql-client.ts';
import type { EventHandler, HandlerContext } from './handler.ts';
import { recordInInbox, recordUnparkedInInbox } from './inbox.ts';
import { admit } from './parking.ts';
import { activeTraceparent } from '../telemetry/tracing.ts';

/** The handler for this type and the event's validated data; a validation error (DLQ) otherwise. */
export function resolveHandler<Tx extends SqlTransaction>(handlers: ReadonlyMap<string, EventHandler<Tx>>, queue: string, envelope: Envelope) {
  const handler = handlers.get(envelope.type);
  if (!handler) throw new AppError('validation', `no handler for ${envelope.type} in ${queue}`);
  return { handler, data: parseEventData(handler.definition, envelope) };
}

/**
 * In the message's transaction, in one statement when its subject has nothing parked (the common
 * case): the inbox (applied before?). Otherwise the parking rules decide first.
 */
export async function admitOnce(tx: SqlTransaction, queue: string, envelope: Envelope, content: string, publisher: string | undefined, attempt: number): Promise<Admitted> {
  const { recorded, parkedSubjects } = await recordUnparkedInInbox(tx, queue, [{ id: envelope.id, type: envelope.type, attempt, subject: envelope.subject }]);
  if (parkedSubjects.has(envelope.subject)) return admitBehindParked(tx, queue, envelope, content, publisher, attempt);
  return { admission: recorded.has(envelope.id) ? 'apply' : 'duplicate', released: false };
}

/**
 * Its subject has something parked: parking first (an earlier event of its subject is being
 * retried), then the inbox. `released`: it was its subject's head, the next may follow.
 */
export async function admitBehindParked(tx: SqlTransaction, queue: string, envelope: Envelope, content: string, publisher: string | undefined, attempt: number): Promise<Admitted> {
  const admission = await admit(tx, queue, envelope, content, publisher);
  const released = admission === 'apply-and-release';
  if (admission === 'parked' || admission === 'duplicate') return { admission, released };
  return { admission: (await recordInInbox(tx, queue, envelope.id, envelope.type, attempt)) ? 'apply' : 'duplicate', released };
}

interface Admitted {
  admission: 'apply' | 'parked' | 'duplicate';
  released: boolean;
}

/** The cause of events a handler of this message publishes. With tracing on, the consumer's span: work done after commit still hangs under it. */
export function causeOf(envelope: Envelope): Cause {
  return { id: envelope.id, correlationid: envelope.correlationid, traceparent: activeTraceparent() ?? envelope.traceparent };
}

/** What a handler is given: its transaction, and events it publishes caused by this one. */
export function handlerContext<Tx extends SqlTransaction>(
  tx: Tx,
  envelope: Envelope,
  publish: (cause: Cause) => HandlerContext<Tx>['publish'],
  afterCommit: HandlerContext<Tx>['afterCommit'],
  beforeCommit?: HandlerContext<Tx>['beforeCommit'],
): HandlerContext<Tx> {
  return { tx, envelope, publish: publish(causeOf(envelope)), afterCommit, ...(beforeCommit ? { beforeCommit } : {}) };
}

/**
 * Tasks handlers leave for the end of their transaction (`HandlerContext.beforeCommit`), run in
 * order. Made anew for every attempt at a transaction, so `add` also names the attempt: state a
 * handler keeps for it (keyed by `add`) never leaks into a retry.
 */
export function closingWork() {
  const tasks: (() => Promise<void>)[] = [];
  return {
    add: (task: () => Promise<void>) => void tasks.push(task),
    run: async () => {
      for (const task of tasks.splice(0)) await task();
    },
  };
}

/**
 * The transaction for these handlers: plain `pg` when every one needs only SQL (and the consumer
 * has such transactions), Prisma's otherwise. A `sqlOnly` handler accepts any `SqlTransaction`,
 * which is what makes handing it the plain one sound.
 */
export function transactionFor<Tx extends SqlTransaction>(
  context: { transaction: <R>(work: (tx: Tx) => Promise<R>) => Promise<R>; sqlTransaction?: (<R>(work: (tx: SqlTransaction) => Promise<R>) => Promise<R>) | undefined },
  handlers: readonly EventHandler<Tx>[],
): <R>(work: (tx: Tx) => Promise<R>) => Promise<R> {
  const { sqlTransaction } = context;
  if (!sqlTransaction || !handlers.every((handler) => handler.sqlOnly)) return context.transaction;
  return (work) => sqlTransaction((tx) => work(tx as Tx));
}

export type AfterCommitRunner = (tasks: readonly (() => Promise<void>)[]) => void;

/**
 * After-commit work (a gateway call, a send) runs outside the transaction a few at a time: a batch
 * of fifty payments must not start fifty gateway calls and a hundred transactions at once. Past
 * the queue it is left to its sweeper, exactly as a crash would leave it (the contract of
 * `afterCommit`), so nothing here grows without bound.
 */
export function afterCommitRunner(logger: Logger, limit = 8, queue = 1_000): AfterCommitRunner {
  const slots = bulkhead(limit, queue);
  return (tasks) => {
    for (const task of tasks) {
      slots.execute(task).catch((error: unknown) =>
        logger.warn({ err: describeError(error) }, error instanceof BulkheadRejectedError ? 'after-commit work left to its sweeper (too much queued)' : 'after-commit work failed; its sweeper finishes it'),
      );
    }
  };
}
