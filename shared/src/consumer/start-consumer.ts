/**
 * Starts a service's consumer: declares its queues, consumes with a bounded prefetch, and
 * processes messages concurrently across aggregates but one at a time per aggregate. On
 * connection loss amqplib reconnects and `setup` runs again: topology re-declared, consuming
 * resumed. Unacked messages of the lost channel are redelivered by the broker; the inbox turns
 * a redelivery of something already committed into a no-op.
 */
import type { ConfirmChannel, ConsumeMessage, RecoveringChannelModel } from 'amqplib';
import { connectAmqp } from '../amqp/connect.ts';
import { declareServiceQueue, ownedQueueNames, UNROUTED_QUEUE } from '../amqp/topology.ts';
import { prepareServiceQueue } from '../amqp/queue-migration.ts';
import { sweepParked } from './parking.ts';
import { describeError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { SqlTransaction } from '../outbox/sql-client.ts';
import { readEnvelope, type DeliveryContext, type Outcome } from './handle-delivery.ts';
import { handleBatch, type Delivery } from './handle-batch.ts';
import { BatchScheduler } from './batch-scheduler.ts';
import { afterCommitRunner } from './apply-steps.ts';
import { withPreviousVersions, type EventHandler } from './handler.ts';
import type { PublisherCheck } from './publisher-check.ts';
import type { Envelope } from '../envelope.ts';

export interface ConsumerOptions<Tx extends SqlTransaction> {
  amqpUrl: string;
  /** The service's queue; also its name in inbox rows. */
  queue: string;
  /** CloudEvents source for events the handlers publish. */
  source: string;
  handlers: readonly EventHandler<Tx>[];
  transaction: <R>(work: (tx: Tx) => Promise<R>) => Promise<R>;
  /** The database outside a transaction: handlers with a one-statement form apply a lone message through it. */
  statements?: SqlTransaction;
  /** Plain-`pg` transactions for messages whose handlers are all `sqlOnly` (see handler.ts). */
  sqlTransaction?: <R>(work: (tx: SqlTransaction) => Promise<R>) => Promise<R>;
  retryDelaysMs: readonly number[];
  prefetch?: number;
  /** Most messages applied in one transaction (1: one at a time). */
  batchSize?: number;
  /** Batches (transactions) running at once; each holds a pooled connection. */
  concurrency?: number;
  logger: Logger;
  /** When set, only events from the broker user that owns their type are applied. */
  verifyPublisher?: PublisherCheck;
  /**
   * Runs first in every batch's transaction, given the batch's messages: a service whose
   * handlers move rows shared between messages (a product's stock) locks them here in one
   * sorted statement, so two batches never take them in opposite orders and deadlock. A lone
   * message needs none (it takes its rows in one statement or transaction of its own).
   */
  lockBatchRows?: (tx: SqlTransaction, envelopes: readonly Envelope[]) => Promise<void>;
  /** Observes every batch of two or more: its size, committed or split (metrics, tests). */
  onBatch?: (size: number, committed: boolean) => void;
  /** Observes every outcome (metrics, tests). */
  onOutcome?: (outcome: Outcome, message: ConsumeMessage) => void;
  /** How often a paused consumer asks whether its database answers again. */
  outageProbeMs?: number;
  /** How often parked messages are looked after (unsent after a crash, or waiting too long). */
  parkedSweepMs?: number;
}

/** A head waits at most its whole retry budget, and a margin for the queue in front of it. */
export const parkedMaxWaitMs = (retryDelaysMs: readonly number[]) => retryDelaysMs.reduce((sum, delay) => sum + delay, 0) + 10 * 60_000;

export interface RunningConsumer {
  connection: RecoveringChannelModel;
  /** Messages waiting in the service queue, its retry queues, its DLQ and events.unrouted (for alerts). */
  queueDepths(): Promise<Record<string, number>>;
  /** Messages this consumer holds: being applied, or waiting for a batch. */
  held(): number;
  stop(): Promise<void>;
}

export async function startConsumer<Tx extends SqlTransaction>(options: ConsumerOptions<Tx>): Promise<RunningConsumer> {
  const context: DeliveryContext<Tx> = {
    queue: options.queue,
    source: options.source,
    retryDelaysMs: options.retryDelaysMs,
    handlers: new Map(withPreviousVersions(options.handlers).map((handler) => [handler.definition.type, handler])),
    transaction: options.transaction,
    sqlTransaction: options.sqlTransaction,
    statements: options.statements,
    logger: options.logger,
    verifyPublisher: options.verifyPublisher,
    onBatch: options.onBatch,
    lockBatchRows: options.lockBatchRows,
    runAfterCommit: afterCommitRunner(options.logger),
  };
  type Held = Delivery & { key: string; channel: ConfirmChannel };
  const report = (outcome: Outcome, message: ConsumeMessage) => options.onOutcome?.(outcome, message);
  const batches = new BatchScheduler<Held>({
    maxBatch: options.batchSize ?? 50,
    concurrency: options.concurrency ?? 2,
    keyOf: (held) => held.key,
    compatible: (first, held) => first.channel === held.channel,
    run: (batch) => handleBatch(context, batch[0]!.channel, batch, report),
  });
  let stopping = false;
  let current: ConfirmChannel | null = null;
  let consumerTag: string | null = null;
  let paused = false;

  const beginConsuming = async (channel: ConfirmChannel) => {
    const { consumerTag: tag } = await channel.consume(options.queue, (message) => {
      if (!message) return; // cancelled by the broker (queue deleted): recovery re-declares it
      // Stopping: left unacked, so closing the channel gives it back in its place, after what
      // this instance still applies (cancelling first would hand the queue to the standby while
      // an earlier event of the same aggregate is still being applied here).
      if (stopping) return;
      const envelope = readEnvelope(message);
      // Serialized per aggregate; unreadable messages each on their own.
      const key = envelope instanceof Error ? `invalid:${message.fields.deliveryTag}` : envelope.subject;
      batches.add({ message, envelope, key, channel });
    });
    consumerTag = tag;
  };

  const databaseAnswers = () => context.transaction(async (tx) => tx.$queryRawUnsafe('SELECT 1')).then(() => true, () => false);
  /**
   * The service's own database is down: a message is not at fault, so none should spend its
   * retries. Consuming stops (what is queued stays queued, what returns from a retry queue waits
   * there) until the database answers, then resumes. What was already in hand retries as usual.
   */
  context.onOutage = async () => {
    if (paused || stopping) return;
    paused = true; // before the probe: failures arriving meanwhile do not start a second one
    if (await databaseAnswers()) {
      paused = false; // something else is down: the message retries as usual
      return;
    }
    options.logger.warn('database unreachable: consuming paused until it answers');
    if (current && consumerTag) await current.cancel(consumerTag).catch(() => undefined);
    consumerTag = null;
    while (!stopping && !(await databaseAnswers())) await new Promise((resolve) => setTimeout(resolve, options.outageProbeMs ?? 1_000));
    paused = false;
    if (current && !stopping) await beginConsuming(current).catch(() => undefined); // a lost channel resumes on recovery
    options.logger.warn('database answers again: consuming resumed');
  };

  const connection = await connectAmqp(options.amqpUrl, {
    name: `consumer-${options.queue}-${process.pid}`,
    logger: options.logger,
    setup: async (model) => {
      const service = { queue: options.queue, eventTypes: [...context.handlers.keys()], retryDelaysMs: options.retryDelaysMs };
      await prepareServiceQueue(model, service, options.logger);
      const channel = await model.createConfirmChannel();
      channel.on('error', (error: Error) => options.logger.warn({ err: error.message }, 'consumer channel error'));
      channel.on('close', () => {
        if (current === channel) current = null;
        batches.discard((held) => held.channel === channel);
      });
      current = channel;
      await declareServiceQueue(channel, service);
      await channel.prefetch(options.prefetch ?? 32);
      if (stopping || paused) return;
      await beginConsuming(channel);
    },
  });

  const maxWaitMs = parkedMaxWaitMs(options.retryDelaysMs);
  const sweeper = setInterval(() => {
    if (!current || stopping) return;
    // Parking is plain SQL: the cheaper transaction when the service has one (this runs every few seconds).
    sweepParked(context.sqlTransaction ?? context.transaction, { queue: options.queue, channel: current, self: options.verifyPublisher?.self }, maxWaitMs)
      .then(({ sent, givenUp }) => {
        if (sent > 0 || givenUp.length > 0) options.logger.warn({ sent, givenUp }, 'parked messages swept');
      })
      .catch((error: unknown) => options.logger.debug({ err: describeError(error) }, 'parked sweep failed; next time'));
  }, options.parkedSweepMs ?? 5_000);
  sweeper.unref();

  const watched = [...ownedQueueNames(options.queue, options.retryDelaysMs), UNROUTED_QUEUE];
  return {
    connection,
    async queueDepths() {
      const channel = await connection.createChannel();
      channel.on('error', () => undefined);
      try {
        const depths: Record<string, number> = {};
        for (const queue of watched) depths[queue] = (await channel.checkQueue(queue)).messageCount;
        return depths;
      } finally {
        await channel.close().catch(() => undefined);
      }
    },
    held: () => batches.size,
    async stop() {
      stopping = true;
      clearInterval(sweeper);
      await batches.drain();
      await connection.close().catch(() => undefined);
    },
  };
}
