import { z } from 'zod';
import { loadConfigOrExit } from '@platform/shared/config';
import { createLogger } from '@platform/shared/logger';
import { baseServiceConfig, runtimeFrom } from '@platform/shared/service/base-config';
import { runService, stopOnSignals } from '@platform/shared/service/run-service';
import { connectDatabase } from './data-access/database.ts';
import { inventoryCatalog } from './data-access/inventory-catalog.ts';
import { orderHandlers } from './entry-points/messaging-handlers.ts';
import { orderRoutes } from './entry-points/http-routes.ts';

const config = loadConfigOrExit(baseServiceConfig.extend({ INVENTORY_URL: z.string().url() }));
const logger = createLogger('order', config.LOG_LEVEL);
const db = connectDatabase(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
const running = await runService({
  name: 'order',
  ...runtimeFrom(config),
  logger,
  db,
  routers: [orderRoutes(db, inventoryCatalog(config.INVENTORY_URL))],
  handlers: orderHandlers,
});
stopOnSignals(running, logger);
