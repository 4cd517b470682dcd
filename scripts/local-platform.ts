import { buildConsole } from './build-console.ts';
import { formatLine } from './log-format.ts';
import { Platform, prepareDatabases } from './platform.ts';

/**
 * The platform as `pnpm start` and `pnpm demo` run it: local servers, platform_* databases
 * (created and migrated first), gateway on GATEWAY_PORT (8080), one combined log.
 */
export async function startLocalPlatform(quiet = false): Promise<Platform> {
  prepareDatabases('platform');
  await buildConsole();
  const platform = new Platform({
    basePort: Number(process.env.GATEWAY_PORT ?? 8080),
    databasePrefix: 'platform',
    amqpUrl: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    logLevel: process.env.LOG_LEVEL ?? 'info',
    onLine: (name, line) => {
      if (!quiet) process.stdout.write(`${formatLine(name, line)}\n`);
    },
  });
  await platform.prepareBroker();
  await platform.startAll();
  try {
    await platform.waitUntilReady();
  } catch (error) {
    await platform.stopAll();
    throw error;
  }
  return platform;
}
