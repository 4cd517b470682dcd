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
  CONSUMER_PREFETCH: configParts.positiveInt.default(32),
});
