import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { encryptNullable, fieldCipher } from '@platform/shared/crypto/field-cipher';
import { createEnvelope, type Envelope } from '@platform/shared/envelope';
import { OrderCompleted, PaymentSucceeded, SEALED_EMAIL } from '@platform/shared/events/catalog';
import { applyInOneStatement } from '@platform/shared/consumer/one-statement';
import { PgSql, sqlTransaction } from '@platform/shared/service/sql-transaction';
import { handlerContext } from '@platform/shared/consumer/apply-steps';
import { outboxPublisher } from '@platform/shared/outbox/write-events';
import { cloneServiceDatabase } from '../../../scripts/databases.ts';
import { notificationHandlers } from '../src/entry-points/messaging-handlers.ts';

// A lone order or payment outcome is applied in one statement (shared/src/consumer/one-statement.ts):
// the notice and the merchant's deliveries are written with the inbox row, once, however often
// and however concurrently the message comes; the notice is handed to the sender once.
describe('notices and webhook deliveries written in one statement', () => {
  let database: Awaited<ReturnType<typeof cloneServiceDatabase>>;
  let pool: pg.Pool;
  const cipher = fieldCipher(new Map([['k1', randomBytes(32)]]), randomBytes(32));
  const handedToSender: string[] = [];
  const handlers = notificationHandlers(cipher, async (id) => {
    handedToSender.push(id);
  });
  const afterCommit = (tasks: readonly (() => Promise<void>)[]) => tasks.forEach((task) => void task());
  const deliver = (envelope: Envelope) => {
    const handler = handlers.find((candidate) => candidate.definition.type === envelope.type)!;
    return applyInOneStatement(new PgSql(pool), { queue: 'notification', source: '/services/notification' }, envelope, 1, handler.inOneStatement!, envelope.data, afterCommit);
  };
  const count = async (sql: string, value: string) => Number((await pool.query<{ n: string }>(sql, [value])).rows[0]!.n);
  const subscribedMerchant = async () => {
    const merchantId = randomUUID();
    await pool.query("INSERT INTO webhook_endpoint (id, merchant_id, url, event_types, secret_encrypted, status) VALUES ($1, $2, 'https://merchant.example/hooks', $3, 'enc1.x', 'ACTIVE')", [randomUUID(), merchantId, ['order.completed', 'payment.succeeded']]);
    return merchantId;
  };

  before(async () => {
    database = await cloneServiceDatabase('notification');
    pool = database.pool;
  });
  after(() => database.drop());

  it('when an order completes and the message comes four times at once, then one notice is stored and sent, and the merchant gets one delivery', async () => {
    const [orderId, merchantId] = [randomUUID(), await subscribedMerchant()];
    const completed = createEnvelope('/services/order', { definition: OrderCompleted, subject: orderId, data: { orderId, customerEmailSealed: encryptNullable(cipher, 'buyer@example.com', SEALED_EMAIL), customerId: randomUUID(), merchantId } });
    const outcomes = await Promise.all([1, 2, 3, 4].map(() => deliver(completed)));
    assert.deepEqual([...outcomes].sort(), ['applied', 'duplicate', 'duplicate', 'duplicate']);
    const notices = (await pool.query<{ id: string; status: string; cause_event_id: string }>('SELECT id, status, cause_event_id FROM notification WHERE order_id = $1', [orderId])).rows;
    assert.equal(notices.length, 1);
    assert.deepEqual({ status: notices[0]!.status, cause: notices[0]!.cause_event_id }, { status: 'PENDING', cause: completed.id });
    assert.deepEqual(handedToSender.filter((id) => id === notices[0]!.id), [notices[0]!.id], 'handed to the sender once, after the commit');
    const deliveries = await pool.query<{ payload: string }>("SELECT d.payload FROM webhook_delivery d JOIN webhook_endpoint e ON e.id = d.endpoint_id WHERE e.merchant_id = $1", [merchantId]);
    assert.equal(deliveries.rows.length, 1);
    assert.equal((JSON.parse(deliveries.rows[0]!.payload) as { data: { orderId: string } }).data.orderId, orderId);
  });

  it('when a payment succeeds for a merchant with no endpoint, then only the inbox row is written; with one, one delivery', async () => {
    const paid = (merchantId: string) => {
      const orderId = randomUUID();
      return createEnvelope('/services/payment', { definition: PaymentSucceeded, subject: orderId, data: { orderId, paymentId: randomUUID(), amountMinor: 1500, currency: 'EUR', method: 'CARD', customerId: null, merchantId } });
    };
    const [quiet, subscribed] = [randomUUID(), await subscribedMerchant()];
    const [toQuiet, toSubscribed] = [paid(quiet), paid(subscribed)];
    assert.equal(await deliver(toQuiet), 'applied');
    assert.equal(await deliver(toSubscribed), 'applied');
    assert.equal(await deliver(toSubscribed), 'duplicate');
    assert.equal(await count('SELECT count(*) AS n FROM inbox WHERE message_id = $1', toQuiet.id), 1);
    assert.equal(await count("SELECT count(*) AS n FROM webhook_delivery d JOIN webhook_endpoint e ON e.id = d.endpoint_id WHERE e.merchant_id = $1 AND d.event_type = 'payment.succeeded'", subscribed), 1);
  });

  it('when a merchant has endpoints subscribed, unsubscribed and disabled, then only the active subscribed ones get a delivery, each with its own msg_ id, by the statement and by the transaction alike', async () => {
    const merchantId = await subscribedMerchant();
    const endpoint = (eventTypes: string[], status: string) =>
      pool.query("INSERT INTO webhook_endpoint (id, merchant_id, url, event_types, secret_encrypted, status) VALUES ($1, $2, 'https://merchant.example/other', $3, 'enc1.x', $4)", [randomUUID(), merchantId, eventTypes, status]);
    await endpoint(['payment.succeeded'], 'ACTIVE');
    await endpoint(['order.completed'], 'ACTIVE');
    await endpoint(['payment.succeeded'], 'DISABLED');
    const orderId = randomUUID();
    const paid = createEnvelope('/services/payment', { definition: PaymentSucceeded, subject: orderId, data: { orderId, paymentId: randomUUID(), amountMinor: 900, currency: 'EUR', method: 'CARD', customerId: null, merchantId } });
    assert.equal(await deliver(paid), 'applied');
    const deliveries = (await pool.query<{ id: string; status: string; payload: string }>('SELECT d.id, d.status, d.payload FROM webhook_delivery d JOIN webhook_endpoint e ON e.id = d.endpoint_id WHERE e.merchant_id = $1', [merchantId])).rows;
    assert.equal(deliveries.length, 2, 'the two active endpoints subscribed to payment.succeeded');
    assert.ok(deliveries.every((delivery) => /^msg_[A-Za-z0-9_-]{22}$/.test(delivery.id) && delivery.status === 'PENDING'), JSON.stringify(deliveries));
    assert.notEqual(deliveries[0]!.id, deliveries[1]!.id);
    assert.deepEqual(JSON.parse(deliveries[0]!.payload), { type: 'payment.succeeded', timestamp: paid.time, data: { orderId, paymentId: paid.data.paymentId, amountMinor: 900, currency: 'EUR', method: 'CARD' } });
    // The transaction path (a batch, a parked subject) writes the same deliveries with the same SQL.
    const again = createEnvelope('/services/payment', { definition: PaymentSucceeded, subject: orderId, data: { ...paid.data, paymentId: randomUUID() } });
    const handler = handlers.find((candidate) => candidate.definition.type === PaymentSucceeded.type)!;
    await sqlTransaction(pool, (tx) => handler.handle(again.data, handlerContext(tx, again, (cause) => outboxPublisher(tx, { source: '/services/notification', cause }), () => undefined)));
    const viaTransaction = (await pool.query<{ id: string; payload: string }>('SELECT d.id, d.payload FROM webhook_delivery d JOIN webhook_endpoint e ON e.id = d.endpoint_id WHERE e.merchant_id = $1 AND d.payload LIKE $2', [merchantId, `%${again.data.paymentId}%`])).rows;
    assert.equal(viaTransaction.length, 2, 'the same two endpoints');
    assert.ok(viaTransaction.every((delivery) => /^msg_[A-Za-z0-9_-]{22}$/.test(delivery.id)));
  });
});
