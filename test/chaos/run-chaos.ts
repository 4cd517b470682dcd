/**
 * A seeded chaos run: the platform under a supervisor that restarts whatever dies, open-loop
 * orders at a fixed rate, and the seed's fault schedule applied meanwhile (SIGKILLs, broker and
 * database connections cut, Redis clients killed, the gateway simulator down). Then it waits for
 * quiescence and checks what must hold: every accepted order final, no 5xx but 503 with
 * Retry-After, idempotent re-sends answered with the first order, no DLQ holding a message, and
 * the money audit over every database.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { closeConnections } from '../../scripts/broker-setup.ts';
import { databaseUrlFor, PG_URL } from '../../scripts/databases.ts';
import { checkBooks } from '../../scripts/money-audit/check-books.ts';
import { readBooks } from '../../scripts/money-audit/read-books.ts';
import type { ProcessName } from '../../scripts/platform.ts';
import { PLATFORM_QUEUES } from '../../shared/src/amqp/platform-topology.ts';
import { E2E_VHOST, signedInClient, startTestPlatform, type TestPlatform } from '../e2e/support/test-platform.ts';
import { faultSchedule, prng, type Fault } from './fault-schedule.ts';
import { accept, dlqDepths, type ClientLog } from './chaos-client.ts';

export interface ChaosOptions {
  seed: number;
  rate: number;
  durationMs: number;
  /** How long after the last fault every accepted order must be final. */
  settleWithinMs?: number;
  log?: (line: string) => void;
}

export interface ChaosResult {
  schedule: Fault[];
  clients: ClientLog;
  quiescenceMs: number | null;
  checks: Array<{ name: string; passed: boolean; detail: string }>;
}

const SUPERVISED: readonly ProcessName[] = ['order', 'inventory', 'payment', 'ledger', 'notification', 'auth', 'relay', 'psp', 'smtp', 'gateway'];

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const schedule = faultSchedule(options.seed, options.durationMs);
  for (const fault of schedule) log(`fault at ${(fault.atMs / 1000).toFixed(1)}s: ${fault.kind}${fault.target ? ` ${fault.target}` : ''}${fault.downMs ? ` for ${fault.downMs} ms` : ''}`);
  // Retries long enough to outlive a fault (the e2e default gives up after under 2 s), short enough for a test.
  const retries = { RETRY_DELAYS_MS: '200,500,1000,2000,5000,10000,20000,30000' };
  const platform = await startTestPlatform({ order: { ...retries, ORDER_DEADLINE_MS: '600000' }, inventory: retries, payment: retries, ledger: retries, notification: retries });
  const heldDown = new Set<ProcessName>();
  const supervisor = setInterval(() => {
    for (const name of SUPERVISED) if (!heldDown.has(name) && !platform.isRunning(name)) platform.start(name);
  }, 300);
  try {
    return await drive(platform, options, schedule, heldDown, log);
  } finally {
    clearInterval(supervisor);
    await platform.stopAll();
  }
}

async function drive(platform: TestPlatform, options: ChaosOptions, schedule: Fault[], heldDown: Set<ProcessName>, log: (line: string) => void): Promise<ChaosResult> {
  const api = await signedInClient(platform);
  const plenty = await Promise.all([1, 2, 3].map(() => api.createProduct({ stock: 100_000, priceMinor: 900 })));
  const scarce = await api.createProduct({ stock: 15, priceMinor: 2_500 });
  const random = prng(options.seed ^ 0x5eed);
  const clients: ClientLog = { statuses: {}, accepted: [], replayMismatches: 0, errors: [] };

  const started = Date.now();
  const inFlight: Promise<void>[] = [];
  const faults = schedule.map((fault) => new Promise<void>((resolve) => setTimeout(() => void apply(platform, fault, heldDown, log).catch((error: unknown) => log(`fault ${fault.kind} failed: ${String(error)}`)).finally(resolve), fault.atMs)));
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
  const { books, ledgerProblems } = await readBooks('e2e');
  const breaches = [...ledgerProblems.map((problem) => `ledger: ${problem.check} [${problem.ids.join(', ')}]`), ...checkBooks(books).map((breach) => `${breach.rule}: ${breach.detail} [${breach.ids.join(', ')}]`)];
  const dlqs = await dlqDepths(PLATFORM_QUEUES.map((queue) => queue.queue));
  const bad5xx = Object.entries(clients.statuses).filter(([status]) => Number(status) >= 500 && status !== '503+retry-after');
  const checks = [
    { name: 'every accepted order final', passed: quiescenceMs !== null && quiescenceMs <= settleWithinMs, detail: `${clients.accepted.length} orders, final ${quiescenceMs === null ? 'never' : `${Math.round(quiescenceMs)} ms`} after the last fault (bound ${settleWithinMs} ms)` },
    { name: 'no 5xx but 503 with Retry-After', passed: bad5xx.length === 0, detail: JSON.stringify(clients.statuses) },
    { name: 'idempotent re-sends answered with the first order', passed: clients.replayMismatches === 0, detail: `${clients.replayMismatches} mismatches` },
    { name: 'no message in a DLQ', passed: Object.values(dlqs).every((depth) => depth === 0), detail: JSON.stringify(dlqs) },
    { name: 'money audit', passed: breaches.length === 0, detail: breaches.slice(0, 5).join('; ') || `${books.orders.length} orders, ${books.payments.length} payments, ${books.gatewayCharges.length} charges agree` },
  ];
  for (const check of checks) log(`${check.passed ? '✓' : '✗'} ${check.name}: ${check.detail}`);
  log(`${checks.filter((check) => check.passed).length} passed, ${checks.filter((check) => !check.passed).length} failed`);
  return { schedule, clients, quiescenceMs, checks };
}

async function apply(platform: TestPlatform, fault: Fault, heldDown: Set<ProcessName>, log: (line: string) => void): Promise<void> {
  if (fault.kind === 'kill') await platform.stop(fault.target as ProcessName, 'SIGKILL');
  else if (fault.kind === 'broker-connections') log(`closed ${await closeConnections(E2E_VHOST)} broker connections`);
  else if (fault.kind === 'database-connections') await withPg((client) => client.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname LIKE 'e2e\\_%' AND pid <> pg_backend_pid()"));
  else if (fault.kind === 'redis-connections') {
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true });
    await redis.connect();
    await redis.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
    redis.disconnect();
  } else {
    heldDown.add('psp');
    await platform.stop('psp', 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, fault.downMs));
    heldDown.delete('psp');
  }
}

async function withPg<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Milliseconds from `since` until every accepted order is final, or null if not within `limitMs`. */
async function untilAllFinal(orderIds: readonly string[], since: number, limitMs: number): Promise<number | null> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    const open = await openOrders(orderIds).catch(() => -1);
    if (open === 0) return Date.now() - since;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return null;
}

async function openOrders(orderIds: readonly string[]): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrlFor('order', 'e2e') });
  await client.connect();
  try {
    const { rows } = await client.query<{ open: number }>("SELECT count(*)::int AS open FROM orders WHERE id = ANY($1::uuid[]) AND status NOT IN ('COMPLETED', 'CANCELLED')", [orderIds]);
    return rows[0]?.open ?? 0;
  } finally {
    await client.end();
  }
}
