import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { fieldCipher } from '@platform/shared/crypto/field-cipher';
import { createEnvelope, type Envelope } from '@platform/shared/envelope';
import { InventoryReserved } from '@platform/shared/events/catalog';
import { applyInOneStatement } from '@platform/shared/consumer/one-statement';
import { admitOnce, handlerContext } from '@platform/shared/consumer/apply-steps';
import { outboxPublisher } from '@platform/shared/outbox/write-events';
import { PgSql, sqlTransaction } from '@platform/shared/service/sql-transaction';
import { cloneServiceDatabase } from '../../../scripts/databases.ts';
import { paymentStore } from '../src/data-access/payment-store.ts';
import { paymentHandlers } from '../src/entry-points/messaging-handlers.ts';
import type { PaymentServices } from '../src/domain/ports.ts';

const SOURCE = '/services/payment';

// A lone inventory.reserved records its order's payment in one statement (shared/src/consumer/
// one-statement.ts, `onlyIfChanged`) and asks for the charge after the commit; an order without
// an intent goes to the transaction, which refuses it. Copies racing must record one payment and
// ask for one charge.
describe('a payment recorded in one statement', () => {
  let database: Awaited<ReturnType<typeof cloneServiceDatabase>>;
  let pool: pg.Pool;
  const cipher = fieldCipher(new Map([['k1', randomBytes(32)]]), randomBytes(32));
  const chargesAsked: string[] = [];
  const services = () => ({ read: (work) => work(paymentStore(new PgSql(pool), cipher)), now: () => new Date() }) as Pick<PaymentServices, 'read' | 'now'> as PaymentServices;
  const handler = () => paymentHandlers(services(), cipher, 60_000).find((candidate) => candidate.definition.type === InventoryReserved.type)!;
  /** The consumer's order of things: the statement, then the transaction if it did nothing; charges are only counted. */
  const deliver = async (envelope: Envelope) => {
    const afterCommit = (tasks: readonly (() => Promise<void>)[]) => tasks.forEach(() => chargesAsked.push(envelope.subject));
    const outcome = await applyInOneStatement(new PgSql(pool), { queue: 'payment', source: SOURCE }, envelope, 1, handler().inOneStatement!, envelope.data, afterCommit);
    if (outcome !== 'unchanged' && outcome !== 'parked') return `statement:${outcome}`;
    return sqlTransaction(pool, async (tx) => {
      const admitted = await admitOnce(tx, 'payment', envelope, JSON.stringify(envelope), undefined, 1);
      if (admitted.admission !== 'apply') return `transaction:${admitted.admission}`;
      await handler().handle(envelope.data, handlerContext(tx, envelope, (cause) => outboxPublisher(tx, { source: SOURCE, cause }), () => chargesAsked.push(envelope.subject)));
      return 'transaction:applied';
    });
  };
  const reserved = (orderId: string) =>
    createEnvelope('/services/inventory', { definition: InventoryReserved, subject: orderId, data: { orderId, reservationId: randomUUID(), productId: randomUUID(), quantity: 1, amountMinor: 1500, currency: 'EUR', expiresAt: new Date(Date.now() + 600_000).toISOString(), requestedBy: 'order-saga' } });
  const withIntent = async () => {
    const orderId = randomUUID();
    await paymentStore(new PgSql(pool), cipher).saveIntent({ orderId, method: 'CARD', cardToken: 'tok_visa', upiVpa: null, customerId: randomUUID(), merchantId: null });
    return orderId;
  };

  before(async () => {
    database = await cloneServiceDatabase('payment');
    pool = database.pool;
  });
  after(() => database.drop());

  it('when three copies of inventory.reserved race for each of 15 orders, then each order has one payment, one history row and one charge asked for', async () => {
    const orders = await Promise.all(Array.from({ length: 15 }, withIntent));
    const outcomes = await Promise.all(orders.flatMap((orderId) => {
      const message = reserved(orderId);
      return [deliver(message), deliver(message), deliver(message)];
    }));
    assert.equal(outcomes.filter((outcome) => outcome.endsWith(':applied')).length, 15, outcomes.join(', '));
    assert.ok(outcomes.includes('statement:applied'), 'the statement form did the work');
    for (const orderId of orders) {
      const payments = (await pool.query<{ id: string; status: string; amount_minor: string }>('SELECT id, status, amount_minor FROM payment WHERE order_id = $1', [orderId])).rows;
      assert.equal(payments.length, 1);
      assert.deepEqual({ status: payments[0]!.status, amount: payments[0]!.amount_minor }, { status: 'INITIATED', amount: '1500' });
      const history = (await pool.query('SELECT status FROM payment_state_change WHERE payment_id = $1', [payments[0]!.id])).rows;
      assert.deepEqual(history, [{ status: 'INITIATED' }]);
      assert.equal(chargesAsked.filter((asked) => asked === orderId).length, 1, 'one charge asked for');
    }
  });

  it('when another inventory.reserved (a new message id) comes for an order that has its payment, then its statement writes nothing and no second charge is asked for', async () => {
    const orderId = await withIntent();
    assert.equal(await deliver(reserved(orderId)), 'statement:applied');
    assert.equal(await deliver(reserved(orderId)), 'transaction:applied', 'the payment already there made the statement fail whole');
    assert.equal((await pool.query('SELECT 1 FROM payment WHERE order_id = $1', [orderId])).rows.length, 1);
    assert.equal(chargesAsked.filter((asked) => asked === orderId).length, 1);
  });

  it('when an order has no payment intent, then nothing is recorded and the transaction refuses it', async () => {
    const orderId = randomUUID();
    const message = reserved(orderId);
    await assert.rejects(deliver(message), /no payment intent/);
    assert.equal((await pool.query('SELECT 1 FROM payment WHERE order_id = $1', [orderId])).rows.length, 0);
    assert.equal((await pool.query('SELECT 1 FROM inbox WHERE message_id = $1', [message.id])).rows.length, 0, 'no inbox row left behind');
  });
});
