import { loadConfigOrExit } from '@platform/shared/config';
import { createLogger } from '@platform/shared/logger';
import { baseServiceConfig, cipherFrom, dataProtectionConfig, runtimeFrom } from '@platform/shared/service/base-config';
import { runService, stopOnSignals } from '@platform/shared/service/run-service';
import { connectDatabase } from './data-access/database.ts';
import { logTransport } from './data-access/log-transport.ts';
import { notificationHandlers } from './entry-points/messaging-handlers.ts';
import { notificationRoutes } from './entry-points/http-routes.ts';
import { notificationsForOrder } from './data-access/notification-queries.ts';

const config = loadConfigOrExit(baseServiceConfig.extend(dataProtectionConfig.shape));
const logger = createLogger('notification', config.LOG_LEVEL);
const db = connectDatabase(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
const cipher = cipherFrom(config);
const running = await runService({
  name: 'notification',
  ...runtimeFrom(config),
  logger,
  db,
  routers: [notificationRoutes((orderId, customerId) => notificationsForOrder(db.client, cipher, orderId, customerId))],
  handlers: notificationHandlers(logTransport(logger), cipher),
});
stopOnSignals(running, logger);
