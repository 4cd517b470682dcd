/**
 * `pnpm outage:postgres [--minutes 5] [--rate 3] [--replicas 2]`: PostgreSQL stopped for that
 * long under load, on demand (the platform on the end-to-end databases and vhost: not while the
 * tests run; it stops this machine's PostgreSQL). Exits 1 if a check fails.
 */
import { parseArgs } from 'node:util';
import { runPostgresOutage } from './postgres-outage.ts';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '5' }, rate: { type: 'string', default: '3' }, replicas: { type: 'string', default: '2' } } });
const result = await runPostgresOutage({ downMs: Number(values.minutes) * 60_000, rate: Number(values.rate), replicas: Number(values.replicas) });
process.exitCode = result.checks.every((check) => check.passed) && result.exits.length === 0 ? 0 : 1;
