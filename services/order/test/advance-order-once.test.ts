import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { fieldCipher } from '@platform/shared/crypto/field-cipher';
import { envelopesOf, outboxPublisher } from '@platform/shared/outbox/write-events';
import { PgSql, sqlTransaction } from '@platform/shared/service/sql-transaction';
import { orderStore } from '../src/data-access/order-store.ts';
import { advanceOrder, type Progress } from '../src/domain/advance-order.ts';
import { placeOrder } from '../src/domain/place-order.ts';
import { createOrderDatabase } from './support/order-database.ts';

// A saga event moves an order with one conditional UPDATE (moveOrder): racing events for one
// order, each in its own transaction as two consumers' batches would be, must end it once.
describe('saga events move an order once', () => {
  let database: Awaited<ReturnType<typeof createOrderDatabase>>;
  let pool: pg.Pool;
  const cipher = fieldCipher(new Map([['k1', randomBytes(32)]]), randomBytes(32));
  const placed = async () => {
    const command = { orderId: randomUUID(), idempotencyKey: randomUUID(), customerId: randomUUID(), merchantId: null, productId: randomUUID(), quantity: 1, payment: { method: 'WALLET' as const }, customerEmail: null };
    return (await placeOrder({ store: orderStore(new PgSql(pool), cipher), envelopes: envelopesOf({ source: '/services/order' }) }, command)).order.id;
  };
  const apply = (progress: Progress) =>
    sqlTransaction(pool, (tx) => advanceOrder({ store: orderStore(tx, cipher), publish: outboxPublisher(tx, { source: '/services/order' }), sealEmail: () => null }, progress));
  const finals = async (orderId: string) =>
    (await pool.query<{ routing_key: string }>("SELECT routing_key FROM outbox WHERE aggregate_id = $1 AND routing_key IN ('order.completed.v1', 'order.cancelled.v1')", [orderId])).rows.map((row) => row.routing_key);
  const statusOf = async (orderId: string) => (await pool.query<{ status: string }>('SELECT status FROM orders WHERE id = $1', [orderId])).rows[0]!.status;

  before(async () => {
    database = await createOrderDatabase();
    pool = database.pool;
  });
  after(() => database.drop());

  it('when completion and cancellation race for 20 orders, then each order ends once, and its one final event matches its status', async () => {
    const orders = await Promise.all(Array.from({ length: 20 }, placed));
    await Promise.all(orders.flatMap((orderId) => [apply({ orderId, to: 'COMPLETED' }), apply({ orderId, to: 'CANCELLED', cancellationReason: 'payment_failed' })]));
    for (const orderId of orders) {
      const events = await finals(orderId);
      assert.equal(events.length, 1, `one final event for ${orderId}: ${events.join(', ')}`);
      assert.equal(events[0], (await statusOf(orderId)) === 'COMPLETED' ? 'order.completed.v1' : 'order.cancelled.v1');
    }
  });

  it('when an event comes for a finished order, or twice, then nothing moves and nothing is announced again', async () => {
    const orderId = await placed();
    await apply({ orderId, to: 'PAYMENT_SUCCESS', amountMinor: 1500, currency: 'EUR' });
    await Promise.all([apply({ orderId, to: 'COMPLETED' }), apply({ orderId, to: 'COMPLETED' })]);
    await apply({ orderId, to: 'INVENTORY_RESERVED', amountMinor: 9999, currency: 'USD' });
    await apply({ orderId, to: 'CANCELLED', cancellationReason: 'late' });
    assert.deepEqual(await finals(orderId), ['order.completed.v1']);
    const row = (await pool.query<{ status: string; amount_minor: string; currency: string }>('SELECT status, amount_minor, currency FROM orders WHERE id = $1', [orderId])).rows[0]!;
    assert.deepEqual(row, { status: 'COMPLETED', amount_minor: '1500', currency: 'EUR' });
    await apply({ orderId: randomUUID(), to: 'COMPLETED' }); // an order this service never created: ignored
  });
});
