/**
 * Starts one service: its HTTP app, its consumer and any background jobs, and stops them in
 * reverse order on SIGTERM/SIGINT (in-flight messages finish, then connections close).
 */
import type { Server } from 'node:http';
import type Router from '@koa/router';
import type { Logger } from '../logger.ts';
import type { SqlTransaction } from '../outbox/sql-client.ts';
import type { EventHandler } from '../consumer/handler.ts';
import type { Envelope } from '../envelope.ts';
import { startConsumer } from '../consumer/start-consumer.ts';
import { createApp } from '../http/create-app.ts';
import { eventsRouter } from '../http/events-router.ts';
import { createMetrics, registerBatchSizes, registerOutboxLag, registerQueueDepths, type ServiceMetrics } from '../metrics.ts';
import { outboxLag } from '../outbox/outbox-lag.ts';
import type { InternalAuthOptions } from '../http/internal-auth.ts';
import { MESSAGING_PRUNE_BATCH, pruneMessaging, type MessagingRetention } from '../outbox/retention.ts';
import { startPeriodicJob } from './periodic-job.ts';
import { startTracing, stopTracing } from '../telemetry/tracing.ts';
import { amqpUsername } from '../amqp/amqp-url.ts';
import { dlqRouter } from '../dlq/dlq-router.ts';

export interface ServiceDatabase<Tx extends SqlTransaction> extends SqlTransaction {
  $disconnect(): Promise<void>;
  transaction<R>(work: (tx: Tx) => Promise<R>): Promise<R>;
  /** A transaction for work written in SQL alone: on plain `pg`, far cheaper than Prisma's. */
  sql<R>(work: (tx: SqlTransaction) => Promise<R>): Promise<R>;
}

export interface BackgroundJob {
  stop(): Promise<void>;
}

export interface ServiceDefinition<Tx extends SqlTransaction> {
  name: string;
  host: string;
  port: number;
  amqpUrl: string;
  logger: Logger;
  db: ServiceDatabase<Tx>;
  routers: Router[];
  handlers: readonly EventHandler<Tx>[];
  retryDelaysMs: readonly number[];
  prefetch: number;
  /** Most messages per transaction, and transactions at once (the consumer's defaults when unset). */
  batchSize?: number;
  concurrency?: number;
  /** Every route but /health and /ready answers only calls signed by another service. */
  internalAuth: InternalAuthOptions;
  /** Accept an event only when the broker-validated publisher owns its type. */
  verifyPublisher: boolean;
  startBackground?: () => BackgroundJob[];
  /** How long outbox and inbox rows are kept (none: kept for ever, as in the backbone's tests). */
  retention?: MessagingRetention & { sweepMs: number };
  /** Locks a consumer batch's shared rows first, sorted (see ConsumerOptions.lockBatchRows). */
  lockBatchRows?: (tx: SqlTransaction, envelopes: readonly Envelope[]) => Promise<void>;
  /** The service's metrics, when it registers some of its own (made here otherwise). */
  metrics?: ServiceMetrics;
}

export interface RunningService {
  port: number;
  stop(): Promise<void>;
}

export async function runService<Tx extends SqlTransaction>(service: ServiceDefinition<Tx>): Promise<RunningService> {
  await startTracing(service.name);
  const metrics = service.metrics ?? createMetrics(service.name);
  let brokerConnected = service.handlers.length === 0;
  const handledTypes = new Set(service.handlers.map((handler) => handler.definition.type));
  registerOutboxLag(metrics.registry, async () => [{ lag: await outboxLag(service.db) }]);
  const consumer =
    service.handlers.length > 0
      ? await startConsumer<Tx>({
          amqpUrl: service.amqpUrl,
          queue: service.name,
          source: `/services/${service.name}`,
          handlers: service.handlers,
          transaction: (work) => service.db.transaction(work),
          sqlTransaction: (work) => service.db.sql(work),
          statements: service.db,
          retryDelaysMs: service.retryDelaysMs,
          prefetch: service.prefetch,
          ...(service.batchSize ? { batchSize: service.batchSize } : {}),
          ...(service.concurrency ? { concurrency: service.concurrency } : {}),
          ...(service.verifyPublisher ? { verifyPublisher: { self: amqpUsername(service.amqpUrl) || 'guest' } } : {}),
          logger: service.logger,
          onBatch: registerBatchSizes(metrics),
          ...(service.lockBatchRows ? { lockBatchRows: service.lockBatchRows } : {}),
          // Labels from a closed set: a type this service has no handler for is `other`.
          onOutcome: (outcome, message) => metrics.messages.inc({ event_type: handledTypes.has(String(message.properties.type)) ? String(message.properties.type) : 'other', outcome }),
        })
      : null;
  if (consumer) {
    registerQueueDepths(metrics, () => consumer.queueDepths());
    brokerConnected = true;
    consumer.connection.on('connect', () => (brokerConnected = true));
    consumer.connection.on('disconnect', () => (brokerConnected = false));
  }
  const retention = service.retention;
  const background = [
    ...(service.startBackground?.() ?? []),
    ...(retention ? [startPeriodicJob('messaging-retention', retention.sweepMs, async () => {
      const pruned = await pruneMessaging(service.db, retention);
      return { more: Object.values(pruned).some((count) => count === MESSAGING_PRUNE_BATCH) };
    }, service.logger)] : []),
  ];
  const app = createApp({
    logger: service.logger,
    metrics,
    routers: [...service.routers, eventsRouter(service.name, service.db), ...(consumer ? [dlqRouter({ queue: service.name, connection: consumer.connection, db: service.db, logger: service.logger })] : [])],
    internalAuth: service.internalAuth,
    readiness: {
      database: async () => {
        await service.db.$queryRawUnsafe('SELECT 1');
      },
      broker: async () => {
        if (!brokerConnected) throw new Error('not connected');
      },
    },
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(service.port, service.host, () => resolve(listening));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : service.port;
  service.logger.info({ port }, `${service.name} service listening`);

  return {
    port,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(background.map((job) => job.stop()));
      await consumer?.stop();
      await service.db.$disconnect();
      await stopTracing();
    },
  };
}

/** For main.ts: run until a signal, then stop cleanly; crash loudly on a stray rejection. */
export function stopOnSignals(running: RunningService, logger: Logger): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('unhandledRejection', (error) => {
    logger.fatal({ err: error }, 'unhandled rejection');
    process.exit(1);
  });
}
