/**
 * `pnpm relay`: one process relays the outboxes of every listed service database.
 * Run as many as you like; they share the work by partition without reordering anything.
 *
 * Each database's events are published over a connection authenticated as the service that
 * owns it (RELAY_AMQP_URLS, in the same order as RELAY_DATABASE_URLS), with that user as the
 * messages' `user_id`: the broker refuses anything else, and lets each service publish only
 * its own event types. AMQP_URL (an operator's user) declares the topology first.
 */
import { z } from 'zod';
import { configParts, loadConfigOrExit } from '../config.ts';
import { createLogger } from '../logger.ts';
import { ConfirmPublisher } from '../amqp/confirm-publisher.ts';
import { OutboxRelay } from './relay.ts';
import { PLATFORM_QUEUES, UNCONSUMED_TYPES } from '../amqp/platform-topology.ts';
import { assertSafeForProduction } from '../service/base-config.ts';
import { startMetricsServer } from '../http/metrics-server.ts';
import { relayMetrics } from './relay-metrics.ts';
import { amqpUsername, isAmqpUrl, splitAmqpUrlList } from '../amqp/amqp-url.ts';
import { startTracing, stopTracing } from '../telemetry/tracing.ts';

const urlList = (item: z.ZodType<string, string>) =>
  z
    .string()
    .transform((value) => value.split(',').map((url) => url.trim()).filter(Boolean))
    .pipe(z.array(item));

const config = loadConfigOrExit(
  z.object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    AMQP_URL: configParts.amqpUrl,
    RELAY_DATABASE_URLS: urlList(configParts.databaseUrl).pipe(z.array(z.string()).min(1, 'list the service databases to relay, comma-separated')),
    RELAY_AMQP_URLS: z.string().transform(splitAmqpUrlList).pipe(z.array(z.string().refine(isAmqpUrl, 'must be amqp:// URLs'))).optional(),
    RELAY_BATCH_SIZE: configParts.positiveInt.default(1_000),
    RELAY_LANES: configParts.positiveInt.default(2),
    RELAY_POLL_INTERVAL_MS: configParts.positiveInt.default(1_000),
    RELAY_PAUSE_BEFORE_MARK_MS: z.coerce.number().int().min(0).default(0),
    RELAY_TEST_PUBLISH_TWICE: z.enum(['0', '1']).default('0'),
    LOG_LEVEL: configParts.logLevel,
    // /health and /metrics (with METRICS_TOKEN) on a port of its own.
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    METRICS_PORT: configParts.port.default(9101),
    METRICS_TOKEN: z.string().min(16).optional(),
  }),
);
assertSafeForProduction(config);
if (config.RELAY_AMQP_URLS && config.RELAY_AMQP_URLS.length !== config.RELAY_DATABASE_URLS.length) {
  process.stderr.write('RELAY_AMQP_URLS must name one broker URL per database in RELAY_DATABASE_URLS\n');
  process.exit(1);
}

const logger = createLogger('relay', config.LOG_LEVEL);
await startTracing('relay');
const databaseNameOf = (url: string) => new URL(url).pathname.slice(1);
const topology = await ConfirmPublisher.connect(config.AMQP_URL, `relay-${process.pid}`, logger, PLATFORM_QUEUES);
const connections = [topology.connection];
const metrics = relayMetrics();
const relays = await Promise.all(
  config.RELAY_DATABASE_URLS.map(async (databaseUrl, index) => {
    const amqpUrl = config.RELAY_AMQP_URLS?.[index];
    const database = databaseNameOf(databaseUrl);
    const own = amqpUrl ? await ConfirmPublisher.connect(amqpUrl, `relay-${process.pid}-${index}`, logger) : null;
    if (own) connections.push(own.connection);
    return new OutboxRelay({
      databaseUrl,
      publisher: own?.publisher ?? topology.publisher,
      userId: amqpUrl ? amqpUsername(amqpUrl) : undefined,
      logger: logger.child({ database }),
      batchSize: config.RELAY_BATCH_SIZE,
      lanes: config.RELAY_LANES,
      pollIntervalMs: config.RELAY_POLL_INTERVAL_MS,
      pauseBeforeMarkMs: config.RELAY_PAUSE_BEFORE_MARK_MS,
      publishEachTwice: config.RELAY_TEST_PUBLISH_TWICE === '1',
      // Rows of a type no queue consumes are written already sent; one left from before that is marked, not published.
      isConsumed: (eventType) => !UNCONSUMED_TYPES.has(eventType),
      onRound: (outcome) => metrics.round(database, outcome),
    });
  }),
);
metrics.watch(relays.map((relay, index) => ({ database: databaseNameOf(config.RELAY_DATABASE_URLS[index]!), lag: () => relay.lag() })));
const metricsServer = await startMetricsServer({ host: config.METRICS_HOST, port: config.METRICS_PORT, registry: metrics.registry, token: config.METRICS_TOKEN });

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'relay stopping');
  await Promise.all(relays.map((relay) => relay.stop()));
  await metricsServer.close();
  await stopTracing();
  await Promise.all(connections.map((connection) => connection.close().catch(() => undefined)));
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

logger.info({ databases: relays.length, metricsPort: metricsServer.port }, 'relay started');
await Promise.all(relays.map((relay) => relay.run()));
