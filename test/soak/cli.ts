/**
 * `pnpm soak [--orders 10000] [--rate 12] [--window 60]`: many orders with short retention
 * windows (seconds), then checks that queues drained and tables hold only rows inside their
 * windows (the platform on the end-to-end databases and vhost: not while the tests run). Keep
 * the rate under what the platform completes (about 28/s here, single instances): an open loop
 * above it only measures the overload.
 */
import { parseArgs } from 'node:util';
import { runSoak } from './run-soak.ts';

const { values } = parseArgs({ options: { orders: { type: 'string', default: '10000' }, rate: { type: 'string', default: '12' }, window: { type: 'string', default: '60' } } });
const result = await runSoak({ orders: Number(values.orders), rate: Number(values.rate), windowSeconds: Number(values.window) });
process.exitCode = result.checks.every((check) => check.passed) ? 0 : 1;
