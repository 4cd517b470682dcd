import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { fieldCipher } from '@platform/shared/crypto/field-cipher';
import { createEnvelope, type Envelope } from '@platform/shared/envelope';
import { InventoryCommitted, InventoryReserved, PaymentFailed } from '@platform/shared/events/catalog';
import type { EventDefinition, EventData } from '@platform/shared/events/define-event';
import { applyInOneStatement } from '@platform/shared/consumer/one-statement';
import { envelopesOf } from '@platform/shared/outbox/write-events';
import { PgSql } from '@platform/shared/service/sql-transaction';
import { orderStore } from '../src/data-access/order-store.ts';
import { placeOrder } from '../src/domain/place-order.ts';
import { orderHandlers } from '../src/entry-points/messaging-handlers.ts';
import { createOrderDatabase } from './support/order-database.ts';

// A lone saga event moves an order in one statement with its inbox row (shared/src/consumer/
// one-statement.ts): racing and duplicated events, each its own statement, must end an order once.
describe('saga events move an order once, each in one statement', () => {
  let database: Awaited<ReturnType<typeof createOrderDatabase>>;
  let pool: pg.Pool;
  const cipher = fieldCipher(new Map([['k1', randomBytes(32)]]), randomBytes(32));
  const finished: string[] = [];
  const handlers = orderHandlers(cipher, (outcome) => finished.push(outcome));
  const placed = async () => {
    const command = { orderId: randomUUID(), idempotencyKey: randomUUID(), customerId: randomUUID(), merchantId: null, productId: randomUUID(), quantity: 1, payment: { method: 'WALLET' as const }, customerEmail: 'buyer@example.com' };
    return (await placeOrder({ store: orderStore(new PgSql(pool), cipher), envelopes: envelopesOf({ source: '/services/order' }) }, command)).order.id;
  };
  const eventOf = <D extends EventDefinition>(definition: D, orderId: string, data: EventData<D>) => createEnvelope('/services/test', { definition, subject: orderId, data });
  const deliver = (envelope: Envelope) => {
    const handler = handlers.find((candidate) => candidate.definition.type === envelope.type)!;
    return applyInOneStatement(new PgSql(pool), { queue: 'order', source: '/services/order' }, envelope, 1, handler.inOneStatement!, envelope.data, () => undefined);
  };
  const finals = async (orderId: string) =>
    (await pool.query<{ routing_key: string; envelope: string }>("SELECT routing_key, envelope FROM outbox WHERE aggregate_id = $1 AND routing_key IN ('order.completed.v1', 'order.cancelled.v1')", [orderId])).rows;
  const statusOf = async (orderId: string) => (await pool.query<{ status: string }>('SELECT status FROM orders WHERE id = $1', [orderId])).rows[0]!.status;

  before(async () => {
    database = await createOrderDatabase();
    pool = database.pool;
  });
  after(() => database.drop());

  it('when completion, cancellation and duplicates of both race for 20 orders, then each order ends once and each message is applied once', async () => {
    const orders = await Promise.all(Array.from({ length: 20 }, placed));
    finished.length = 0;
    const messages = orders.map((orderId) => ({
      orderId,
      completed: eventOf(InventoryCommitted, orderId, { orderId, reservationId: randomUUID() }),
      failed: eventOf(PaymentFailed, orderId, { orderId, reason: 'card_declined', customerId: null, merchantId: null }),
    }));
    const outcomes = await Promise.all(messages.flatMap(({ completed, failed }) => [completed, failed, completed, failed].map(deliver)));
    assert.equal(outcomes.filter((outcome) => outcome === 'applied').length, 40, 'each message applied once');
    assert.equal(outcomes.filter((outcome) => outcome === 'duplicate').length, 40, 'each copy skipped');
    for (const { orderId } of messages) {
      const events = await finals(orderId);
      assert.equal(events.length, 1, `one final event for ${orderId}`);
      const status = await statusOf(orderId);
      assert.equal(events[0]!.routing_key, status === 'COMPLETED' ? 'order.completed.v1' : 'order.cancelled.v1');
      const announced = JSON.parse(events[0]!.envelope) as Envelope<{ orderId: string; customerEmailSealed: string | null }>;
      assert.equal(announced.data.orderId, orderId);
      assert.ok(announced.data.customerEmailSealed && !announced.data.customerEmailSealed.includes('buyer@'), 'the customer’s e-mail announced sealed');
    }
    assert.equal(finished.length, 20, 'each order counted as finished once');
  });

  it('when an event comes for a finished order, for another service’s reservation, or as a middle step, then only a forward move happens', async () => {
    const orderId = await placed();
    const reserved = eventOf(InventoryReserved, orderId, { orderId, reservationId: randomUUID(), productId: randomUUID(), quantity: 1, amountMinor: 1500, currency: 'EUR', expiresAt: new Date().toISOString(), requestedBy: 'order-saga' });
    assert.equal(await deliver(reserved), 'applied');
    assert.equal(await statusOf(orderId), 'INVENTORY_RESERVED');
    assert.equal(await deliver(eventOf(InventoryCommitted, orderId, { orderId, reservationId: randomUUID() })), 'applied');
    assert.equal(await deliver(eventOf(PaymentFailed, orderId, { orderId, reason: 'card_declined', customerId: null, merchantId: null })), 'applied');
    assert.equal(await statusOf(orderId), 'COMPLETED');
    assert.deepEqual((await finals(orderId)).map((row) => row.routing_key), ['order.completed.v1']);
    const row = (await pool.query<{ amount_minor: string; currency: string }>('SELECT amount_minor, currency FROM orders WHERE id = $1', [orderId])).rows[0]!;
    assert.deepEqual(row, { amount_minor: '1500', currency: 'EUR' });
    const stranger = randomUUID(); // an order this service never created: recorded, nothing moved
    assert.equal(await deliver(eventOf(InventoryCommitted, stranger, { orderId: stranger, reservationId: randomUUID() })), 'applied');
    assert.equal((await finals(stranger)).length, 0);
  });
});
