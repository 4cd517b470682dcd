import { z } from 'zod';
import { loadConfigOrExit } from '@platform/shared/config';
import { internalFetch } from '@platform/shared/http/internal-auth';
import { createLogger } from '@platform/shared/logger';
import { baseServiceConfig, cipherFrom, dataProtectionConfig, runtimeFrom } from '@platform/shared/service/base-config';
import { runService, stopOnSignals } from '@platform/shared/service/run-service';
import { connectDatabase } from './data-access/database.ts';
import { inventoryCatalog } from './data-access/inventory-catalog.ts';
import { paymentIntents } from './data-access/payment-intents.ts';
import { orderHandlers } from './entry-points/messaging-handlers.ts';
import { orderRoutes } from './entry-points/http-routes.ts';
import { sqlIdempotencyStore } from '@platform/shared/http/idempotency';
import { cachedIdempotencyStore, fastFailingRedis } from '@platform/shared/http/idempotency-cache';
import { startPeriodicJob } from '@platform/shared/service/periodic-job';
import { orderStateRoutes } from './entry-points/order-state-routes.ts';

const config = loadConfigOrExit(baseServiceConfig.extend(dataProtectionConfig.shape).extend({ INVENTORY_URL: z.string().url(), PAYMENT_URL: z.string().url(), REDIS_URL: z.string().url().optional() }));
const logger = createLogger('order', config.LOG_LEVEL);
const db = connectDatabase(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
const cipher = cipherFrom(config);
const signedFetch = internalFetch(config.INTERNAL_AUTH_SECRET, 'order');
// Redis answers replays when configured; the database is the truth either way.
const idempotency = config.REDIS_URL
  ? cachedIdempotencyStore(sqlIdempotencyStore(db), await fastFailingRedis(config.REDIS_URL, (message) => logger.warn({ err: message }, 'redis unavailable; idempotency replays read the database')), 'order')
  : sqlIdempotencyStore(db);
const running = await runService({
  name: 'order',
  ...runtimeFrom(config),
  logger,
  db,
  routers: [orderRoutes({ db, cipher, catalog: inventoryCatalog(config.INVENTORY_URL, signedFetch), intents: paymentIntents(config.PAYMENT_URL, signedFetch), idempotency }), orderStateRoutes(db.client)],
  // Stored responses are kept 24 hours, then forgotten.
  startBackground: () => [startPeriodicJob('idempotency-retention', 60_000, async () => ({ more: (await idempotency.prune(1_000)) === 1_000 }), logger)],
  handlers: orderHandlers(cipher),
});
stopOnSignals(running, logger);
