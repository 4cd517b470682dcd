import { z } from 'zod';
import { configParts, loadConfigOrExit } from '@platform/shared/config';
import { createLogger } from '@platform/shared/logger';
import { baseServiceConfig, runtimeFrom } from '@platform/shared/service/base-config';
import { runService, stopOnSignals } from '@platform/shared/service/run-service';
import { connectDatabase } from './data-access/database.ts';
import { inventoryHandlers } from './entry-points/messaging-handlers.ts';
import { inventoryRoutes } from './entry-points/http-routes.ts';
import { startReservationSweeper } from './entry-points/reservation-sweeper.ts';

const config = loadConfigOrExit(
  baseServiceConfig.extend({
    RESERVATION_HOLD_SECONDS: configParts.positiveInt.default(600),
    SWEEP_INTERVAL_MS: z.coerce.number().int().min(50).default(1_000),
  }),
);
const logger = createLogger('inventory', config.LOG_LEVEL);
const db = connectDatabase(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
const running = await runService({
  name: 'inventory',
  ...runtimeFrom(config),
  logger,
  db,
  routers: [inventoryRoutes(db, config.RESERVATION_HOLD_SECONDS)],
  handlers: inventoryHandlers(config.RESERVATION_HOLD_SECONDS),
  startBackground: () => [startReservationSweeper(db, config.SWEEP_INTERVAL_MS, logger)],
});
stopOnSignals(running, logger);
