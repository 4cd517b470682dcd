/**
 * A seeded chaos run: the platform with two instances of every service, relay and API gateway
 * (each service behind a balancer), reaching PostgreSQL and RabbitMQ through fault proxies,
 * under a supervisor that restarts whatever dies; open-loop orders at a fixed rate; and the seed's
 * fault schedule applied meanwhile (SIGKILLs, broker/database/Redis connections cut, the broker
 * node, PostgreSQL and Redis stopped and started, the gateway simulator down, latency, dropped
 * and cut links). Then it waits for quiescence and checks what must hold: every accepted order
 * final, no 5xx but 503 with Retry-After, idempotent re-sends answered with the first order, no
 * message left in a service queue or a DLQ, and the money audit over every database.
 */
import { randomUUID } from 'node:crypto';
import { startFaultProxy } from '../../scripts/faults/tcp-fault-proxy.ts';
import { checkBooks } from '../../scripts/money-audit/check-books.ts';
import { readBooks } from '../../scripts/money-audit/read-books.ts';
import type { ProcessName } from '../../scripts/platform.ts';
import { signedInClient, startTestPlatform, type TestPlatform } from '../e2e/support/test-platform.ts';
import { describeFault, faultSchedule, prng, type Fault } from './fault-schedule.ts';
import { accept, type ClientLog } from './chaos-client.ts';
import { applyFault, type FaultTargets } from './apply-fault.ts';
import { ensureServersUp } from './server-faults.ts';
import { queuesLeftOver, untilAllFinal } from './quiescence.ts';

export interface ChaosOptions {
  seed: number;
  rate: number;
  durationMs: number;
  /** How long after the last fault every accepted order must be final. */
  settleWithinMs?: number;
  /** Instances of each service, relay and API gateway (default 2). */
  replicas?: number;
  /** Faults to apply instead of the seed's (a long outage of one server, say). */
  schedule?: Fault[];
  /** The services' retry delays (default: RETRY_DELAYS_MS, about 70 s in all). */
  retryDelaysMs?: readonly number[];
  log?: (line: string) => void;
}

export interface ChaosResult {
  schedule: Fault[];
  clients: ClientLog;
  quiescenceMs: number | null;
  checks: Array<{ name: string; passed: boolean; detail: string }>;
  /** Processes that ended on their own (not by a fault's SIGKILL), each restarted by the supervisor. */
  exits: string[];
}

const SUPERVISED: readonly ProcessName[] = ['order', 'inventory', 'payment', 'ledger', 'notification', 'auth', 'relay', 'psp', 'smtp', 'gateway'];
const LINK_PORTS = { postgres: 18390, rabbitmq: 18391 };
/** Retries long enough to outlive most faults (the e2e default gives up after under 2 s), short enough for a run. */
const RETRY_DELAYS_MS = [200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 30_000];

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const replicas = options.replicas ?? 2;
  const schedule = options.schedule ?? faultSchedule(options.seed, options.durationMs, { replicas });
  log(`${options.schedule ? 'given schedule' : `seed ${options.seed}`}: ${replicas} instances of each service, relay and API gateway; ${schedule.length} faults`);
  for (const fault of schedule) log(`fault at ${describeFault(fault)}`);
  // Two instances of everything must stay under PostgreSQL's 100 connections: pools of 6 (a
  // standby instance uses one or two), one relay lane. Each handler holds a connection for its
  // transaction, so the prefetch stays below the pool (a pool of 3 under a prefetch of 6 starved
  // HTTP into a storm of 503s at 15 orders/s; a prefetch of 2 could not keep up with 15/s). The
  // end-to-end defaults' 100–200 ms sweeps are slowed: twice over they cost real CPU here.
  const retryDelaysMs = options.retryDelaysMs ?? RETRY_DELAYS_MS;
  const retries = { RETRY_DELAYS_MS: retryDelaysMs.join(','), DATABASE_POOL_SIZE: '6', CONSUMER_PREFETCH: '5' };
  const links = {
    postgres: await startFaultProxy({ host: '127.0.0.1', port: 5432 }, LINK_PORTS.postgres),
    rabbitmq: await startFaultProxy({ host: '127.0.0.1', port: 5672 }, LINK_PORTS.rabbitmq),
  };
  let platform: TestPlatform | undefined;
  let supervisor: NodeJS.Timeout | undefined;
  try {
    platform = await startTestPlatform(
      {
        order: { ...retries, ORDER_DEADLINE_MS: '600000' },
        inventory: { ...retries, SWEEP_INTERVAL_MS: '1000' },
        payment: { ...retries, PAYMENT_SWEEP_INTERVAL_MS: '1000', INTENT_SWEEP_INTERVAL_MS: '5000' },
        ledger: retries,
        notification: { ...retries, NOTICE_SEND_INTERVAL_MS: '500' },
        auth: { DATABASE_POOL_SIZE: '3', ACCESS_TOKEN_SECONDS: '3600' },
        psp: { DATABASE_POOL_SIZE: '4', PSP_JOB_INTERVAL_MS: '250' },
        relay: { RELAY_LANES: '1', RELAY_POLL_INTERVAL_MS: '1000' },
      },
      { replicas, pgPort: links.postgres.port, amqpPort: links.rabbitmq.port },
    );
    const running = platform;
    const heldDown = new Set<string>();
    const exits: string[] = [];
    supervisor = setInterval(() => {
      for (const name of SUPERVISED) {
        for (let instance = 0; instance < running.instancesOf(name); instance++) {
          if (heldDown.has(`${name}#${instance}`) || running.isRunning(name, instance)) continue;
          // The faults kill with SIGKILL; a process that ended with an exit code of its own crashed (or gave up starting).
          const exit = running.exitOf(name, instance);
          if (exit && exit.signal === null) exits.push(`${name}#${instance} exited with code ${exit.code}`);
          running.start(name, {}, instance);
        }
      }
    }, 300);
    const result = await drive({ platform, links, heldDown, log }, options, schedule);
    if (exits.length > 0) log(`processes that ended on their own (restarted): ${exits.join('; ')}`);
    return { ...result, exits };
  } finally {
    clearInterval(supervisor);
    await platform?.stopAll();
    await Promise.all([links.postgres.close(), links.rabbitmq.close()]);
    await ensureServersUp();
  }
}

async function drive(targets: FaultTargets, options: ChaosOptions, schedule: Fault[]): Promise<Omit<ChaosResult, 'exits'>> {
  const { platform, log } = targets;
  const api = await signedInClient(platform);
  const plenty = await Promise.all([1, 2, 3].map(() => api.createProduct({ stock: 100_000, priceMinor: 900 })));
  const scarce = await api.createProduct({ stock: 15, priceMinor: 2_500 });
  const random = prng(options.seed ^ 0x5eed);
  const clients: ClientLog = { statuses: {}, accepted: [], replayMismatches: 0, errors: [] };

  const started = Date.now();
  const inFlight: Promise<void>[] = [];
  const failedFaults: string[] = [];
  const faults = schedule.map(
    (fault) =>
      new Promise<void>((resolve) =>
        setTimeout(() => {
          log(`applying ${describeFault(fault)}`);
          void applyFault(targets, fault)
            .catch((error: unknown) => failedFaults.push(`${describeFault(fault)}: ${String(error)}`))
            .finally(resolve);
        }, fault.atMs),
      ),
  );
  // Open loop: orders leave on schedule whether or not earlier ones were answered.
  for (let n = 0; Date.now() - started < options.durationMs; n++) {
    const due = started + (n * 1000) / options.rate;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    const productId = random() < 0.15 ? scarce : plenty[Math.floor(random() * plenty.length)]!;
    const cardToken = random() < 0.1 ? 'tok_chargeDeclined' : 'tok_visa';
    inFlight.push(accept(api, clients, { productId, quantity: 1 + Math.floor(random() * 3), cardToken, key: randomUUID(), resend: random() < 0.1 }));
  }
  await Promise.all(faults);
  const lastFault = Date.now();
  await Promise.all(inFlight);
  log(`load done: ${clients.accepted.length} orders accepted; statuses ${JSON.stringify(clients.statuses)}`);

  const settleWithinMs = options.settleWithinMs ?? 60_000;
  const quiescenceMs = await untilAllFinal(clients.accepted, lastFault, settleWithinMs * 2);
  log(`quiescence ${quiescenceMs === null ? 'not reached' : `${(quiescenceMs / 1000).toFixed(1)} s after the last fault`}`);
  // Orders are final before every service has caught up (the ledger journals beside the saga):
  // the books are read once the queues have drained.
  const leftOver = await queuesLeftOver(options.retryDelaysMs ?? RETRY_DELAYS_MS);
  const { books, ledgerProblems } = await readBooks('e2e');
  const breaches = [...ledgerProblems.map((problem) => `ledger: ${problem.check} [${problem.ids.join(', ')}]`), ...checkBooks(books).map((breach) => `${breach.rule}: ${breach.detail} [${breach.ids.join(', ')}]`)];
  const bad5xx = Object.entries(clients.statuses).filter(([status]) => Number(status) >= 500 && status !== '503+retry-after');
  const checks = [
    { name: 'every accepted order final', passed: quiescenceMs !== null && quiescenceMs <= settleWithinMs, detail: `${clients.accepted.length} orders, final ${quiescenceMs === null ? 'never' : `${Math.round(quiescenceMs)} ms`} after the last fault (bound ${settleWithinMs} ms)` },
    { name: 'no 5xx but 503 with Retry-After', passed: bad5xx.length === 0, detail: JSON.stringify(clients.statuses) },
    { name: 'idempotent re-sends answered with the first order', passed: clients.replayMismatches === 0, detail: `${clients.replayMismatches} mismatches` },
    { name: 'every fault applied', passed: failedFaults.length === 0, detail: failedFaults.join('; ') || `${schedule.length} faults` },
    { name: 'no message left in a service queue, a DLQ or events.unrouted, none parked', passed: Object.keys(leftOver).length === 0, detail: JSON.stringify(leftOver) },
    { name: 'money audit', passed: breaches.length === 0, detail: breaches.slice(0, 5).join('; ') || `${books.orders.length} orders, ${books.payments.length} payments, ${books.gatewayCharges.length} charges agree` },
  ];
  for (const check of checks) log(`${check.passed ? '✓' : '✗'} ${check.name}: ${check.detail}`);
  log(`${checks.filter((check) => check.passed).length} passed, ${checks.filter((check) => !check.passed).length} failed`);
  return { schedule, clients, quiescenceMs, checks };
}
