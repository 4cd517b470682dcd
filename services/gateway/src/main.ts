/** The single entry point (port 8080): rate limit, then route each path to its service. */
import type { Server } from 'node:http';
import type { Middleware } from 'koa';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { configParts, loadConfigOrExit } from '@platform/shared/config';
import { createLogger } from '@platform/shared/logger';
import { createApp } from '@platform/shared/http/create-app';
import { proxy } from './proxy.ts';
import { rateLimit } from './rate-limit.ts';
import { timelineRouter } from './timeline.ts';

const url = z.string().url();
const config = loadConfigOrExit(
  z.object({
    PORT: configParts.port.default(8080),
    LOG_LEVEL: configParts.logLevel,
    REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
    RATE_LIMIT_PER_SECOND: configParts.positiveInt.default(200),
    ORDER_URL: url,
    INVENTORY_URL: url,
    PAYMENT_URL: url,
    LEDGER_URL: url,
    NOTIFICATION_URL: url,
  }),
);
const logger = createLogger('gateway', config.LOG_LEVEL);
const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
redis.on('error', (error: Error) => logger.warn({ err: error.message }, 'redis unavailable; rate limiting in-process'));
const upstreams = { order: config.ORDER_URL, inventory: config.INVENTORY_URL, payment: config.PAYMENT_URL, ledger: config.LEDGER_URL, notification: config.NOTIFICATION_URL };

const app = createApp({
  logger,
  parseJson: false,
  routers: [],
  // The timeline is answered here, before the proxy would send /orders/... to the order service.
  beforeRoutes: [rateLimit(redis, config.RATE_LIMIT_PER_SECOND), timelineRouter(upstreams).routes() as Middleware, proxy(upstreams)],
  readiness: {
    redis: async () => {
      await redis.ping();
    },
  },
});
const server: Server = app.listen(config.PORT, '127.0.0.1', () => logger.info({ port: config.PORT }, 'gateway listening'));

const stop = () => {
  server.close(() => {
    redis.disconnect();
    process.exit(0);
  });
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
