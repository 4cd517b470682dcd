import { loadConfigOrExit } from '@platform/shared/config';
import { createLogger } from '@platform/shared/logger';
import { baseServiceConfig, runtimeFrom } from '@platform/shared/service/base-config';
import { runService, stopOnSignals } from '@platform/shared/service/run-service';
import { connectDatabase } from './data-access/database.ts';
import { ledgerHandlers } from './entry-points/messaging-handlers.ts';
import { ledgerRoutes } from './entry-points/http-routes.ts';
import { ledgerQueries } from './data-access/ledger-queries.ts';

const config = loadConfigOrExit(baseServiceConfig);
const logger = createLogger('ledger', config.LOG_LEVEL);
const db = connectDatabase(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
const running = await runService({
  name: 'ledger',
  ...runtimeFrom(config),
  logger,
  db,
  routers: [ledgerRoutes(ledgerQueries(db.client))],
  handlers: ledgerHandlers,
});
stopOnSignals(running, logger);
