import { z } from 'zod';
import { configParts, loadConfigOrExit } from '@platform/shared/config';
import { createLogger } from '@platform/shared/logger';
import { baseServiceConfig, runtimeFrom } from '@platform/shared/service/base-config';
import { runService, stopOnSignals } from '@platform/shared/service/run-service';
import { connectDatabase } from './data-access/database.ts';
import { inventoryHandlers } from './entry-points/messaging-handlers.ts';
import { lockBatchRows } from './data-access/batch-locks.ts';
import { inventoryRoutes } from './entry-points/http-routes.ts';
import { startReservationSweeper } from './entry-points/reservation-sweeper.ts';
import { fastFailingRedis } from '@platform/shared/http/idempotency-cache';
import { primaryOnly, readRouting } from '@platform/shared/service/read-replica';

const config = loadConfigOrExit(
  baseServiceConfig.extend({
    RESERVATION_HOLD_SECONDS: configParts.positiveInt.default(600),
    SWEEP_INTERVAL_MS: z.coerce.number().int().min(50).default(1_000),
    // Shares read-your-writes marks between instances when a read replica is used.
    REDIS_URL: z.string().url().optional(),
  }),
);
const logger = createLogger('inventory', config.LOG_LEVEL);
const db = connectDatabase(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
// Catalogue reads may go to a replica; a merchant's own new product is read from the primary until it has caught up.
const redis = config.DATABASE_READ_URL && config.REDIS_URL ? await fastFailingRedis(config.REDIS_URL, (message) => logger.warn({ err: message }, 'redis unavailable; catalogue reads use the primary')) : undefined;
const reads = config.DATABASE_READ_URL ? readRouting({ primary: db, replicaUrl: config.DATABASE_READ_URL, poolSize: config.DATABASE_POOL_SIZE, redis, logger }) : primaryOnly(db);
const running = await runService({
  name: 'inventory',
  ...runtimeFrom(config),
  logger,
  db,
  routers: [inventoryRoutes(db, reads, config.RESERVATION_HOLD_SECONDS)],
  handlers: inventoryHandlers(config.RESERVATION_HOLD_SECONDS),
  lockBatchRows,
  startBackground: () => [startReservationSweeper(db, config.SWEEP_INTERVAL_MS, logger), { stop: () => reads.close() }],
});
stopOnSignals(running, logger);
