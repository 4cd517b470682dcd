/**
 * pnpm bench:saga [rates=5,10,20] [seconds=15]  — on demand, not in CI.
 * Starts the platform (isolated like the e2e tests), then for each arrival rate sends orders
 * open-loop: each request leaves at its scheduled time whatever happened to the others, and its
 * latency runs from that scheduled time to the moment its order.completed / order.cancelled
 * event is seen on the broker (so a slow system cannot hide its queueing: no coordinated
 * omission). In the same run it measures PostgreSQL's commit rate for an outbox-shaped
 * transaction, how many commits one order costs across the service databases, and the CPU
 * milliseconds one completed order costs in each process group (/proc: every service, the relay,
 * the gateway and its simulator, PostgreSQL's backends, the RabbitMQ node, Redis). `--json`
 * prints the figures as JSON for tracking.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import amqp from 'amqplib';
import pg from 'pg';
import hdr from 'hdr-histogram-js';
import { EVENTS_EXCHANGE } from '../../shared/src/outbox/write-events.ts';
import { OrderCancelled, OrderCompleted } from '../../shared/src/events/catalog.ts';
import { signedInClient, startTestPlatform, E2E_AMQP_URL } from '../../test/e2e/support/test-platform.ts';
import { databaseUrlFor, PG_URL } from '../../scripts/databases.ts';
import { SERVICES, type ProcessName } from '../../scripts/platform.ts';
import { outboxCommitRate } from './commit-rate.ts';
import { cpuByGroup, cpuSpent } from './cpu.ts';

const args = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const asJson = process.argv.includes('--json');
// --profile=order,payment: those processes run with `node --cpu-prof`, profiles in bench/saga/.profiles
const profiled = (process.argv.find((arg) => arg.startsWith('--profile='))?.slice('--profile='.length).split(',') ?? []) as ProcessName[];
const profileEnv = Object.fromEntries(profiled.map((name) => [name, { NODE_ARGS: `--cpu-prof --cpu-prof-dir=${path.resolve('bench/saga/.profiles')}` }]));
const rates = (args[0] ?? '5,10,20').split(',').map(Number);
const seconds = Number(args[1] ?? 15);

async function commitsSoFar(): Promise<number> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  const names = SERVICES.map((service) => new URL(databaseUrlFor(service, 'e2e')).pathname.slice(1));
  const { rows } = await client.query<{ commits: string }>('SELECT sum(xact_commit)::bigint AS commits FROM pg_stat_database WHERE datname = ANY($1)', [names]);
  await client.end();
  return Number(rows[0]?.commits ?? 0);
}

// The services' own timings (relay polling, sweeps, retry delays), not the tests' fast knobs.
const platform = await startTestPlatform(profileEnv, { productionTimings: true });
const api = await signedInClient(platform);
const finished = new Map<string, number>();
const spy = await amqp.connect(E2E_AMQP_URL);
const channel = await spy.createChannel();
const { queue } = await channel.assertQueue('', { exclusive: true });
for (const type of [OrderCompleted.type, OrderCancelled.type]) await channel.bindQueue(queue, EVENTS_EXCHANGE, type);
await channel.consume(queue, (message) => {
  if (message) finished.set((JSON.parse(message.content.toString()) as { subject: string }).subject, performance.now());
}, { noAck: true });

const productId = await api.createProduct({ stock: 1_000_000 });
// Commits that happen with no orders at all (relay polls, sweeps, health checks), per second,
// so that "commits per order" counts only what orders cost.
const idleStart = await commitsSoFar();
await new Promise((resolve) => setTimeout(resolve, 5_000));
const idleCommitsPerSecond = ((await commitsSoFar()) - idleStart) / 5;
(asJson ? console.error : console.log)(`platform up; ${seconds} s per rate; latency = scheduled send → order final (seen on the broker)\n`);
const rows: string[] = [];
const results: Array<Record<string, unknown>> = [];
for (const rate of rates) {
  const cpuBefore = cpuByGroup();
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000, numberOfSignificantValueDigits: 3 });
  const scheduled = new Map<string, number>();
  const total = rate * seconds;
  const commitsBefore = await commitsSoFar();
  const started = performance.now();
  const sends: Array<Promise<void>> = [];
  let failed = 0;
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sends.push(
      api.placeOrder(productId, { key: randomUUID() }).then(
        (orderId) => void scheduled.set(orderId, due),
        () => void (failed += 1),
      ),
    );
  }
  await Promise.all(sends);
  const deadline = performance.now() + 120_000;
  while ([...scheduled.keys()].some((id) => !finished.has(id)) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  let lastFinal = started;
  let unfinished = 0;
  for (const [id, due] of scheduled) {
    const at = finished.get(id);
    if (at === undefined) {
      unfinished += 1;
      continue;
    }
    histogram.recordValue(Math.max(1, Math.round(at - due)));
    lastFinal = Math.max(lastFinal, at);
  }
  const done = scheduled.size - unfinished;
  const elapsedSeconds = (performance.now() - started) / 1000;
  const commits = (await commitsSoFar()) - commitsBefore - idleCommitsPerSecond * elapsedSeconds;
  const throughput = done / ((lastFinal - started) / 1000);
  const cpu = [...cpuSpent(cpuBefore, cpuByGroup())].sort((a, b) => b[1] - a[1]).map(([group, ms]) => [group, ms / Math.max(1, done)] as const);
  const cpuTotal = cpu.reduce((sum, [, ms]) => sum + ms, 0);
  results.push({ rate, completedPerSecond: throughput, p50: histogram.getValueAtPercentile(50), p99: histogram.getValueAtPercentile(99), p999: histogram.getValueAtPercentile(99.9), commitsPerOrder: commits / Math.max(1, done), cpuMsPerOrder: Object.fromEntries(cpu), cpuMsPerOrderTotal: cpuTotal, failed, unfinished });
  rows.push(
    `${String(rate).padStart(6)}/s  ${throughput.toFixed(1).padStart(8)}/s  p50 ${String(histogram.getValueAtPercentile(50)).padStart(6)} ms  p99 ${String(histogram.getValueAtPercentile(99)).padStart(6)} ms  p99.9 ${String(histogram.getValueAtPercentile(99.9)).padStart(6)} ms  commits/order ${(commits / Math.max(1, done)).toFixed(1)}  failed ${failed} unfinished ${unfinished}`,
  );
  rows.push(`          CPU per completed order ${cpuTotal.toFixed(1)} ms: ${cpu.map(([group, ms]) => `${group} ${ms.toFixed(1)}`).join(', ')}`);
  if (!asJson) console.log(rows.slice(-2).join('\n'));
}
await spy.close();
await platform.stopAll();

const commitRate = await outboxCommitRate(PG_URL, 8, 5_000);
if (asJson) {
  console.log(JSON.stringify({ outboxCommitsPerSecond: commitRate, idleCommitsPerSecond, results }, null, 2));
  process.exit(0);
}
console.log(`\nPostgreSQL, outbox-shaped transaction (UPDATE a row + INSERT an outbox row), raw pg, 8 workers: ${Math.round(commitRate)} commits/s`);
console.log(`background commits with no orders: ${idleCommitsPerSecond.toFixed(1)}/s (subtracted below)`);
console.log('offered    completed    latency (scheduled send → final)');
for (const row of rows) console.log(row);
