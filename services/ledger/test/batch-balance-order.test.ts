import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { createEnvelope, type Envelope } from '@platform/shared/envelope';
import { InventoryCommitted, PaymentSucceeded, WalletToppedUp } from '@platform/shared/events/catalog';
import { closingWork, handlerContext } from '@platform/shared/consumer/apply-steps';
import { bufferedOutbox } from '@platform/shared/outbox/write-events';
import { PgSql, sqlTransaction } from '@platform/shared/service/sql-transaction';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import { cloneServiceDatabase } from '../../../scripts/databases.ts';
import { AccountCache } from '../src/data-access/account-cache.ts';
import { afterTheOtherOrItsLockWait, deadlockVictims } from '../../../shared/test/support/opposing-batches.ts';
import { verifyLedger } from '../src/data-access/verify-ledger.ts';
import { ledgerHandlers } from '../src/entry-points/messaging-handlers.ts';
import { lockWalletsOfBatch } from '../src/data-access/batch-locks.ts';
import { holdStore } from '../src/data-access/hold-store.ts';
import { ledgerStore } from '../src/data-access/ledger-store.ts';
import { holdWalletPayment, walletHoldId } from '../src/domain/wallet-payments.ts';

const SOURCE = '/services/ledger';

// Two consumer batches that each record charges for the same two merchants, in opposite orders,
// at the same time. Every charge moves free balance rows (the merchant's payable, clearing,
// fees): taken per charge, one batch held a merchant's row the other needed while waiting for
// a row that one held — a deadlock PostgreSQL breaks after its 1 s timeout by failing a batch
// (seen about once a second in `pnpm bench:saga`). The batch path defers those rows to one
// sorted statement at its end, so both batches commit.
describe('balance rows of a consumer batch', () => {
  let database: Awaited<ReturnType<typeof cloneServiceDatabase>>;
  let pool: pg.Pool;
  const settings = { defaultFee: { bps: 290, fixedMinor: 30n }, hotAccountSlots: 1, accounts: new AccountCache() };
  const handlers = ledgerHandlers(settings);
  const handlerOf = (envelope: Envelope) => handlers.find((candidate) => candidate.definition.type === envelope.type)!;
  const succeeded = (merchantId: string, amountMinor: number) => {
    const orderId = randomUUID();
    const data = { orderId, paymentId: randomUUID(), amountMinor, currency: 'EUR', method: 'CARD' as const, customerId: randomUUID(), merchantId };
    return createEnvelope('/services/payment', { definition: PaymentSucceeded, subject: orderId, data });
  };
  /** As the consumer's batch runs: one transaction, `lockFirst`'s rows locked (the consumer passes the whole batch), each handler, the closing work, the outbox. */
  const inBatch = (steps: (apply: (envelope: Envelope) => Promise<void>) => Promise<void>, lockFirst: readonly Envelope[] = []) =>
    sqlTransaction(pool, async (tx: SqlTransaction) => {
      const outbox = bufferedOutbox(tx);
      const closing = closingWork();
      if (lockFirst.length > 0) await lockWalletsOfBatch(tx, lockFirst);
      await steps((envelope) => handlerOf(envelope).handle(envelope.data, handlerContext(tx, envelope, (cause) => outbox.publisher({ source: SOURCE, cause }), () => undefined, closing.add)));
      await closing.run();
      await outbox.flush();
    });
  /** Two batches at once, each applying its second message after the other's first (or its lock wait): neither may be a deadlock's victim. */
  const bothCommitInOpposingBatches = async (one: [Envelope, Envelope], other: [Envelope, Envelope]) => {
    const afterTheOther = afterTheOtherOrItsLockWait(pool);
    const batch = ([first, second]: [Envelope, Envelope]) =>
      inBatch(async (apply) => {
        await apply(first);
        await afterTheOther();
        await apply(second);
      }, [first, second]);
    const results = await Promise.allSettled([batch(one), batch(other)]);
    assert.equal(deadlockVictims(results), 0, 'no batch was broken by a deadlock');
    assert.deepEqual(
      results.map((result) => result.status),
      ['fulfilled', 'fulfilled'],
    );
  };
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
    const afterTheOther = afterTheOtherOrItsLockWait(pool);
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
    assert.equal(deadlockVictims(results), 0, 'no batch was broken by a deadlock');
    assert.deepEqual(
      results.map((result) => result.status),
      ['fulfilled', 'fulfilled'],
    );
    const fee = (amount: bigint) => (amount * 290n) / 10_000n + 30n;
    assert.equal((await merchantBalance(first)) - before.first, 3_000n - fee(1_000n) - fee(2_000n));
    assert.equal((await merchantBalance(second)) - before.second, 3_000n - fee(1_000n) - fee(2_000n));
    assert.deepEqual(await verifyLedger(new PgSql(pool)), []);
  });

  it('when two batches top up the same two wallets in opposite orders at once, then the wallets locked first let both commit', async () => {
    const [first, second] = [randomUUID(), randomUUID()];
    const topUp = (customerId: string, amountMinor: number) => createEnvelope('/services/payment', { definition: WalletToppedUp, subject: customerId, data: { topUpId: randomUUID(), customerId, amountMinor, currency: 'EUR' } });
    const walletCredits = async (customerId: string) =>
      BigInt((await pool.query<{ credits: string }>("SELECT b.credits_posted::text AS credits FROM account_balance b JOIN account a ON a.id = b.account_id WHERE a.type = 'customer_wallet' AND a.owner_key = $1", [customerId])).rows[0]!.credits);
    // The wallets and their balance rows exist (first top-ups), as in a running ledger.
    await inBatch(async (apply) => {
      await apply(topUp(first, 100));
      await apply(topUp(second, 100));
    });
    // A wallet's row moves where its transfer is decided, so in each batch's arrival order.
    const [a1, b1, b2, a2] = [topUp(first, 1_000), topUp(second, 1_000), topUp(second, 2_000), topUp(first, 2_000)];
    await bothCommitInOpposingBatches([a1, b1], [b2, a2]);
    assert.equal(await walletCredits(first), 3_100n);
    assert.equal(await walletCredits(second), 3_100n);
    assert.deepEqual(await verifyLedger(new PgSql(pool)), []);
  });

  it('when two batches capture wallet holds of the same two customers in opposite orders, then the wallets found through the holds are locked first and both commit', async () => {
    const [first, second] = [randomUUID(), randomUUID()];
    const merchantId = randomUUID();
    await inBatch(async (apply) => {
      await apply(createEnvelope('/services/payment', { definition: WalletToppedUp, subject: first, data: { topUpId: randomUUID(), customerId: first, amountMinor: 10_000, currency: 'EUR' } }));
      await apply(createEnvelope('/services/payment', { definition: WalletToppedUp, subject: second, data: { topUpId: randomUUID(), customerId: second, amountMinor: 10_000, currency: 'EUR' } }));
    });
    const heldOrder = async (customerId: string) => {
      const orderId = randomUUID();
      await sqlTransaction(pool, (tx) =>
        holdWalletPayment({ store: ledgerStore(tx, settings), publish: async () => undefined, cause: { eventId: 'test', correlationId: 'test' } }, holdStore(tx), { id: walletHoldId(`charge:${orderId}`), customerId, merchantId, amount: 1_000n, currency: 'EUR', timeoutAt: new Date(Date.now() + 60_000) }),
      );
      return createEnvelope('/services/inventory', { definition: InventoryCommitted, subject: orderId, data: { orderId, reservationId: randomUUID() } });
    };
    const [a1, b1, b2, a2] = [await heldOrder(first), await heldOrder(second), await heldOrder(second), await heldOrder(first)];
    await bothCommitInOpposingBatches([a1, b1], [b2, a2]);
    const posted = await pool.query("SELECT id FROM transfer WHERE id = ANY($1::text[])", [[a1, b1, b2, a2].map((envelope) => `post:${walletHoldId(`charge:${envelope.subject}`)}`)]);
    assert.equal(posted.rows.length, 4, 'every hold was posted');
    assert.deepEqual(await verifyLedger(new PgSql(pool)), []);
  });

  it('when a batch holds only card charges, then no wallet lock is looked for', async () => {
    let statements = 0;
    const counted = {
      $queryRawUnsafe: async () => ((statements += 1), []),
      $executeRawUnsafe: async () => ((statements += 1), 0),
    } as unknown as SqlTransaction;
    await lockWalletsOfBatch(counted, [succeeded(randomUUID(), 1_000), succeeded(randomUUID(), 2_000)]);
    assert.equal(statements, 0, 'a card charge names an order, but only committed stock captures a wallet hold');
    await lockWalletsOfBatch(counted, [succeeded(randomUUID(), 1_000), createEnvelope('/services/inventory', { definition: InventoryCommitted, subject: randomUUID(), data: { orderId: randomUUID(), reservationId: randomUUID() } })]);
    assert.equal(statements, 1, 'committed stock does look for its hold');
  });
});
