/**
 * Several deliveries applied in one transaction: one statement for the parking check and the
 * multi-row inbox insert, every handler in arrival order, one multi-row outbox insert, one
 * commit — then every message acked. A transaction costs far more than the statements in it (see ../shared/MEASURED.md), so
 * under load a consumer applies what its prefetch window holds at the price of one.
 *
 * The batch is all or nothing. If it fails (one poison message, a deadlock, an outage), it is
 * rolled back and its messages go one at a time through `handleDelivery`, in arrival order, so
 * each gets exactly the single-message treatment: the poison one alone goes to a retry queue or
 * the DLQ, its subject's later messages park behind it, the others apply. A message that cannot
 * be applied at all (unreadable, unknown type, invalid data, unauthenticated publisher) never
 * joins a batch.
 */
import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import { AppError, describeError } from '../errors.ts';
import type { Envelope } from '../envelope.ts';
import { bufferedOutbox } from '../outbox/write-events.ts';
import type { SqlTransaction } from '../outbox/sql-client.ts';
import { handleDelivery, sendNextInLine, type DeliveryContext, type Outcome } from './handle-delivery.ts';
import type { EventHandler } from './handler.ts';
import { recordUnparkedInInbox } from './inbox.ts';
import { attemptOf } from './failure-headers.ts';
import { admitBehindParked, closingWork, handlerContext, resolveHandler, transactionFor } from './apply-steps.ts';
import { authenticatePublisher } from './publisher-check.ts';
import { consumerSpan, inSpan } from '../telemetry/tracing.ts';

export interface Delivery {
  message: ConsumeMessage;
  envelope: Envelope | AppError;
}

interface Ready {
  message: ConsumeMessage;
  envelope: Envelope;
  handler: EventHandler<SqlTransaction>;
  data: unknown;
  publisher: string | undefined;
}

type Report = (outcome: Outcome, message: ConsumeMessage) => void;

/** Settles every delivery: applied and acked, routed by `handleDelivery`, or (routing failed) given back. */
export async function handleBatch<Tx extends SqlTransaction>(context: DeliveryContext<Tx>, channel: ConfirmChannel, deliveries: readonly Delivery[], report: Report): Promise<void> {
  const handleAlone = async ({ message, envelope }: Delivery) => {
    try {
      await handleDelivery(context, channel, message, envelope, (outcome) => report(outcome, message));
    } catch (error) {
      // Neither applied nor routed (e.g. the broker refused the retry copy). Give it back now:
      // on a live channel an unsettled message would sit in flight for ever.
      context.logger.warn({ err: describeError(error) }, 'delivery not settled; requeued');
      try {
        channel.nack(message, false, true);
      } catch {
        // the channel is gone: the broker requeues everything it had in flight
      }
    }
  };
  const ready: Ready[] = [];
  const alone: Delivery[] = [];
  for (const delivery of deliveries) {
    const prepared = deliveries.length > 1 ? prepare(context, delivery) : undefined;
    if (prepared) ready.push(prepared);
    else alone.push(delivery);
  }
  for (const delivery of alone) await handleAlone(delivery);
  if (ready.length === 0) return;
  let applied: Awaited<ReturnType<typeof applyAll>>;
  try {
    applied = await applyAll(context, ready);
  } catch (error) {
    context.onBatch?.(ready.length, false);
    context.logger.info({ err: describeError(error), size: ready.length }, 'batch failed; applying its messages one at a time');
    for (const item of ready) await handleAlone(item);
    return;
  }
  context.onBatch?.(ready.length, true);
  // The effects are committed: acks lost with the channel mean redeliveries the inbox skips.
  try {
    for (const item of ready) channel.ack(item.message);
  } catch {
    // The channel closed: the broker redelivers and the inbox answers duplicate. What the
    // commit started still follows (after-commit work; the next parked messages, or the sweeper).
  }
  ready.forEach((item, index) => report(applied.outcomes[index]!, item.message));
  context.runAfterCommit(applied.committed);
  for (const subject of applied.released) await sendNextInLine(context, channel, subject);
}

/** What can be applied: a known type, valid data, an authenticated publisher. Anything else goes alone. */
function prepare<Tx extends SqlTransaction>(context: DeliveryContext<Tx>, { message, envelope }: Delivery): Ready | undefined {
  if (envelope instanceof AppError) return undefined;
  try {
    const publisher = context.verifyPublisher ? authenticatePublisher(envelope, message, context.verifyPublisher) : undefined;
    const { handler, data } = resolveHandler(context.handlers, context.queue, envelope);
    return { message, envelope, handler: handler as unknown as EventHandler<SqlTransaction>, data, publisher };
  } catch {
    return undefined;
  }
}

async function applyAll(context: DeliveryContext<SqlTransaction>, ready: readonly Ready[]) {
  const result = { outcomes: [] as Outcome[], released: new Set<string>(), committed: [] as (() => Promise<void>)[] };
  await transactionFor(context, ready.map((item) => item.handler))(async (tx) => {
    Object.assign(result, { outcomes: [], released: new Set(), committed: [] }); // a retried transaction starts over
    const outbox = bufferedOutbox(tx);
    const closing = closingWork();
    await context.lockBatchRows?.(tx, ready.map((item) => item.envelope));
    const { recorded, parkedSubjects } = await recordUnparkedInInbox(
      tx,
      context.queue,
      ready.map((item) => ({ id: item.envelope.id, type: item.envelope.type, attempt: attemptOf(item.message), subject: item.envelope.subject })),
    );
    for (const item of ready) {
      const { envelope } = item;
      if (parkedSubjects.has(envelope.subject)) {
        // Its subject waits for a message being retried: the single-message rules, in order.
        const admitted = await admitBehindParked(tx, context.queue, envelope, item.message.content.toString('utf8'), item.publisher, attemptOf(item.message));
        if (admitted.released) result.released.add(envelope.subject);
        if (admitted.admission !== 'apply') {
          result.outcomes.push(admitted.admission);
          continue;
        }
      } else if (!recorded.delete(envelope.id)) {
        result.outcomes.push('duplicate'); // applied before, or earlier in this batch
        continue;
      }
      await inSpan(`process ${envelope.type}`, consumerSpan(context.queue, item.message.properties.headers, envelope), () =>
        item.handler.handle(item.data, handlerContext(tx, envelope, (cause) => outbox.publisher({ source: context.source, cause }), (task) => result.committed.push(task), closing.add)),
      );
      result.outcomes.push('applied');
    }
    await closing.run();
    await outbox.flush();
  });
  return result;
}
