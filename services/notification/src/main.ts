import { z } from 'zod';
import { configParts, loadConfigOrExit } from '@platform/shared/config';
import { createLogger } from '@platform/shared/logger';
import { outboxPublisher } from '@platform/shared/outbox/write-events';
import { baseServiceConfig, cipherFrom, dataProtectionConfig, runtimeFrom } from '@platform/shared/service/base-config';
import { runService, stopOnSignals } from '@platform/shared/service/run-service';
import { connectDatabase } from './data-access/database.ts';
import { logTransport } from './data-access/log-transport.ts';
import { smtpTransport } from './data-access/smtp-transport.ts';
import { noticeClaims } from './data-access/notice-claims.ts';
import { notificationStore } from './data-access/notification-store.ts';
import { notificationsForOrder } from './data-access/notification-queries.ts';
import { deliverNoticeById } from './domain/deliver-notice.ts';
import type { DeliveryServices } from './domain/ports.ts';
import { notificationHandlers } from './entry-points/messaging-handlers.ts';
import { notificationRoutes } from './entry-points/http-routes.ts';
import { startNoticeSender } from './entry-points/notice-sender.ts';

const config = loadConfigOrExit(
  baseServiceConfig.extend(dataProtectionConfig.shape).extend({
    /** smtp://host:port; without it notices are written to the log instead (development only). */
    SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional(),
    NOTIFY_FROM: z.string().min(3).default('Platform <no-reply@platform.local>'),
    NOTICE_SEND_INTERVAL_MS: configParts.positiveInt.default(1_000),
    /** Longer than one SMTP attempt can take (the transport's timeouts are 5 + 10 s). */
    NOTICE_LEASE_MS: configParts.positiveInt.default(60_000),
  }),
);
const logger = createLogger('notification', config.LOG_LEVEL);
const db = connectDatabase(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
const cipher = cipherFrom(config);
const claims = noticeClaims(db.client, cipher);
const delivery: DeliveryServices = {
  ...claims,
  transport: config.SMTP_URL ? smtpTransport(config.SMTP_URL, config.NOTIFY_FROM) : logTransport(logger),
  transaction: (work, cause) =>
    db.transaction((tx) => work({ store: notificationStore(tx, cipher), publish: outboxPublisher(tx, { source: '/services/notification', ...(cause ? { cause: { id: cause.eventId, correlationid: cause.correlationId, traceparent: '' } } : {}) }) })),
  now: () => new Date(),
  leaseMs: config.NOTICE_LEASE_MS,
};
const running = await runService({
  name: 'notification',
  ...runtimeFrom(config),
  logger,
  db,
  routers: [notificationRoutes((orderId, customerId) => notificationsForOrder(db.client, cipher, orderId, customerId))],
  startBackground: () => [startNoticeSender(delivery, config.NOTICE_SEND_INTERVAL_MS, logger)],
  handlers: notificationHandlers(cipher, (id) => deliverNoticeById(delivery, id)),
});
stopOnSignals(running, logger);
