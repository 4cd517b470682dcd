/**
 * `pnpm start`: prepares every service database (create, migrate) and runs the whole platform
 * against the local PostgreSQL, Redis and RabbitMQ, with one combined log, until Ctrl-C.
 * Gateway: http://127.0.0.1:8080.
 */
import { startLocalPlatform } from './local-platform.ts';

const platform = await startLocalPlatform();
process.stdout.write(`\nplatform ready: gateway on ${platform.url('gateway')} (Ctrl-C stops everything)\n\n`);
const stop = () => void platform.stopAll().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
