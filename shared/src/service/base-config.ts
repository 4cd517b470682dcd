import { z } from 'zod';
import { configParts } from '../config.ts';
import { DEFAULT_RETRY_DELAYS_MS } from '../amqp/platform-topology.ts';

/** What every service's configuration has; each service extends it. */
export const baseServiceConfig = z.object({
  PORT: configParts.port,
  DATABASE_URL: configParts.databaseUrl,
  AMQP_URL: configParts.amqpUrl,
  LOG_LEVEL: configParts.logLevel,
  RETRY_DELAYS_MS: configParts.msList.default([...DEFAULT_RETRY_DELAYS_MS]),
  // Handlers each hold a pooled connection for their transaction: keep the pool larger than the
  // prefetch (HTTP requests need connections too). 5 services × 10 stays well under PostgreSQL's
  // default 100 connections, with room for the relay, a second platform and the tests.
  DATABASE_POOL_SIZE: configParts.positiveInt.default(10),
  CONSUMER_PREFETCH: configParts.positiveInt.default(6),
});

/** The part of runService's definition that comes straight from the base configuration. */
export function runtimeFrom(config: z.infer<typeof baseServiceConfig>) {
  return { port: config.PORT, amqpUrl: config.AMQP_URL, retryDelaysMs: config.RETRY_DELAYS_MS, prefetch: config.CONSUMER_PREFETCH };
}
