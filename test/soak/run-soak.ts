/**
 * A soak run: many orders through the platform with short retention windows, then a check that
 * nothing grew without bound. Every accepted order must end, the queues drain (events.unrouted
 * and every DLQ empty), and once the windows have passed the outbox, inbox, idempotency and
 * parking tables hold only rows inside their windows; the money audit passes.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { databaseUrlFor } from '../../scripts/databases.ts';
import { checkBooks } from '../../scripts/money-audit/check-books.ts';
import { readBooks } from '../../scripts/money-audit/read-books.ts';
import { SERVICES, type ProcessName } from '../../scripts/platform.ts';
import { signedInClient, startTestPlatform } from '../e2e/support/test-platform.ts';
import { accept, type ClientLog } from '../chaos/chaos-client.ts';
import { prng } from '../chaos/fault-schedule.ts';
import { queuesLeftOver, untilAllFinal } from '../chaos/quiescence.ts';

export interface SoakOptions {
  orders: number;
  rate: number;
  /** The retention window of the outbox, inbox and idempotency keys, in seconds. */
  windowSeconds: number;
  log?: (line: string) => void;
}

export interface SoakResult {
  accepted: number;
  checks: Array<{ name: string; passed: boolean; detail: string }>;
}

const RETRY_DELAYS_MS = [200, 500, 1_000];
const SWEEP_MS = 2_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const hours = String(options.windowSeconds / 3600);
  const windows = { OUTBOX_RETENTION_HOURS: hours, INBOX_RETENTION_HOURS: hours, IDEMPOTENCY_RETENTION_HOURS: hours, MESSAGING_RETENTION_SWEEP_MS: String(SWEEP_MS) };
  const env: Partial<Record<ProcessName, Record<string, string>>> = Object.fromEntries(SERVICES.map((service) => [service, windows]));
  env.payment = { ...windows, INTENT_TOKEN_RETENTION_HOURS: hours, INTENT_SWEEP_INTERVAL_MS: String(SWEEP_MS) };
  env.auth = { ACCESS_TOKEN_SECONDS: '3600' }; // the run outlasts the default five-minute token
  const platform = await startTestPlatform(env);
  try {
    const api = await signedInClient(platform);
    const plenty = await api.createProduct({ stock: options.orders * 3, priceMinor: 900 });
    const scarce = await api.createProduct({ stock: Math.ceil(options.orders / 50), priceMinor: 2_500 });
    const random = prng(options.orders);
    const clients: ClientLog = { statuses: {}, accepted: [], replayMismatches: 0, errors: [] };
    const started = Date.now();
    const inFlight: Promise<void>[] = [];
    for (let n = 0; n < options.orders; n++) {
      const due = started + (n * 1000) / options.rate;
      if (due > Date.now()) await sleep(due - Date.now());
      const productId = random() < 0.1 ? scarce : plenty;
      inFlight.push(accept(api, clients, { productId, quantity: 1 + Math.floor(random() * 3), cardToken: random() < 0.1 ? 'tok_chargeDeclined' : 'tok_visa', key: randomUUID(), resend: random() < 0.05 }));
      if (n % 1_000 === 999) log(`${n + 1} orders sent`);
    }
    await Promise.all(inFlight);
    const lastOrder = Date.now();
    log(`load done in ${((lastOrder - started) / 1000).toFixed(0)} s: ${clients.accepted.length} accepted; statuses ${JSON.stringify(clients.statuses)}`);
    const quiescenceMs = await untilAllFinal(clients.accepted, lastOrder, 180_000);
    const leftOver = await queuesLeftOver(RETRY_DELAYS_MS);
    // Past every window, with two sweeps to spare: only rows inside the windows may remain.
    await sleep(options.windowSeconds * 1000 + 3 * SWEEP_MS);
    const tables = await tablesPastRetention(options.windowSeconds + (2 * SWEEP_MS) / 1000);
    // Its outbox rows are gone by now: the timeline tells the story from the event history.
    const sample = clients.accepted[0];
    const story = sample ? (await api.timeline(sample)).events.map((event) => event.type) : [];
    const { books, ledgerProblems } = await readBooks('e2e');
    const breaches = [...ledgerProblems.map((problem) => problem.check), ...checkBooks(books).map((breach) => `${breach.rule} [${breach.ids.join(', ')}]`)];
    const stale = Object.entries(tables).filter(([, counts]) => counts.stale > 0);
    const checks = [
      { name: 'every accepted order final', passed: quiescenceMs !== null, detail: `${clients.accepted.length} orders, final ${quiescenceMs === null ? 'never' : `${Math.round(quiescenceMs)} ms`} after the last was sent` },
      { name: 'events.unrouted, every DLQ and every queue empty, nothing parked', passed: Object.keys(leftOver).length === 0, detail: JSON.stringify(leftOver) },
      { name: 'outbox, inbox, idempotency keys, payment intents and parked messages only inside their windows', passed: stale.length === 0, detail: JSON.stringify(tables) },
      { name: 'an order’s timeline still whole after its outbox rows went', passed: story.includes('order.placed.v1') && story.some((type) => type === 'order.completed.v1' || type === 'order.cancelled.v1'), detail: story.join(' → ') },
      { name: 'money audit', passed: breaches.length === 0, detail: breaches.slice(0, 5).join('; ') || `${books.orders.length} orders agree` },
    ];
    for (const check of checks) log(`${check.passed ? '✓' : '✗'} ${check.name}: ${check.detail}`);
    log(`${checks.filter((check) => check.passed).length} passed, ${checks.filter((check) => !check.passed).length} failed`);
    return { accepted: clients.accepted.length, checks };
  } finally {
    await platform.stopAll();
  }
}

/** Per service database: rows left in each bounded table, and how many are older than `seconds`. */
async function tablesPastRetention(seconds: number): Promise<Record<string, { rows: number; stale: number }>> {
  const tables = [
    ['outbox', 'published_at'],
    ['inbox', 'processed_at'],
    ['idempotency_record', 'created_at'],
    ['parked_message', 'parked_at'],
    ['payment_intent', 'created_at'],
  ] as const;
  const result: Record<string, { rows: number; stale: number }> = {};
  for (const service of SERVICES) {
    const client = new pg.Client({ connectionString: databaseUrlFor(service, 'e2e') });
    await client.connect();
    try {
      for (const [table, column] of tables) {
        const { rows } = await client.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [table]);
        if (!rows[0]?.exists) continue;
        const past = `${column} < now() - make_interval(secs => $1)`;
        const stale =
          table === 'outbox' ? `${column} IS NULL OR ${past}` // nothing may be left unpublished
          : table === 'parked_message' ? 'true' // nothing may wait
          : table === 'payment_intent' ? `${past} AND (card_token_encrypted IS NOT NULL OR EXISTS (SELECT 1 FROM payment p WHERE p.order_id = payment_intent.order_id AND p.status <> 'INITIATED'))` // used: gone; unused: token erased
          : past;
        const counted = await client.query<{ rows: number; stale: number }>(`SELECT count(*)::int AS rows, (count(*) FILTER (WHERE ${stale}))::int AS stale FROM ${table}`, stale.includes('$1') ? [seconds] : []);
        result[`${service}.${table}`] = counted.rows[0] ?? { rows: 0, stale: 0 };
      }
    } finally {
      await client.end();
    }
  }
  return result;
}
