/**
 * `pnpm start`: prepares every service database (create, migrate) and runs the whole platform
 * against the local PostgreSQL, Redis and RabbitMQ, with one combined log, until Ctrl-C.
 * Gateway: http://127.0.0.1:8080.
 */
import { Platform, prepareDatabases } from './platform.ts';
import { formatLine } from './log-format.ts';

export async function startPlatform(quiet = false): Promise<Platform> {
  prepareDatabases('platform');
  const platform = new Platform({
    basePort: Number(process.env.GATEWAY_PORT ?? 8080),
    databasePrefix: 'platform',
    amqpUrl: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    logLevel: process.env.LOG_LEVEL ?? 'info',
    onLine: (name, line) => {
      if (!quiet) process.stdout.write(`${formatLine(name, line)}\n`);
    },
  });
  platform.startAll();
  await platform.waitUntilReady();
  return platform;
}

if (import.meta.filename === process.argv[1]) {
  const platform = await startPlatform();
  process.stdout.write(`\nplatform ready: gateway on ${platform.url('gateway')} (Ctrl-C stops everything)\n\n`);
  const stop = () => void platform.stopAll().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
