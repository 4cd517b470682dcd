import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { createEnvelope, type Envelope } from '@platform/shared/envelope';
import { InventoryCommitted, PaymentJournalRequested, PaymentSucceeded, WalletToppedUp } from '@platform/shared/events/catalog';
import { applyInOneStatement } from '@platform/shared/consumer/one-statement';
import { admitOnce, handlerContext } from '@platform/shared/consumer/apply-steps';
import { outboxPublisher } from '@platform/shared/outbox/write-events';
import { PgSql, sqlTransaction } from '@platform/shared/service/sql-transaction';
import { cloneServiceDatabase } from '../../../scripts/databases.ts';
import { AccountCache } from '../src/data-access/account-cache.ts';
import { verifyLedger } from '../src/data-access/verify-ledger.ts';
import { ledgerHandlers } from '../src/entry-points/messaging-handlers.ts';
import { holdStore } from '../src/data-access/hold-store.ts';
import { ledgerStore } from '../src/data-access/ledger-store.ts';
import { holdWalletPayment, walletHoldId } from '../src/domain/wallet-payments.ts';

const SOURCE = '/services/ledger';

// A lone payment.succeeded records its charge (transfer, postings, balance rows, the event) in one
// statement (shared/src/consumer/one-statement.ts, `onlyIfChanged`). Copies racing, and a repair
// that recorded the charge first, must leave one transfer and books that still add up.
describe('a charge recorded in one statement', () => {
  let database: Awaited<ReturnType<typeof cloneServiceDatabase>>;
  let pool: pg.Pool;
  const settings = { defaultFee: { bps: 290, fixedMinor: 30n }, hotAccountSlots: 4, accounts: new AccountCache() };
  const handlers = ledgerHandlers(settings);
  const handlerOf = (type: string) => handlers.find((candidate) => candidate.definition.type === type)!;
  /** The consumer's order of things: the statement, then the transaction if it did nothing. */
  const deliver = async (envelope: Envelope) => {
    const handler = handlerOf(envelope.type);
    if (handler.inOneStatement) {
      const outcome = await applyInOneStatement(new PgSql(pool), { queue: 'ledger', source: SOURCE }, envelope, 1, handler.inOneStatement, envelope.data, () => undefined);
      if (outcome !== 'unchanged' && outcome !== 'parked') return `statement:${outcome}`;
    }
    return sqlTransaction(pool, async (tx) => {
      const admitted = await admitOnce(tx, 'ledger', envelope, JSON.stringify(envelope), undefined, 1);
      if (admitted.admission !== 'apply') return `transaction:${admitted.admission}`;
      await handler.handle(envelope.data, handlerContext(tx, envelope, (cause) => outboxPublisher(tx, { source: SOURCE, cause }), () => undefined));
      return 'transaction:applied';
    });
  };
  const succeeded = (merchantId: string | null, amountMinor: number) => {
    const orderId = randomUUID();
    const data = { orderId, paymentId: randomUUID(), amountMinor, currency: 'EUR', method: 'CARD' as const, customerId: randomUUID(), merchantId };
    return createEnvelope('/services/payment', { definition: PaymentSucceeded, subject: orderId, data });
  };
  const transfersOf = async (orderId: string) => (await pool.query<{ id: string }>("SELECT id FROM transfer WHERE order_id = $1 AND kind = 'charge'", [orderId])).rows;
  const announced = async (orderId: string) => Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM outbox WHERE routing_key = 'ledger.entry-recorded.v1' AND aggregate_id = $1", [orderId])).rows[0]!.n);

  before(async () => {
    database = await cloneServiceDatabase('ledger');
    pool = database.pool;
  });
  after(() => database.drop());

  it('when three copies of payment.succeeded race for each of 15 charges, then each is one transfer, announced once, and the books add up', async () => {
    const merchant = randomUUID();
    const messages = Array.from({ length: 15 }, (_, index) => succeeded(index % 3 === 0 ? null : merchant, 1_000 + index));
    const outcomes = await Promise.all(messages.flatMap((message) => [deliver(message), deliver(message), deliver(message)]));
    assert.equal(outcomes.filter((outcome) => outcome.endsWith(':applied')).length, 15, outcomes.join(', '));
    assert.ok(outcomes.includes('statement:applied'), 'the statement form did the work');
    for (const message of messages) {
      assert.equal((await transfersOf(message.subject)).length, 1);
      assert.equal(await announced(message.subject), 1);
    }
    const clearing = (await pool.query<{ debits: string }>("SELECT sum(b.debits_posted)::bigint AS debits FROM account_balance b JOIN account a ON a.id = b.account_id WHERE a.type = 'psp_clearing'")).rows[0];
    assert.equal(BigInt(clearing!.debits), BigInt(messages.reduce((sum, message) => sum + (message.data as { amountMinor: number }).amountMinor, 0)));
    assert.deepEqual(await verifyLedger(new PgSql(pool)), []);
  });

  it('when a repair recorded the charge first, then payment.succeeded records only its inbox row and announces nothing', async () => {
    const message = succeeded(randomUUID(), 2_500);
    const data = message.data as { orderId: string; paymentId: string; customerId: string; merchantId: string };
    const repair = createEnvelope('/services/payment', { definition: PaymentJournalRequested, subject: data.orderId, data: { entry: 'charge', paymentId: data.paymentId, orderId: data.orderId, customerId: data.customerId, merchantId: data.merchantId, amountMinor: 2_500, currency: 'EUR' } });
    assert.equal(await deliver(repair), 'transaction:applied');
    assert.equal(await deliver(message), 'transaction:applied', 'the statement changed nothing');
    assert.equal((await transfersOf(data.orderId)).length, 1);
    assert.equal(await announced(data.orderId), 1, 'the repair announced it; payment.succeeded did not again');
    assert.equal((await pool.query('SELECT 1 FROM inbox WHERE message_id = $1', [message.id])).rows.length, 1);
    assert.deepEqual(await verifyLedger(new PgSql(pool)), []);
  });

  it('when a card order commits its stock, then only the inbox row is written in one statement', async () => {
    const orderId = randomUUID();
    const committed = createEnvelope('/services/inventory', { definition: InventoryCommitted, subject: orderId, data: { orderId, reservationId: randomUUID() } });
    assert.equal(await deliver(committed), 'statement:applied');
    assert.equal((await pool.query('SELECT 1 FROM inbox WHERE message_id = $1', [committed.id])).rows.length, 1);
    assert.equal((await pool.query('SELECT 1 FROM transfer WHERE order_id = $1', [orderId])).rows.length, 0);
  });

  it('when a wallet order commits its stock, then the statement leaves it to the transaction, which posts the hold', async () => {
    const orderId = randomUUID();
    const customerId = randomUUID();
    const topUp = createEnvelope('/services/payment', { definition: WalletToppedUp, subject: customerId, data: { topUpId: randomUUID(), customerId, amountMinor: 5_000, currency: 'EUR' } });
    assert.equal(await deliver(topUp), 'transaction:applied');
    const holdId = walletHoldId(`charge:${orderId}`);
    await sqlTransaction(pool, (tx) =>
      holdWalletPayment({ store: ledgerStore(tx, settings), publish: async () => undefined, cause: { eventId: 'test', correlationId: 'test' } }, holdStore(tx), { id: holdId, customerId, merchantId: randomUUID(), amount: 1_200n, currency: 'EUR', timeoutAt: new Date(Date.now() + 60_000) }),
    );
    const committed = createEnvelope('/services/inventory', { definition: InventoryCommitted, subject: orderId, data: { orderId, reservationId: randomUUID() } });
    assert.equal(await deliver(committed), 'transaction:applied');
    assert.equal((await pool.query('SELECT 1 FROM transfer WHERE id = $1', [`post:${holdId}`])).rows.length, 1, 'the hold was posted');
    assert.deepEqual(await verifyLedger(new PgSql(pool)), []);
  });
});
