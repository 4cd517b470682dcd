import { z } from 'zod';
import { configParts, loadConfigOrExit } from '@platform/shared/config';
import { createLogger } from '@platform/shared/logger';
import { createMetrics } from '@platform/shared/metrics';
import { paymentMetrics } from './entry-points/payment-metrics.ts';
import { baseServiceConfig, cipherFrom, dataProtectionConfig, runtimeFrom } from '@platform/shared/service/base-config';
import { runService, stopOnSignals } from '@platform/shared/service/run-service';
import { fieldCipher, keyringSchema } from '@platform/shared/crypto/field-cipher';
import { sqlIdempotencyStore } from '@platform/shared/http/idempotency';
import { cachedIdempotencyStore, fastFailingRedis } from '@platform/shared/http/idempotency-cache';
import { connectDatabase } from './data-access/database.ts';
import { paymentStore } from './data-access/payment-store.ts';
import { sqlPaymentServices } from './data-access/payment-services.ts';
import { cardVault } from './data-access/card-vault.ts';
import { pspClient } from './data-access/psp-client.ts';
import { ledgerWallet } from './data-access/ledger-wallet.ts';
import { internalFetch } from '@platform/shared/http/internal-auth';
import { paymentMethods } from './data-access/payment-methods.ts';
import { paymentDetails, pruneIntents, refundView } from './data-access/payment-queries.ts';
import { claimPendingRefunds, claimStalePayments, pruneWebhookEvents } from './data-access/payment-sweeps.ts';
import { paymentHandlers } from './entry-points/messaging-handlers.ts';
import { paymentRoutes } from './entry-points/http-routes.ts';
import { gatewayWebhookRoutes, WEBHOOK_PATH } from './entry-points/gateway-webhooks.ts';
import { startIntentSweeper } from './entry-points/intent-sweeper.ts';
import { startPaymentSweeper } from './entry-points/payment-sweeper.ts';
import { topUpRoutes } from './entry-points/top-up-routes.ts';
import { reconciliationRoutes } from './entry-points/reconciliation-routes.ts';
import { reconciliationEntry, startReconciliationJob } from './entry-points/reconciliation-job.ts';
import { reconciliationSources } from './data-access/reconciliation-sources.ts';
import { reconciliationRepairs } from './data-access/reconciliation-repairs.ts';
import { reconciliationReports } from './data-access/reconciliation-reports.ts';

const config = loadConfigOrExit(
  baseServiceConfig.extend(dataProtectionConfig.shape).extend({
    CARD_ENCRYPTION_KEYS: keyringSchema,
    /** Shared with the order service alone: the payment choice travels sealed under it. */
    PAYMENT_CHOICE_KEYS: keyringSchema,
    PSP_URL: z.string().url(),
    LEDGER_URL: z.string().url(),
    REDIS_URL: z.string().url().optional(),
    PSP_API_KEY: configParts.secret,
    /** Comma-separated: during a rotation the old and the new secret both verify. */
    PSP_WEBHOOK_SECRET: z.string().transform((value) => value.split(',')).pipe(z.array(configParts.secret).min(1)),
    PSP_TIMEOUT_MS: configParts.positiveInt.default(5_000),
    PSP_BREAKER_HALF_OPEN_MS: configParts.positiveInt.default(5_000),
    PSP_CONCURRENCY: configParts.positiveInt.default(10),
    PAYMENT_SWEEP_INTERVAL_MS: configParts.positiveInt.default(1_000),
    PAYMENT_PENDING_POLL_MS: configParts.positiveInt.default(30_000),
    PAYMENT_PENDING_GIVE_UP_MS: configParts.positiveInt.default(600_000),
    UPI_COLLECT_EXPIRY_SECONDS: configParts.positiveInt.default(300),
    /** Payment intents (and any card token an unused one holds) are deleted this long after they were filed. */
    INTENT_TOKEN_RETENTION_HOURS: z.coerce.number().positive().default(48),
    INTENT_SWEEP_INTERVAL_MS: configParts.positiveInt.default(60_000),
    ORDER_URL: z.string().url(),
    RECONCILE_INTERVAL_MS: configParts.positiveInt.default(3_600_000),
    /** Nothing touched this recently is judged: it may still be on its way. */
    RECONCILE_SETTLE_MS: configParts.positiveInt.default(600_000),
    RECONCILE_REPORT_RETENTION_DAYS: configParts.positiveInt.default(90),
  }),
);
const logger = createLogger('payment', config.LOG_LEVEL);
const metrics = createMetrics('payment');
const own = paymentMetrics(metrics.registry);
const db = connectDatabase(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
const cipher = cipherFrom(config);
// Card numbers have a keyring of their own: whoever holds the data keys still cannot read them.
const vault = cardVault(db.client, fieldCipher(config.CARD_ENCRYPTION_KEYS, config.DATA_INDEX_KEY));
const gateway = pspClient({
  url: config.PSP_URL,
  apiKey: config.PSP_API_KEY,
  timeoutMs: config.PSP_TIMEOUT_MS,
  breakerHalfOpenMs: config.PSP_BREAKER_HALF_OPEN_MS,
  concurrency: config.PSP_CONCURRENCY,
  onCircuitState: (state) => {
    own.circuitState(state);
    logger.warn({ state }, 'gateway circuit breaker changed state');
  },
});
const signedFetch = internalFetch(config.INTERNAL_AUTH_SECRET, 'payment');
const wallet = ledgerWallet(config.LEDGER_URL, signedFetch, config.PSP_TIMEOUT_MS);
// One attempt's whole budget: three calls with their timeouts and backoff. The sweeper waits this long first.
const attemptBudgetMs = config.PSP_TIMEOUT_MS * 3 + 2_000;
const services = sqlPaymentServices({ db, transaction: (work) => db.sql(work) }, cipher, (...outcome) => own.finished(...outcome), {
  gatewayFor: (method) => (method === 'WALLET' ? wallet : gateway),
  methodFor: paymentMethods(vault, config.UPI_COLLECT_EXPIRY_SECONDS, () => new Date()),
  timing: {
    // Doubling from a second, capped at 30 s, never sooner than the breaker's next probe; ±20 % jitter.
    retryDelayMs: (attempts) => Math.max(Math.min(1_000 * 2 ** Math.max(attempts - 1, 0), 30_000), gateway.circuitState() === 'open' ? config.PSP_BREAKER_HALF_OPEN_MS : 0) * (0.8 + 0.4 * Math.random()),
    pendingPollMs: config.PAYMENT_PENDING_POLL_MS,
    pendingGiveUpMs: config.PAYMENT_PENDING_GIVE_UP_MS,
  },
  now: () => new Date(),
});
// Redis answers replays when configured; the database is the truth either way.
const idempotency = config.REDIS_URL
  ? cachedIdempotencyStore(sqlIdempotencyStore(db, config.IDEMPOTENCY_RETENTION_HOURS), await fastFailingRedis(config.REDIS_URL, (message) => logger.warn({ err: message }, 'redis unavailable; idempotency replays read the database')), 'payment', config.IDEMPOTENCY_RETENTION_HOURS)
  : sqlIdempotencyStore(db, config.IDEMPOTENCY_RETENTION_HOURS);

const reports = reconciliationReports(db.client);
const reconciliation = reconciliationEntry({
  sources: reconciliationSources({ client: db.client, settlement: (day) => gateway.settlement(day), signedFetch, ledgerUrl: config.LEDGER_URL, orderUrl: config.ORDER_URL }),
  repairsFor: (trace) => reconciliationRepairs(services, gateway, trace, (error) => logger.warn({ err: String(error) }, 'a reconciliation refund waits for the sweeper')),
  reports,
  settleMs: config.RECONCILE_SETTLE_MS,
  logger,
});
const runtime = runtimeFrom(config);
const running = await runService({
  name: 'payment',
  ...runtime,
  // The gateway's webhooks prove themselves with the gateway's signature, not ours.
  internalAuth: { ...runtime.internalAuth, openPaths: [WEBHOOK_PATH] },
  logger,
  metrics,
  db,
  routers: [
    paymentRoutes({ services, store: paymentStore(db, cipher), vault, idempotency, details: (id) => paymentDetails(db.client, id), refundView }),
    gatewayWebhookRoutes(services, config.PSP_WEBHOOK_SECRET, logger),
    reconciliationRoutes(reconciliation),
    topUpRoutes({ services, vault, idempotency, firstSweepDelayMs: attemptBudgetMs, status: async (paymentId) => (await paymentDetails(db.client, paymentId))?.status ?? null }),
  ],
  startBackground: () => [
    startReconciliationJob(reconciliation, reports, { intervalMs: config.RECONCILE_INTERVAL_MS, retentionDays: config.RECONCILE_REPORT_RETENTION_DAYS }, logger),
    startIntentSweeper(() => pruneIntents(db.client, config.INTENT_TOKEN_RETENTION_HOURS), logger, config.INTENT_SWEEP_INTERVAL_MS),
    ...startPaymentSweeper({
      services,
      claimPayments: (limit, leaseMs) => claimStalePayments(db, limit, leaseMs),
      claimRefunds: (limit, leaseMs) => claimPendingRefunds(db, limit, leaseMs),
      prune: async () => {
        await idempotency.prune(1_000);
        await pruneWebhookEvents(db);
      },
      intervalMs: config.PAYMENT_SWEEP_INTERVAL_MS,
      leaseMs: attemptBudgetMs,
      logger,
    }),
  ],
  handlers: paymentHandlers(services, cipher, attemptBudgetMs, fieldCipher(config.PAYMENT_CHOICE_KEYS, config.DATA_INDEX_KEY)),
});
stopOnSignals(running, logger);
