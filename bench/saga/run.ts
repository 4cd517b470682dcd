/**
 * pnpm bench:saga [rates=5,10,20] [seconds=15] [--flash] [--json] [--cold] [--warmup=3] [--statements] [--timeline] [--profile=order,payment]  — on demand, not in CI.
 * Starts the platform (isolated like the e2e tests, with the services' own timings), then for
 * each arrival rate sends orders open-loop (open-loop.ts) and measures, to the moment each order's
 * final event is seen on the broker: completed orders/s, p50/p99/p99.9, commits per order across
 * the service databases, broker messages per order, and the CPU milliseconds one completed order
 * costs in each process group (/proc: every service, the relay, the gateway and its simulator,
 * PostgreSQL's backends, the RabbitMQ node, Redis). `--flash` adds the flash sale (flash-sale.ts).
 * With pg_stat_statements loaded, also statements, plannings, page reads and WAL records per order
 * per database (statements.ts): counts, steadier than CPU time; `--statements` lists the top ones.
 * `--timeline` watches every event and prints each step's median time after the send, for all
 * orders and for the slowest second's (timeline.ts); its extra deliveries add to RabbitMQ's CPU.
 * PostgreSQL's commit rate for an outbox-shaped transaction is measured last, as the reference.
 */
import path from 'node:path';
import { signedInClient, startTestPlatform, E2E_AMQP_URL } from '../../test/e2e/support/test-platform.ts';
import type { ProcessName } from '../../scripts/platform.ts';
import { PG_URL } from '../../scripts/databases.ts';
import { outboxCommitRate } from './commit-rate.ts';
import { cpuByGroup, cpuSpent } from './cpu.ts';
import { latencies, sendOpenLoop } from './open-loop.ts';
import { watchOutcomes } from './outcomes.ts';
import { flashSale } from './flash-sale.ts';
import { describeSlowSeconds, slowSeconds } from './slow-seconds.ts';
import { describeTimeline, timeline } from './timeline.ts';
import { brokerMessagesSoFar, commitsSoFar, walFlushesSoFar } from './counters.ts';
import { describeStatements, statementsPerOrder, statementsSoFar, statementStatsMissing, type Snapshot } from './statements.ts';

const args = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const asJson = process.argv.includes('--json');
const say = asJson ? console.error : console.log;
const rates = (args[0] ?? '5,10,20').split(',').filter(Boolean).map(Number);
const seconds = Number(args[1] ?? 15);
// --profile=order,payment: those processes run with `node --cpu-prof`, profiles in bench/saga/.profiles
const profiled = (process.argv.find((arg) => arg.startsWith('--profile='))?.slice('--profile='.length).split(',') ?? []) as ProcessName[];
const profileEnv = Object.fromEntries(profiled.map((name) => [name, { NODE_ARGS: `--cpu-prof --cpu-prof-dir=${path.resolve('bench/saga/.profiles')}` }]));

const statementsMissing = await statementStatsMissing();
const statementsNow = async (): Promise<Snapshot> => (statementsMissing ? new Map() : await statementsSoFar());
const platform = await startTestPlatform(profileEnv, { productionTimings: true });
const api = await signedInClient(platform);
const showTimeline = process.argv.includes('--timeline');
const watch = await watchOutcomes(E2E_AMQP_URL, { everyEvent: showTimeline });
const productId = await api.createProduct({ stock: 1_000_000 });
// What happens with no orders at all (relay polls, sweeps, health checks), per second, so that
// "commits per order" counts only what orders cost. CPU is not subtracted: idle work is real.
// Measured after a few seconds of warm-up (start-up work is not idle work).
await new Promise((resolve) => setTimeout(resolve, 5_000));
const idleStart = { commits: await commitsSoFar(), flushes: await walFlushesSoFar(), cpu: cpuByGroup(), statements: await statementsNow() };
await new Promise((resolve) => setTimeout(resolve, 5_000));
const idleCommitsPerSecond = ((await commitsSoFar()) - idleStart.commits) / 5;
const idleFlushesPerSecond = ((await walFlushesSoFar()) - idleStart.flushes) / 5;
const idleStatementsPerSecond = statementsPerOrder(idleStart.statements, await statementsNow(), 5);
const idleCpu = [...cpuSpent(idleStart.cpu, cpuByGroup())].map(([group, ms]) => [group, ms / 5] as const).sort((a, b) => b[1] - a[1]);
const idleCpuPerSecond = idleCpu.reduce((sum, [, ms]) => sum + ms, 0);
// Warm-up, not measured (`--cold` skips it): the first orders after start-up run cold (V8 still
// interpreting, pools and sockets opening, statements being prepared). Measured at 8/s: every
// order above 200 ms of a 15 s run was sent in its first 1.7 s, each hop of them 5-10× slower.
// `--warmup=S` sets its length (default 3 s): the cold seconds can outlast three at higher rates.
const warmUpSeconds = Number(process.argv.find((arg) => arg.startsWith('--warmup='))?.slice('--warmup='.length) ?? 3);
if (!Number.isFinite(warmUpSeconds) || warmUpSeconds < 0) throw new Error('--warmup= takes a number of seconds');
if (!process.argv.includes('--cold')) {
  const warmUp = await sendOpenLoop(api, productId, rates[0]!, Math.max(10, Math.round(rates[0]! * warmUpSeconds)), performance.now());
  await watch.waitFor(warmUp.scheduled.keys(), 60_000);
}
say(`platform up${process.argv.includes('--cold') ? ' (cold: no warm-up)' : `, warmed up (${warmUpSeconds} s at the first rate, not measured)`}; ${seconds} s per rate; latency = scheduled send → order final (seen on the broker)\n`);
const results: Array<Record<string, unknown>> = [];
for (const rate of rates) {
  const before = { cpu: cpuByGroup(), commits: await commitsSoFar(), flushes: await walFlushesSoFar(), messages: await brokerMessagesSoFar(), statements: await statementsNow() };
  const started = performance.now();
  const { scheduled, answered, failed, refusals, retried } = await sendOpenLoop(api, productId, rate, rate * seconds, started);
  if (failed > 0) say(`  refused: ${JSON.stringify(refusals)}`);
  if (Object.keys(retried).length > 0) say(`  retried after Retry-After: ${JSON.stringify(retried)}`);
  await watch.waitFor(scheduled.keys(), 120_000);
  const latency = latencies(scheduled, watch.finished);
  const done = Math.max(1, latency.count);
  const elapsedSeconds = (performance.now() - started) / 1000;
  const commitsPerOrder = ((await commitsSoFar()) - before.commits - idleCommitsPerSecond * elapsedSeconds) / done;
  const walFlushesPerOrder = ((await walFlushesSoFar()) - before.flushes - idleFlushesPerSecond * elapsedSeconds) / done;
  const statements = statementsMissing ? undefined : statementsPerOrder(before.statements, await statementsNow(), done, { report: idleStatementsPerSecond, seconds: elapsedSeconds });
  const cpu = [...cpuSpent(before.cpu, cpuByGroup())].sort((a, b) => b[1] - a[1]).map(([group, ms]) => [group, ms / done] as const);
  await new Promise((resolve) => setTimeout(resolve, 6_000)); // the broker's counters are sampled every 5 s
  const messagesPerOrder = ((await brokerMessagesSoFar()) - before.messages) / done;
  const cpuTotal = cpu.reduce((sum, [, ms]) => sum + ms, 0);
  const completedPerSecond = latency.count / ((latency.lastFinal - started) / 1000);
  const slow = slowSeconds(scheduled, watch.finished, started);
  results.push({ rate, completedPerSecond, p50: latency.p50, p99: latency.p99, p999: latency.p999, commitsPerOrder, walFlushesPerOrder, messagesPerOrder, cpuMsPerOrder: Object.fromEntries(cpu), cpuMsPerOrderTotal: cpuTotal, statementsPerOrder: statements, slowSeconds: slow, failed, unfinished: latency.unfinished });
  say(`${String(rate).padStart(6)}/s  ${completedPerSecond.toFixed(1).padStart(8)}/s  p50 ${String(latency.p50).padStart(6)} ms  p99 ${String(latency.p99).padStart(6)} ms  p99.9 ${String(latency.p999).padStart(6)} ms  commits/order ${commitsPerOrder.toFixed(1)}  WAL flushes/order ${walFlushesPerOrder.toFixed(1)}  broker messages/order ${messagesPerOrder.toFixed(1)}  failed ${failed} unfinished ${latency.unfinished}`);
  say(`          CPU per completed order ${cpuTotal.toFixed(1)} ms: ${cpu.map(([group, ms]) => `${group} ${ms.toFixed(1)}`).join(', ')}`);
  say(`          ${describeSlowSeconds(slow)} (started ${new Date(Date.now() - (performance.now() - started)).toISOString().slice(11, 19)} UTC)`);
  if (showTimeline) say(`          ${describeTimeline(timeline(scheduled, answered, watch.seen, started, slow[0]?.second), slow[0]?.second)}`);
  for (const line of statements ? describeStatements(statements, process.argv.includes('--statements')) : [`no statement counts: ${statementsMissing}`]) say(`          ${line}`);
}
let flash: Awaited<ReturnType<typeof flashSale>> | undefined;
if (process.argv.includes('--flash')) {
  flash = await flashSale(api, watch, { units: 100, orders: 2_000, seconds: 10, backgroundRate: 5 });
  say(`\nflash sale: ${flash.units} units, ${flash.orders} orders in ${flash.seconds} s (${flash.accepted} accepted, ${flash.refused} refused${flash.refused > 0 ? `: ${JSON.stringify(flash.refusals)}` : ''}), ordinary orders at ${flash.backgroundRate}/s meanwhile`);
  say(`  sold ${flash.sold} (p99 to final ${flash.soldP99} ms); out_of_stock ${flash.outOfStock} (p50 ${flash.outOfStockP50} ms, p99 ${flash.outOfStockP99} ms); cancelled otherwise ${flash.cancelledOtherwise}; unfinished ${flash.unfinished}; all final ${flash.lastFinalSeconds.toFixed(1)} s after the first`);
  say(`  product after: ${JSON.stringify(flash.stockAfter)}; ordinary orders: ${flash.ordinary.count} completed, p50 ${flash.ordinary.p50} ms, p99 ${flash.ordinary.p99} ms, refused ${flash.ordinary.refused}${flash.ordinary.refused > 0 ? ` ${JSON.stringify(flash.ordinary.refusals)}` : ''}`);
}
await watch.close();
await platform.stopAll();

const commitRate = await outboxCommitRate(PG_URL, 8, 5_000);
if (asJson) {
  console.log(JSON.stringify({ date: new Date().toISOString(), outboxCommitsPerSecond: commitRate, idleCommitsPerSecond, idleCpuMsPerSecond: idleCpuPerSecond, idleCpuByProcess: Object.fromEntries(idleCpu), results, flash }, null, 2));
  process.exit(0);
}
console.log(`\nPostgreSQL, outbox-shaped transaction (UPDATE a row + INSERT an outbox row), raw pg, 8 workers: ${Math.round(commitRate)} commits/s`);
console.log(`with no orders: ${idleCommitsPerSecond.toFixed(1)} commits/s and ${idleFlushesPerSecond.toFixed(1)} WAL flushes/s (subtracted from the counts per order), ${idleCpuPerSecond.toFixed(0)} ms of CPU per second (not subtracted): ${idleCpu.map(([group, ms]) => `${group} ${ms.toFixed(0)}`).join(', ')}`);
process.exit(0);
