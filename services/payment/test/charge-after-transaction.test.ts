import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { fieldCipher } from '@platform/shared/crypto/field-cipher';
import { createEnvelope } from '@platform/shared/envelope';
import { InventoryReserved } from '@platform/shared/events/catalog';
import { admitOnce, handlerContext } from '@platform/shared/consumer/apply-steps';
import { outboxPublisher } from '@platform/shared/outbox/write-events';
import { PgSql, sqlTransaction } from '@platform/shared/service/sql-transaction';
import { cloneServiceDatabase } from '../../../scripts/databases.ts';
import { paymentStore } from '../src/data-access/payment-store.ts';
import { paymentHandlers } from '../src/entry-points/messaging-handlers.ts';
import type { PaymentGateway, PaymentServices } from '../src/domain/ports.ts';

const SOURCE = '/services/payment';

// inventory.reserved applied in a transaction (how a consumer batch applies it): the payment is
// recorded, and the charge after the commit uses the payment and intent the handler has in hand,
// as the one-statement form does — reading both back cost two statements per order.
describe('the charge after a payment recorded in a transaction', () => {
  let database: Awaited<ReturnType<typeof cloneServiceDatabase>>;
  let pool: pg.Pool;
  const cipher = fieldCipher(new Map([['k1', randomBytes(32)]]), randomBytes(32));
  const seen = { reads: 0, charges: [] as Array<{ idempotencyKey: string; amountMinor: bigint }> };
  const gateway = {
    charge: async ({ idempotencyKey, amountMinor }) => (seen.charges.push({ idempotencyKey, amountMinor }), { status: 'succeeded', chargeId: randomUUID() }),
  } as Pick<PaymentGateway, 'charge'> as PaymentGateway;
  const services = {
    read: (work) => ((seen.reads += 1), work(paymentStore(new PgSql(pool), cipher))),
    now: () => new Date(),
    gatewayFor: () => gateway,
    methodFor: async () => ({ method: { type: 'card', number: '4242424242424242', expMonth: 12, expYear: 2040 }, summary: 'visa 4242' }),
    settle: async () => true,
    timing: { retryDelayMs: () => 1_000, pendingPollMs: 1_000, pendingGiveUpMs: 60_000 },
  } as Pick<PaymentServices, 'read' | 'now' | 'gatewayFor' | 'methodFor' | 'settle' | 'timing'> as PaymentServices;
  const handler = paymentHandlers(services, cipher, 60_000).find((candidate) => candidate.definition.type === InventoryReserved.type)!;

  before(async () => {
    database = await cloneServiceDatabase('payment');
    pool = database.pool;
  });
  after(() => database.drop());

  it('when inventory.reserved is applied in a transaction, then the gateway is asked once after the commit and nothing is read back', async () => {
    const orderId = randomUUID();
    await paymentStore(new PgSql(pool), cipher).saveIntent({ orderId, method: 'CARD', cardToken: 'tok_visa', upiVpa: null, customerId: randomUUID(), merchantId: null });
    const envelope = createEnvelope('/services/inventory', { definition: InventoryReserved, subject: orderId, data: { orderId, reservationId: randomUUID(), productId: randomUUID(), quantity: 1, amountMinor: 1500, currency: 'EUR', expiresAt: new Date(Date.now() + 600_000).toISOString(), requestedBy: 'order-saga' } });
    const afterCommit: Array<() => Promise<void>> = [];
    await sqlTransaction(pool, async (tx) => {
      assert.equal((await admitOnce(tx, 'payment', envelope, JSON.stringify(envelope), undefined, 1)).admission, 'apply');
      await handler.handle(envelope.data, handlerContext(tx, envelope, (cause) => outboxPublisher(tx, { source: SOURCE, cause }), (task) => afterCommit.push(task)));
    });
    assert.equal(seen.charges.length, 0, 'no gateway call inside the transaction');
    const readsBefore = seen.reads;
    for (const task of afterCommit) await task();
    assert.deepEqual(seen.charges, [{ idempotencyKey: `charge:${orderId}`, amountMinor: 1500n }]);
    assert.equal(seen.reads - readsBefore, 0, 'the payment and its intent were in hand');
    assert.equal((await pool.query("SELECT 1 FROM payment WHERE order_id = $1 AND status = 'INITIATED'", [orderId])).rows.length, 1, 'recorded by the transaction (settling is the stubbed statement)');
  });
});
