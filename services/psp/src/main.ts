/**
 * The payment gateway simulator: the outside world the payment service pays through. Its own
 * process and database, an API shaped like a card processor's (secret API key, Idempotency-Key,
 * charges, refunds, settlement reports), test card numbers, knobs for failures and latency, and
 * signed webhooks for what it confirms asynchronously.
 */
import type { Server } from 'node:http';
import { z } from 'zod';
import { configParts, loadConfigOrExit } from '@platform/shared/config';
import { createLogger } from '@platform/shared/logger';
import { createApp } from '@platform/shared/http/create-app';
import { connectPspDatabase, chargeView, pspStore } from './data-access/psp-store.ts';
import { claimDueWebhooks, duePendingCharges, pruneWebhooks, recordDelivery } from './data-access/psp-jobs.ts';
import { settlementReport } from './data-access/settlement-report.ts';
import { pspRoutes } from './entry-points/http-routes.ts';
import { startPspJobs } from './entry-points/background-jobs.ts';

const config = loadConfigOrExit(
  z.object({
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: configParts.port,
    DATABASE_URL: configParts.databaseUrl,
    LOG_LEVEL: configParts.logLevel,
    PSP_API_KEY: configParts.secret,
    PSP_WEBHOOK_SECRET: configParts.secret,
    PSP_WEBHOOK_URL: z.string().url(),
    PSP_ASYNC_DELAY_MS: configParts.positiveInt.default(2_000),
    PSP_SLOW_CARD_MS: configParts.positiveInt.default(2_500),
    PSP_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0),
    PSP_LATENCY_MS: z.coerce.number().int().min(0).default(0),
    PSP_JOB_INTERVAL_MS: configParts.positiveInt.default(500),
    PSP_WEBHOOK_RETENTION_DAYS: configParts.positiveInt.default(7),
  }),
);
const logger = createLogger('psp', config.LOG_LEVEL);
const database = connectPspDatabase(config.DATABASE_URL, 8);
const { client } = database;
const store = pspStore(database);
const knobs = { failureRate: config.PSP_FAILURE_RATE, latencyMs: config.PSP_LATENCY_MS };
const { auth, router } = pspRoutes({
  store,
  knobs,
  apiKey: config.PSP_API_KEY,
  asyncDelayMs: config.PSP_ASYNC_DELAY_MS,
  slowCardMs: config.PSP_SLOW_CARD_MS,
  view: chargeView,
  chargesByKey: async (key) => {
    const charge = await store.findChargeByKey(key);
    return charge ? [charge] : [];
  },
  settlement: (date) => settlementReport(client, date),
});
const app = createApp({ logger, routers: [router], beforeRoutes: [auth], readiness: { database: async () => void (await database.sql.$queryRawUnsafe('SELECT 1')) } });
const jobs = startPspJobs({
  store,
  duePending: (limit) => duePendingCharges(database.sql, limit),
  claimWebhooks: (limit, leaseMs) => claimDueWebhooks(database.sql, limit, leaseMs),
  recordDelivery: (id, result) => recordDelivery(client, id, result),
  prune: () => pruneWebhooks(client, config.PSP_WEBHOOK_RETENTION_DAYS),
  webhookUrl: config.PSP_WEBHOOK_URL,
  webhookSecret: config.PSP_WEBHOOK_SECRET,
  intervalMs: config.PSP_JOB_INTERVAL_MS,
  logger,
});
const server = await new Promise<Server>((resolve) => {
  const listening = app.listen(config.PORT, config.HOST, () => resolve(listening));
});
logger.info({ port: config.PORT }, 'payment gateway simulator listening');

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping');
  server.closeAllConnections();
  server.close();
  void Promise.all(jobs.map((job) => job.stop()))
    .then(() => database.close())
    .then(() => process.exit(0), () => process.exit(1));
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
