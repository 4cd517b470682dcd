/**
 * `pnpm chaos [--seed 1] [--rate 15] [--duration 120] [--replicas 2]`: the seeded chaos run on demand (the
 * platform on the end-to-end databases and vhost: not while the tests run). Exits 1 if a check fails.
 */
import { parseArgs } from 'node:util';
import { runChaos } from './run-chaos.ts';

const { values } = parseArgs({ options: { seed: { type: 'string', default: '1' }, rate: { type: 'string', default: '15' }, duration: { type: 'string', default: '120' }, replicas: { type: 'string', default: '2' } } });
const result = await runChaos({ seed: Number(values.seed), rate: Number(values.rate), durationMs: Number(values.duration) * 1000, replicas: Number(values.replicas) });
process.exitCode = result.checks.every((check) => check.passed) ? 0 : 1;
