/**
 * `pnpm bench:ledger [seconds] [workers]`: committed transfers/s through the ledger's own code
 * (Prisma, one transaction per transfer, as the consumer records them), in four shapes:
 *   - hot, 1 row:   every transfer is a charge touching the one fee-revenue and clearing account,
 *                   each with a single balance row (what a naive ledger does);
 *   - hot, slots:   the same charges, the hot accounts spread over balance slots (what we do);
 *   - spread:       the same charges in 1,000 currencies, so no two share an account;
 *   - PostgreSQL:   raw single-row UPDATE commits on one row (the database's own ceiling for a
 *                   hot row), measured in the same run.
 * Durability: every transfer is committed (synchronous_commit as configured) before it counts.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { databaseUrl, PG_ADMIN_URL, uniqueName } from '../../shared/test/support/env.ts';
import { E2E_TEMPLATE_PREFIX } from '../../scripts/databases.ts';
import { connectDatabase } from '../../services/ledger/src/data-access/database.ts';
import { ledgerStore } from '../../services/ledger/src/data-access/ledger-store.ts';
import { recordCharge } from '../../services/ledger/src/domain/record-charge.ts';

const seconds = Number(process.argv[2] ?? 10);
const workers = Number(process.argv[3] ?? 16);

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

async function run(work: () => Promise<unknown>): Promise<number> {
  let done = 0;
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < deadline) {
        await work();
        done += 1;
      }
    }),
  );
  return done / seconds;
}

async function ledgerRate(slots: number, shape: 'hot' | 'spread'): Promise<number> {
  const name = uniqueName('bench_ledger');
  await admin(`CREATE DATABASE "${name}" TEMPLATE "${E2E_TEMPLATE_PREFIX}_ledger"`);
  const db = connectDatabase(databaseUrl(name), workers + 2);
  const settings = { defaultFee: { bps: 290, fixedMinor: 30n }, hotAccountSlots: slots };
  const cause = { eventId: 'bench', correlationId: 'bench' };
  try {
    if (shape === 'hot') {
      const merchants = Array.from({ length: 1_000 }, () => randomUUID());
      return await run(() =>
        db.transaction((tx) => recordCharge({ store: ledgerStore(tx, settings), publish: async () => undefined, cause }, { paymentId: randomUUID(), orderId: randomUUID(), customerId: null, merchantId: merchants[Math.floor(Math.random() * merchants.length)]!, amountMinor: 1_000, currency: 'EUR' })),
      );
    }
    // The same charges, each in one of 1,000 currencies: nothing is shared but the code path.
    const currencies = Array.from({ length: 1_000 }, (_, i) => String.fromCharCode(65 + (i % 26), 65 + (Math.floor(i / 26) % 26), 65 + Math.floor(i / 676)));
    return await run(() =>
      db.transaction((tx) => recordCharge({ store: ledgerStore(tx, settings), publish: async () => undefined, cause }, { paymentId: randomUUID(), orderId: randomUUID(), customerId: null, merchantId: randomUUID(), amountMinor: 1_000, currency: currencies[Math.floor(Math.random() * currencies.length)]! })),
    );
  } finally {
    await db.$disconnect();
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

async function singleRowRate(): Promise<number> {
  const name = uniqueName('bench_row');
  await admin(`CREATE DATABASE "${name}"`);
  const pool = new pg.Pool({ connectionString: databaseUrl(name), max: workers });
  pool.on('error', () => undefined);
  try {
    await pool.query('CREATE TABLE counter (id int PRIMARY KEY, n bigint NOT NULL); INSERT INTO counter VALUES (1, 0)');
    return await run(() => pool.query('UPDATE counter SET n = n + 1 WHERE id = 1'));
  } finally {
    await pool.end();
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

const results = {
  hotOneRow: await ledgerRate(1, 'hot'),
  hotSlots16: await ledgerRate(16, 'hot'),
  spread: await ledgerRate(16, 'spread'),
  postgresSingleRow: await singleRowRate(),
};
const fmt = (value: number) => `${Math.round(value).toLocaleString('en')}/s`;
console.log(`${seconds} s each, ${workers} workers`);
console.log(`charges, hot accounts with one balance row : ${fmt(results.hotOneRow)}`);
console.log(`charges, hot accounts over 16 slots        : ${fmt(results.hotSlots16)}  (${Math.round((100 * results.hotSlots16) / results.spread)} % of spread)`);
console.log(`charges spread over 1,000 currencies       : ${fmt(results.spread)}`);
console.log(`PostgreSQL single-row UPDATE commits       : ${fmt(results.postgresSingleRow)}`);
if (process.argv.includes('--json')) console.log(JSON.stringify(results));
