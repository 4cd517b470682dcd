import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { createEnvelope, type Envelope } from '@platform/shared/envelope';
import { PaymentSucceeded } from '@platform/shared/events/catalog';
import { closingWork, handlerContext } from '@platform/shared/consumer/apply-steps';
import { bufferedOutbox } from '@platform/shared/outbox/write-events';
import { PgSql, sqlTransaction } from '@platform/shared/service/sql-transaction';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import { cloneServiceDatabase } from '../../../scripts/databases.ts';
import { AccountCache } from '../src/data-access/account-cache.ts';
import { waitFor } from '../../../shared/test/support/wait.ts';
import { verifyLedger } from '../src/data-access/verify-ledger.ts';
import { ledgerHandlers } from '../src/entry-points/messaging-handlers.ts';

const SOURCE = '/services/ledger';
const DEADLOCK = '40P01';

// Two consumer batches that each record charges for the same two merchants, in opposite orders,
// at the same time. Every charge moves free balance rows (the merchant's payable, clearing,
// fees): taken per charge, one batch held a merchant's row the other needed while waiting for
// a row that one held — a deadlock PostgreSQL breaks after its 1 s timeout by failing a batch
// (seen about once a second in `pnpm bench:saga`). The batch path defers those rows to one
// sorted statement at its end, so both batches commit.
describe('balance rows of a batch of charges', () => {
  let database: Awaited<ReturnType<typeof cloneServiceDatabase>>;
  let pool: pg.Pool;
  const handlers = ledgerHandlers({ defaultFee: { bps: 290, fixedMinor: 30n }, hotAccountSlots: 1, accounts: new AccountCache() });
  const charge = handlers.find((candidate) => candidate.definition.type === PaymentSucceeded.type)!;
  const succeeded = (merchantId: string, amountMinor: number) => {
    const orderId = randomUUID();
    const data = { orderId, paymentId: randomUUID(), amountMinor, currency: 'EUR', method: 'CARD' as const, customerId: randomUUID(), merchantId };
    return createEnvelope('/services/payment', { definition: PaymentSucceeded, subject: orderId, data });
  };
  /** As the consumer's batch runs its handlers: one transaction, the closing work, then the outbox. */
  const inBatch = (steps: (apply: (envelope: Envelope) => Promise<void>) => Promise<void>) =>
    sqlTransaction(pool, async (tx: SqlTransaction) => {
      const outbox = bufferedOutbox(tx);
      const closing = closingWork();
      await steps((envelope) => charge.handle(envelope.data, handlerContext(tx, envelope, (cause) => outbox.publisher({ source: SOURCE, cause }), () => undefined, closing.add)));
      await closing.run();
      await outbox.flush();
    });
  const merchantBalance = async (merchantId: string) =>
    BigInt(
      (
        await pool.query<{ credits: string }>(
          "SELECT COALESCE(sum(b.credits_posted), 0)::bigint AS credits FROM account_balance b JOIN account a ON a.id = b.account_id WHERE a.type = 'merchant_payable' AND a.owner_key = $1",
          [merchantId],
        )
      ).rows[0]!.credits,
    );

  before(async () => {
    database = await cloneServiceDatabase('ledger');
    pool = database.pool;
  });
  after(() => database.drop());

  it('when two batches charge the same two merchants in opposite orders at once, then both commit with no deadlock and the books add up', async () => {
    const [first, second] = [randomUUID(), randomUUID()];
    // The merchants' accounts sort before the shared clearing and fee rows (one slot each), so
    // rows taken per charge would be: this merchant's, then the shared ones.
    for (const [index, merchant] of [first, second].entries()) {
      await pool.query("INSERT INTO account (id, type, owner_key, currency, rule, slots) VALUES ($1, 'merchant_payable', $2, 'EUR', 'none', 1)", [`00000000-0000-4000-8000-00000000000${index + 1}`, merchant]);
    }
    // Balance rows exist already (earlier charges), as in a running ledger.
    await inBatch(async (apply) => {
      await apply(succeeded(first, 100));
      await apply(succeeded(second, 100));
    });
    const before = { first: await merchantBalance(first), second: await merchantBalance(second) };
    // Each batch applies its first charge, then its second once the other has applied its first
    // too, or is seen waiting for a lock (rows taken per charge: it waits on this one's).
    let applied = 0;
    const lockWaiters = async () => Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")).rows[0]!.n);
    const afterTheOther = async () => {
      applied += 1;
      await waitFor('the other batch to apply its first charge or wait for a lock', async () => applied === 2 || (await lockWaiters()) > 0, 10_000, 10);
    };
    const results = await Promise.allSettled([
      inBatch(async (apply) => {
        await apply(succeeded(first, 1_000));
        await afterTheOther();
        await apply(succeeded(second, 1_000));
      }),
      inBatch(async (apply) => {
        await apply(succeeded(second, 2_000));
        await afterTheOther();
        await apply(succeeded(first, 2_000));
      }),
    ]);
    const deadlocked = results.filter((result) => result.status === 'rejected' && (result.reason as { code?: string }).code === DEADLOCK);
    assert.equal(deadlocked.length, 0, 'no batch was broken by a deadlock');
    assert.deepEqual(
      results.map((result) => result.status),
      ['fulfilled', 'fulfilled'],
    );
    const fee = (amount: bigint) => (amount * 290n) / 10_000n + 30n;
    assert.equal((await merchantBalance(first)) - before.first, 3_000n - fee(1_000n) - fee(2_000n));
    assert.equal((await merchantBalance(second)) - before.second, 3_000n - fee(1_000n) - fee(2_000n));
    assert.deepEqual(await verifyLedger(new PgSql(pool)), []);
  });
});
