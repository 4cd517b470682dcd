import { z } from 'zod';
import { configParts, loadConfigOrExit } from '@platform/shared/config';
import { encryptNullable, fieldCipher, keyringSchema } from '@platform/shared/crypto/field-cipher';
import { SEALED_EMAIL } from '@platform/shared/events/catalog';
import { outboxPublisher } from '@platform/shared/outbox/write-events';
import { orderStore } from './data-access/order-store.ts';
import { overdueOrders } from './data-access/order-states.ts';
import { startDeadlineSweeper } from './entry-points/deadline-sweeper.ts';
import { internalFetch } from '@platform/shared/http/internal-auth';
import { createLogger } from '@platform/shared/logger';
import { baseServiceConfig, cipherFrom, dataProtectionConfig, runtimeFrom } from '@platform/shared/service/base-config';
import { runService, stopOnSignals } from '@platform/shared/service/run-service';
import { connectDatabase } from './data-access/database.ts';
import { inventoryCatalog } from './data-access/inventory-catalog.ts';
import { paymentIntents } from './data-access/payment-intents.ts';
import { orderHandlers } from './entry-points/messaging-handlers.ts';
import { orderRoutes } from './entry-points/http-routes.ts';
import { orderStatusCache } from './data-access/order-status-cache.ts';
import { sqlIdempotencyStore } from '@platform/shared/http/idempotency';
import { cachedIdempotencyStore, fastFailingRedis } from '@platform/shared/http/idempotency-cache';
import { startPeriodicJob } from '@platform/shared/service/periodic-job';
import { orderStateRoutes } from './entry-points/order-state-routes.ts';
import { dependencyBreakers, orderOutcomes } from './entry-points/order-metrics.ts';
import { createMetrics } from '@platform/shared/metrics';
import { primaryOnly, readRouting } from '@platform/shared/service/read-replica';

const config = loadConfigOrExit(baseServiceConfig.extend(dataProtectionConfig.shape).extend({ PAYMENT_CHOICE_KEYS: keyringSchema, INVENTORY_URL: z.string().url(), PAYMENT_URL: z.string().url(), REDIS_URL: z.string().url().optional(), ORDER_DEADLINE_MS: configParts.positiveInt.default(1_800_000), ORDER_DEADLINE_SWEEP_MS: configParts.positiveInt.default(30_000) }));
const logger = createLogger('order', config.LOG_LEVEL);
const db = connectDatabase(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
const cipher = cipherFrom(config);
// Shared with the payment service alone: what a customer pays with is sealed for it (payment-choice.ts).
const choices = fieldCipher(config.PAYMENT_CHOICE_KEYS, config.DATA_INDEX_KEY);
const signedFetch = internalFetch(config.INTERNAL_AUTH_SECRET, 'order');
const redis = config.REDIS_URL ? await fastFailingRedis(config.REDIS_URL, (message) => logger.warn({ err: message }, 'redis unavailable; idempotency replays and read routing use the database')) : undefined;
// Redis answers replays when configured; the database is the truth either way.
const idempotency = redis ? cachedIdempotencyStore(sqlIdempotencyStore(db, config.IDEMPOTENCY_RETENTION_HOURS), redis, 'order', config.IDEMPOTENCY_RETENTION_HOURS) : sqlIdempotencyStore(db, config.IDEMPOTENCY_RETENTION_HOURS);
// Order status reads may go to a replica; the writer's own reads wait for it to catch up.
const reads = config.DATABASE_READ_URL ? readRouting({ primary: db, replicaUrl: config.DATABASE_READ_URL, poolSize: config.DATABASE_POOL_SIZE, redis, logger }) : primaryOnly(db);
// Customers' status reads (GET /orders/:id), forgotten on every move this service commits.
const statusCache = orderStatusCache(redis);
const forget = (orderId: string) => void statusCache.forget(orderId);
const metrics = createMetrics('order');
const finished = orderOutcomes(metrics.registry);
const breakers = dependencyBreakers(metrics.registry);
const running = await runService({
  name: 'order',
  ...runtimeFrom(config),
  logger,
  metrics,
  db,
  routers: [orderRoutes({ db, reads, cipher, choices, catalog: inventoryCatalog(config.INVENTORY_URL, signedFetch, breakers('catalogue')), intents: paymentIntents(config.PAYMENT_URL, signedFetch, breakers('payment_intents')), idempotency, statusCache }), orderStateRoutes(db.client)],
  // Stored responses are kept 24 hours, then forgotten.
  startBackground: () => [
    { stop: () => reads.close() },
    startPeriodicJob('idempotency-retention', config.MESSAGING_RETENTION_SWEEP_MS, async () => ({ more: (await idempotency.prune(1_000)) === 1_000 }), logger),
    startDeadlineSweeper({
      overdue: (olderThan, limit) => overdueOrders(db, olderThan, limit),
      transaction: async (correlationId, work) => {
        const outcomes: Array<Parameters<typeof finished>> = [];
        const movedIds: string[] = [];
        await db.sql((tx) =>
          work({ store: orderStore(tx, cipher), publish: outboxPublisher(tx, { source: '/services/order', correlationId }), sealEmail: (email) => encryptNullable(cipher, email, SEALED_EMAIL), finished: (...outcome) => outcomes.push(outcome), moved: (orderId) => movedIds.push(orderId) }),
        );
        for (const outcome of outcomes) finished(...outcome); // committed
        movedIds.forEach(forget);
      },
      deadlineMs: config.ORDER_DEADLINE_MS,
      intervalMs: config.ORDER_DEADLINE_SWEEP_MS,
      logger,
    }),
  ],
  handlers: orderHandlers(cipher, finished, forget),
});
stopOnSignals(running, logger);
