/**
 * `pnpm relay`: one process relays the outboxes of every listed service database.
 * Run as many as you like; they share the work by partition without reordering anything.
 */
import { z } from 'zod';
import { configParts, loadConfigOrExit } from '../config.ts';
import { createLogger } from '../logger.ts';
import { ConfirmPublisher } from '../amqp/confirm-publisher.ts';
import { OutboxRelay } from './relay.ts';
import { PLATFORM_QUEUES } from '../amqp/platform-topology.ts';

const config = loadConfigOrExit(
  z.object({
    AMQP_URL: configParts.amqpUrl,
    RELAY_DATABASE_URLS: z
      .string()
      .min(1, 'list the service databases to relay, comma-separated')
      .transform((value) => value.split(',').map((url) => url.trim()).filter(Boolean))
      .pipe(z.array(configParts.databaseUrl).min(1)),
    RELAY_BATCH_SIZE: configParts.positiveInt.default(1_000),
    RELAY_LANES: configParts.positiveInt.default(2),
    RELAY_POLL_INTERVAL_MS: configParts.positiveInt.default(1_000),
    RELAY_PAUSE_BEFORE_MARK_MS: z.coerce.number().int().min(0).default(0),
    RELAY_TEST_PUBLISH_TWICE: z.enum(['0', '1']).default('0'),
    LOG_LEVEL: configParts.logLevel,
  }),
);

const logger = createLogger('relay', config.LOG_LEVEL);
const { publisher, connection } = await ConfirmPublisher.connect(config.AMQP_URL, `relay-${process.pid}`, logger, PLATFORM_QUEUES);
const relays = config.RELAY_DATABASE_URLS.map(
  (databaseUrl) =>
    new OutboxRelay({
      databaseUrl,
      publisher,
      logger: logger.child({ database: new URL(databaseUrl).pathname.slice(1) }),
      batchSize: config.RELAY_BATCH_SIZE,
      lanes: config.RELAY_LANES,
      pollIntervalMs: config.RELAY_POLL_INTERVAL_MS,
      pauseBeforeMarkMs: config.RELAY_PAUSE_BEFORE_MARK_MS,
      publishEachTwice: config.RELAY_TEST_PUBLISH_TWICE === '1',
    }),
);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'relay stopping');
  await Promise.all(relays.map((relay) => relay.stop()));
  await connection.close().catch(() => undefined);
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

logger.info({ databases: relays.length }, 'relay started');
await Promise.all(relays.map((relay) => relay.run()));
