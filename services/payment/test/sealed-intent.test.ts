import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { fieldCipher } from '@platform/shared/crypto/field-cipher';
import { createEnvelope, type Envelope } from '@platform/shared/envelope';
import { InventoryReserved } from '@platform/shared/events/catalog';
import { sealPaymentChoice, type SealedPaymentChoice } from '@platform/shared/events/payment-choice';
import { applyInOneStatement } from '@platform/shared/consumer/one-statement';
import { admitOnce, handlerContext } from '@platform/shared/consumer/apply-steps';
import { outboxPublisher } from '@platform/shared/outbox/write-events';
import { PgSql, sqlTransaction } from '@platform/shared/service/sql-transaction';
import { cloneServiceDatabase } from '../../../scripts/databases.ts';
import { paymentStore } from '../src/data-access/payment-store.ts';
import { paymentHandlers } from '../src/entry-points/messaging-handlers.ts';
import type { PaymentIntent, PaymentServices } from '../src/domain/ports.ts';

const SOURCE = '/services/payment';
const ring = () => fieldCipher(new Map([['k1', randomBytes(32)]]), randomBytes(32));

// The order service seals how the customer pays into order.placed; inventory passes it on in
// inventory.reserved, and payment records the payment and keeps the intent from it, with no
// intent filed beforehand. In one statement or in a transaction (a batch), the result is one
// payment, one intent and one charge asked for; a seal that does not open records nothing.
describe('a payment made from the choice its reservation brought sealed', () => {
  let database: Awaited<ReturnType<typeof cloneServiceDatabase>>;
  let pool: pg.Pool;
  const cipher = ring();
  const choices = ring();
  const charged: Array<{ orderId: string; intent: PaymentIntent | null }> = [];
  const services = { read: (work) => work(paymentStore(new PgSql(pool), cipher)), now: () => new Date() } as Pick<PaymentServices, 'read' | 'now'> as PaymentServices;
  const handler = paymentHandlers(services, cipher, 60_000, choices).find((candidate) => candidate.definition.type === InventoryReserved.type)!;
  const inTransaction = (envelope: Envelope) =>
    sqlTransaction(pool, async (tx) => {
      if ((await admitOnce(tx, 'payment', envelope, JSON.stringify(envelope), undefined, 1)).admission !== 'apply') return 'transaction:seen';
      await handler.handle(envelope.data, handlerContext(tx, envelope, (cause) => outboxPublisher(tx, { source: SOURCE, cause }), () => charged.push({ orderId: envelope.subject, intent: null })));
      return 'transaction:applied';
    });
  /** The consumer's order of things: the statement, then the transaction if it did nothing. */
  const deliver = async (envelope: Envelope) => {
    const outcome = await applyInOneStatement(new PgSql(pool), { queue: 'payment', source: SOURCE }, envelope, 1, handler.inOneStatement!, envelope.data, () => charged.push({ orderId: envelope.subject, intent: null }));
    return outcome !== 'unchanged' && outcome !== 'parked' ? `statement:${outcome}` : inTransaction(envelope);
  };
  const choiceFor = (): Extract<SealedPaymentChoice, { method: 'CARD' }> => ({ method: 'CARD', cardToken: 'tok_visa', customerId: randomUUID(), merchantId: randomUUID() });
  const reserved = (orderId: string, paymentChoiceSealed: string) =>
    createEnvelope('/services/inventory', { definition: InventoryReserved, subject: orderId, data: { orderId, reservationId: randomUUID(), productId: randomUUID(), quantity: 1, amountMinor: 2500, currency: 'EUR', expiresAt: new Date(Date.now() + 600_000).toISOString(), requestedBy: 'order-saga', paymentChoiceSealed } });
  const recorded = async (orderId: string) => ({
    payments: (await pool.query<{ customer_id: string; merchant_id: string; method: string }>('SELECT customer_id, merchant_id, method FROM payment WHERE order_id = $1', [orderId])).rows,
    intent: await paymentStore(new PgSql(pool), cipher).findIntent(orderId),
    tokenAtRest: (await pool.query<{ t: string }>('SELECT card_token_encrypted AS t FROM payment_intent WHERE order_id = $1', [orderId])).rows[0]?.t,
  });

  before(async () => {
    database = await cloneServiceDatabase('payment');
    pool = database.pool;
  });
  after(() => database.drop());

  it('when three copies of a reservation with a sealed choice race, and no intent was filed, then one statement records one payment for its owners, keeps the intent encrypted, and one charge is asked for', async () => {
    const orderId = randomUUID();
    const choice = choiceFor();
    const message = reserved(orderId, sealPaymentChoice(choices, orderId, choice));
    const outcomes = await Promise.all([deliver(message), deliver(message), deliver(message)]);
    assert.equal(outcomes.filter((outcome) => outcome.endsWith(':applied')).length, 1, outcomes.join(', '));
    assert.ok(outcomes.includes('statement:applied'), outcomes.join(', '));
    const { payments, intent, tokenAtRest } = await recorded(orderId);
    assert.deepEqual(payments, [{ customer_id: choice.customerId, merchant_id: choice.merchantId, method: 'CARD' }]);
    assert.deepEqual(intent, { orderId, method: 'CARD', cardToken: 'tok_visa', upiVpa: null, customerId: choice.customerId, merchantId: choice.merchantId });
    assert.ok(tokenAtRest?.startsWith('enc1.') && !tokenAtRest.includes('tok_visa'), 'the token rests encrypted');
    assert.equal(charged.filter((asked) => asked.orderId === orderId).length, 1);
  });

  it('when the reservation is applied in a transaction (as in a batch), then the payment and its intent are recorded the same way', async () => {
    const orderId = randomUUID();
    const choice = { ...choiceFor(), merchantId: null };
    assert.equal(await inTransaction(reserved(orderId, sealPaymentChoice(choices, orderId, choice))), 'transaction:applied');
    const { payments, intent } = await recorded(orderId);
    assert.deepEqual(payments, [{ customer_id: choice.customerId, merchant_id: null, method: 'CARD' }]);
    assert.equal(intent?.cardToken, 'tok_visa');
  });

  it('when another reservation message for an order that has its payment is applied in a transaction, then nothing more is written and no charge is asked for', async () => {
    const orderId = randomUUID();
    const choice = choiceFor();
    assert.equal(await inTransaction(reserved(orderId, sealPaymentChoice(choices, orderId, choice))), 'transaction:applied');
    const asked = charged.filter((entry) => entry.orderId === orderId).length;
    assert.equal(await inTransaction(reserved(orderId, sealPaymentChoice(choices, orderId, { ...choice, cardToken: 'tok_other' }))), 'transaction:applied');
    const { payments, intent } = await recorded(orderId);
    assert.equal(payments.length, 1);
    assert.equal(intent?.cardToken, 'tok_visa', 'the first intent is kept');
    assert.equal((await pool.query('SELECT 1 FROM payment_state_change h JOIN payment p ON p.id = h.payment_id WHERE p.order_id = $1', [orderId])).rows.length, 1, 'one history row');
    assert.equal(charged.filter((entry) => entry.orderId === orderId).length, asked, 'no second charge');
  });

  it('when a saved card was filed first and its reservation brings the same choice sealed, then the filed intent is kept and one payment is made', async () => {
    const orderId = randomUUID();
    const choice = { ...choiceFor(), cardToken: 'card_saved' };
    await paymentStore(new PgSql(pool), cipher).saveIntent({ orderId, method: 'CARD', cardToken: 'card_saved', upiVpa: null, customerId: choice.customerId, merchantId: choice.merchantId });
    const before = (await recorded(orderId)).tokenAtRest;
    assert.equal(await deliver(reserved(orderId, sealPaymentChoice(choices, orderId, choice))), 'statement:applied');
    const { payments, tokenAtRest } = await recorded(orderId);
    assert.equal(payments.length, 1);
    assert.equal(tokenAtRest, before, 'the filed intent is the one kept');
  });

  it('when the seal was made for another order or under another keyring, then nothing is recorded, no inbox row is left, and it is refused as unprocessable (the DLQ)', async () => {
    for (const seal of [(_orderId: string) => sealPaymentChoice(choices, randomUUID(), choiceFor()), (orderId: string) => sealPaymentChoice(ring(), orderId, choiceFor())]) {
      const orderId = randomUUID();
      const message = reserved(orderId, seal(orderId));
      await assert.rejects(deliver(message), { name: 'AppError', kind: 'unprocessable' });
      assert.deepEqual((await recorded(orderId)).payments, []);
      assert.equal((await recorded(orderId)).intent, null);
      assert.equal((await pool.query('SELECT 1 FROM inbox WHERE message_id = $1', [message.id])).rows.length, 0);
    }
  });
});
