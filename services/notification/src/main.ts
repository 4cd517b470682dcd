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
import { claimDueDeliveries, deliveryLog, pruneDeliveries, webhookStore } from './data-access/webhook-store.ts';
import { urlGuard } from './data-access/url-guard.ts';
import { webhookHttp } from './data-access/webhook-http.ts';
import { DAY_MS, DEFAULT_SCHEDULE_MS } from './domain/deliver-webhook.ts';
import { webhookRoutes } from './entry-points/webhook-routes.ts';
import { startWebhookSender } from './entry-points/webhook-sender.ts';

const config = loadConfigOrExit(
  baseServiceConfig.extend(dataProtectionConfig.shape).extend({
    /** smtp://host:port; without it notices are written to the log instead (development only). */
    SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL').optional(),
    NOTIFY_FROM: z.string().min(3).default('Platform <no-reply@platform.local>'),
    NOTICE_SEND_INTERVAL_MS: configParts.positiveInt.default(1_000),
    /** Longer than one SMTP attempt can take (the transport's timeouts are 5 + 10 s). */
    NOTICE_LEASE_MS: configParts.positiveInt.default(60_000),
    /** host:port pairs webhooks may reach although private or loopback (local receivers only). */
    WEBHOOK_ALLOWED_TARGETS: z.string().default('').transform((value) => value.split(',').map((entry) => entry.trim()).filter(Boolean)),
    WEBHOOK_TIMEOUT_MS: configParts.positiveInt.default(5_000),
    /** Comma-separated delays after each failed attempt (default: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h). */
    WEBHOOK_RETRY_SCHEDULE_MS: configParts.msList.optional(),
    WEBHOOK_GIVE_UP_AFTER_MS: configParts.positiveInt.default(DAY_MS),
    WEBHOOK_SEND_INTERVAL_MS: configParts.positiveInt.default(500),
  }),
);
const logger = createLogger('notification', config.LOG_LEVEL);
const db = connectDatabase(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
const cipher = cipherFrom(config);
const claims = noticeClaims(db, cipher);
const delivery: DeliveryServices = {
  ...claims,
  transport: config.SMTP_URL ? smtpTransport(config.SMTP_URL, config.NOTIFY_FROM) : logTransport(logger),
  transaction: (work, cause) =>
    db.sql((tx) => work({ store: notificationStore(tx, cipher), publish: outboxPublisher(tx, { source: '/services/notification', ...(cause ? { cause: { id: cause.eventId, correlationid: cause.correlationId, traceparent: '' } } : {}) }) })),
  now: () => new Date(),
  leaseMs: config.NOTICE_LEASE_MS,
};
const webhooks = webhookStore(db.client, cipher);
// https only outside development; never a private, loopback or link-local address unless listed.
const guard = urlGuard({ allowHttp: config.NODE_ENV !== 'production', allowedTargets: config.WEBHOOK_ALLOWED_TARGETS });
const webhookServices = { store: webhooks, guard, http: webhookHttp(config.WEBHOOK_TIMEOUT_MS), scheduleMs: config.WEBHOOK_RETRY_SCHEDULE_MS ?? DEFAULT_SCHEDULE_MS, giveUpAfterMs: config.WEBHOOK_GIVE_UP_AFTER_MS, now: () => new Date() };
const running = await runService({
  name: 'notification',
  ...runtimeFrom(config),
  logger,
  db,
  routers: [notificationRoutes((orderId, customerId) => notificationsForOrder(db.client, cipher, orderId, customerId)), webhookRoutes({ store: webhooks, guard, deliveryLog: (endpointId) => deliveryLog(db.client, endpointId, 100) })],
  startBackground: () => [
    startNoticeSender(delivery, config.NOTICE_SEND_INTERVAL_MS, logger),
    ...startWebhookSender({
      services: webhookServices,
      claim: (limit, leaseMs, busy) => claimDueDeliveries(db, limit, leaseMs, busy),
      prune: () => pruneDeliveries(db.client),
      intervalMs: config.WEBHOOK_SEND_INTERVAL_MS,
      leaseMs: config.WEBHOOK_TIMEOUT_MS * 2,
      maxInFlight: 50,
      logger,
    }),
  ],
  handlers: notificationHandlers(cipher, (id) => deliverNoticeById(delivery, id)),
});
stopOnSignals(running, logger);
