import { z } from 'zod';
import { ConfigError, configParts } from '../config.ts';
import { DEFAULT_RETRY_DELAYS_MS } from '../amqp/platform-topology.ts';
import { fieldCipher, indexKeySchema, keyringSchema } from '../crypto/field-cipher.ts';

/** What every service's configuration has; each service extends it. */
export const baseServiceConfig = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  // 0.0.0.0 in a container; loopback by default so a developer's machine exposes nothing.
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: configParts.port,
  DATABASE_URL: configParts.databaseUrl,
  /** A streaming replica for the reads that may use one (read-replica.ts); none: the primary. */
  DATABASE_READ_URL: configParts.databaseUrl.optional(),
  AMQP_URL: configParts.amqpUrl,
  LOG_LEVEL: configParts.logLevel,
  RETRY_DELAYS_MS: configParts.msList.default([...DEFAULT_RETRY_DELAYS_MS]),
  // Each running batch of messages holds a pooled connection for its transaction: keep the pool
  // larger than CONSUMER_CONCURRENCY (HTTP requests need connections too). 5 services × 10 stays
  // well under PostgreSQL's default 100 connections, with room for the relay, a second platform
  // and the tests.
  DATABASE_POOL_SIZE: configParts.positiveInt.default(10),
  // Messages held unacked: what the next batches are formed from.
  CONSUMER_PREFETCH: configParts.positiveInt.default(50),
  /** Most messages applied in one transaction (1: one at a time, as before batching). */
  CONSUMER_BATCH_SIZE: configParts.positiveInt.default(50),
  /** Batches applied at once (each one transaction on its own connection). */
  CONSUMER_CONCURRENCY: configParts.positiveInt.default(2),
  /** Signs and verifies every service-to-service HTTP call (see http/internal-auth.ts). */
  INTERNAL_AUTH_SECRET: configParts.secret,
  /** Lets a Prometheus scraper read /metrics with a bearer token. */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** Accept an event only from the broker user that owns its type (off only in backbone tests). */
  AMQP_VERIFY_PUBLISHER: z.enum(['0', '1']).default('1'),
  /** Published outbox rows are kept this long, then moved into the timeline's event history. */
  OUTBOX_RETENTION_HOURS: z.coerce.number().positive().default(72),
  /** The timeline's event history is kept this long, then deleted. */
  EVENT_HISTORY_RETENTION_DAYS: configParts.positiveInt.default(400),
  /** Inbox rows are kept this long: far past any redelivery of the message they record. */
  INBOX_RETENTION_HOURS: z.coerce.number().positive().default(168),
  /** Idempotency keys answer replays this long (the big payment APIs keep them a day), then go. */
  IDEMPOTENCY_RETENTION_HOURS: z.coerce.number().positive().default(24),
  MESSAGING_RETENTION_SWEEP_MS: configParts.positiveInt.default(60_000),
});

/** For services that keep personal or card data: keys for encryption at rest. */
export const dataProtectionConfig = z.object({
  DATA_ENCRYPTION_KEYS: keyringSchema,
  DATA_INDEX_KEY: indexKeySchema,
});

export function cipherFrom(config: z.infer<typeof dataProtectionConfig>) {
  return fieldCipher(config.DATA_ENCRYPTION_KEYS, config.DATA_INDEX_KEY);
}

type BaseConfig = z.infer<typeof baseServiceConfig>;

/** Default broker credentials are for a developer's machine only. */
export function assertSafeForProduction(config: Pick<BaseConfig, 'NODE_ENV' | 'AMQP_URL'>): void {
  if (config.NODE_ENV !== 'production') return;
  const url = new URL(config.AMQP_URL);
  if (url.username === 'guest' || url.password === 'guest' || url.username === '') {
    throw new ConfigError('refusing to start in production with the default RabbitMQ credentials: give this service its own user in AMQP_URL');
  }
}

/** The part of runService's definition that comes straight from the base configuration. */
export function runtimeFrom(config: BaseConfig) {
  assertSafeForProduction(config);
  return {
    host: config.HOST,
    port: config.PORT,
    amqpUrl: config.AMQP_URL,
    retryDelaysMs: config.RETRY_DELAYS_MS,
    prefetch: config.CONSUMER_PREFETCH,
    batchSize: config.CONSUMER_BATCH_SIZE,
    concurrency: config.CONSUMER_CONCURRENCY,
    internalAuth: { secret: config.INTERNAL_AUTH_SECRET, metricsToken: config.METRICS_TOKEN },
    verifyPublisher: config.AMQP_VERIFY_PUBLISHER === '1',
    retention: { outboxHours: config.OUTBOX_RETENTION_HOURS, inboxHours: config.INBOX_RETENTION_HOURS, historyDays: config.EVENT_HISTORY_RETENTION_DAYS, sweepMs: config.MESSAGING_RETENTION_SWEEP_MS },
  };
}
