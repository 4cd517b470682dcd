/**
 * The whole platform for one e2e test file, as separate processes against the real servers,
 * isolated from anything else on the broker (its own vhost) and database server (e2e_*
 * databases, recreated). Test knobs: short retries, a fast sweeper, a 2.5 s "slow" card.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { after, before } from 'node:test';
import path from 'node:path';
import pg from 'pg';
import { BUILT_PLATFORM_ENV, DATABASES, Platform, prepareDatabases, type ProcessName } from '../../../scripts/platform.ts';
import { formatLine } from '../../../scripts/log-format.ts';
import { E2E_TEMPLATE_PREFIX, PG_URL } from '../../../scripts/databases.ts';
import { recreateVhost } from '../../../scripts/broker-setup.ts';
import { gatewayClient, type GatewayClient } from './api.ts';
import { openSessions } from './sessions.ts';

export const E2E_VHOST = 'e2e';
export const E2E_AMQP_URL = `${(process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672').replace(/\/+$/, '')}/${E2E_VHOST}`;
const PREFIX = 'e2e';
const LOG_DIR = path.resolve(import.meta.dirname, '../.logs');


/** Fresh e2e_* databases, cloned from the migrated templates (migrating them first if missing). */
async function recreateDatabases(): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const templates = await client.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${E2E_TEMPLATE_PREFIX}_%`]);
    if (templates.rowCount !== DATABASES.length + 1) prepareDatabases(E2E_TEMPLATE_PREFIX);
    for (const service of DATABASES) {
      await client.query(`DROP DATABASE IF EXISTS "${PREFIX}_${service}" WITH (FORCE)`);
      await client.query(`CREATE DATABASE "${PREFIX}_${service}" TEMPLATE "${E2E_TEMPLATE_PREFIX}_${service}"`);
    }
  } finally {
    await client.end();
  }
}

export interface TestPlatform extends Platform {
  logs: string[];
}

/** Every process at debug level: for tests that search the logs for secrets (any level counts). */
export const LOG_EVERYTHING: Partial<Record<ProcessName, Record<string, string>>> = Object.fromEntries(
  (['order', 'inventory', 'payment', 'ledger', 'notification', 'auth', 'gateway', 'relay', 'psp', 'smtp'] as const).map((name) => [name, { LOG_LEVEL: 'debug' }]),
);

/** How the chaos run starts it: several instances, PostgreSQL and RabbitMQ reached through fault proxies. */
export interface Topology {
  replicas?: number;
  pgPort?: number;
  amqpPort?: number;
  /** The services' own timings (retry delays, sweep and poll intervals) instead of the tests' fast ones: for benchmarks. */
  productionTimings?: boolean;
  /** Run the production build (dist/, plain node) instead of the sources; by default, when `pnpm test` built it. */
  built?: boolean;
  /** Another broker (the three-node cluster's URL, say), already holding the e2e vhost's users. */
  amqpUrl?: string;
}

export async function startTestPlatform(env: Partial<Record<ProcessName, Record<string, string>>> = {}, topology: Topology = {}): Promise<TestPlatform> {
  await recreateVhost(E2E_VHOST);
  await recreateDatabases();

  const logs: string[] = [];
  // Every process's log, kept for diagnosing a failure after the fact (CI included).
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = path.join(LOG_DIR, `${path.basename(process.argv[1] ?? 'e2e', '.ts')}.log`);
  writeFileSync(logFile, '');
  const fast = { RETRY_DELAYS_MS: '200,500,1000' };
  const quick = (settings: Record<string, string>): Record<string, string> => (topology.productionTimings ? {} : settings);
  const platform = new Platform({
    basePort: 18080,
    databasePrefix: PREFIX,
    amqpUrl: topology.amqpUrl ?? (topology.amqpPort ? Object.assign(new URL(E2E_AMQP_URL), { port: String(topology.amqpPort) }).toString() : E2E_AMQP_URL),
    replicas: topology.replicas,
    pgPort: topology.pgPort,
    built: topology.built ?? process.env[BUILT_PLATFORM_ENV] === '1',
    logLevel: process.env.E2E_LOG_LEVEL ?? 'warn',
    env: {
      order: { ...quick(fast), ...env.order },
      inventory: { ...quick({ ...fast, SWEEP_INTERVAL_MS: '200' }), ...env.inventory },
      payment: { ...quick({ ...fast, INTENT_SWEEP_INTERVAL_MS: '500', PAYMENT_SWEEP_INTERVAL_MS: '200', PSP_TIMEOUT_MS: '4000', PSP_BREAKER_HALF_OPEN_MS: '1000' }), ...env.payment },
      // The gateway simulator: a 2.5 s "slow" card, asynchronous cards confirmed after a second.
      psp: { PSP_SLOW_CARD_MS: '2500', ...quick({ PSP_ASYNC_DELAY_MS: '1000', PSP_JOB_INTERVAL_MS: '100' }), ...env.psp },
      ledger: { ...quick(fast), ...env.ledger },
      notification: { ...quick({ ...fast, NOTICE_SEND_INTERVAL_MS: '200' }), ...env.notification },
      // A cheaper bcrypt: tests log in often; production keeps the default cost.
      auth: { BCRYPT_COST: '6', ...env.auth },
      gateway: { RATE_LIMIT_PER_SECOND: '100000', RATE_LIMIT_CLIENT_PER_SECOND: '100000', RATE_LIMIT_ORDERS_PER_SECOND: '100000', RATE_LIMIT_TOKEN_PER_MINUTE: '100000', CORS_ORIGINS: 'https://shop.example', ...env.gateway },
      relay: { ...quick({ RELAY_POLL_INTERVAL_MS: '200' }), ...env.relay },
    },
    onLine: (name, line) => {
      const formatted = formatLine(name, line);
      logs.push(formatted);
      appendFileSync(logFile, `${formatted}\n`);
      if (process.env.E2E_LOG_LEVEL) process.stderr.write(`${formatted}\n`);
    },
  });
  await platform.prepareBroker();
  await platform.startAll();
  try {
    await platform.waitUntilReady();
  } catch (error) {
    await platform.stopAll();
    throw new Error(`platform did not start: ${String(error)}\n${logs.slice(-30).join("\n")}`, { cause: error });
  }
  return Object.assign(platform, { logs });
}

/** A gateway client with a fresh merchant and customer, and the platform's admin. */
export async function signedInClient(platform: TestPlatform): Promise<GatewayClient> {
  const url = platform.url('gateway');
  return gatewayClient(url, await openSessions(url, { email: platform.secrets.adminEmail, password: platform.secrets.adminPassword }));
}

/** For a suite: the platform started before its tests (with a signed-in client) and stopped after. */
export function platformForSuite(env: Partial<Record<ProcessName, Record<string, string>>> = {}): { platform: TestPlatform; api: GatewayClient } {
  const suite = {} as { platform: TestPlatform; api: GatewayClient };
  before(async () => {
    suite.platform = await startTestPlatform(env);
    suite.api = await signedInClient(suite.platform);
  });
  after(async () => suite.platform?.stopAll());
  return suite;
}
