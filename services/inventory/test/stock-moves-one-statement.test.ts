import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { createEnvelope, type Envelope } from '@platform/shared/envelope';
import { OrderPlaced, PaymentSucceeded } from '@platform/shared/events/catalog';
import { applyInOneStatement } from '@platform/shared/consumer/one-statement';
import { admitOnce, handlerContext } from '@platform/shared/consumer/apply-steps';
import type { StatementContext } from '@platform/shared/consumer/handler';
import { outboxPublisher } from '@platform/shared/outbox/write-events';
import { PgSql, sqlTransaction } from '@platform/shared/service/sql-transaction';
import { cloneServiceDatabase } from '../../../scripts/databases.ts';
import { inventoryStore } from '../src/data-access/inventory-store.ts';
import { reserveStock } from '../src/domain/reserve-stock.ts';
import { inventoryHandlers } from '../src/entry-points/messaging-handlers.ts';

const SOURCE = '/services/inventory';

// A lone order.placed holds stock, and a lone payment.succeeded sells it, in one statement
// (shared/src/consumer/one-statement.ts, `onlyIfChanged`); anything else goes to the transaction,
// as the consumer does (handle-delivery.ts). Copies racing, too little stock, and a hold released
// between the read and the statement must move each unit once and announce each outcome once.
describe('stock held and sold in one statement', () => {
  let database: Awaited<ReturnType<typeof cloneServiceDatabase>>;
  let pool: pg.Pool;
  const handlers = inventoryHandlers(900);
  /** The consumer's order of things: the statement, then the transaction if it did nothing. */
  const deliver = async (envelope: Envelope, between: () => Promise<void> = async () => undefined) => {
    const handler = handlers.find((candidate) => candidate.definition.type === envelope.type);
    const planOf = async (data: unknown, context: StatementContext) => {
      const plan = await handler!.inOneStatement!(data, context);
      await between();
      return plan;
    };
    const outcome = await applyInOneStatement(new PgSql(pool), { queue: 'inventory', source: SOURCE }, envelope, 1, planOf, envelope.data, () => undefined);
    if (outcome !== 'unchanged' && outcome !== 'parked') return `statement:${outcome}`;
    return sqlTransaction(pool, async (tx) => {
      const admitted = await admitOnce(tx, 'inventory', envelope, JSON.stringify(envelope), undefined, 1);
      if (admitted.admission !== 'apply') return `transaction:${admitted.admission}`;
      await handler!.handle(envelope.data, handlerContext(tx, envelope, (cause) => outboxPublisher(tx, { source: SOURCE, cause }), () => undefined));
      return 'transaction:applied';
    });
  };
  const product = async (available: number) => {
    const id = randomUUID();
    await inventoryStore(new PgSql(pool)).insertProduct({ id, merchantId: null, sku: id, name: 'ticket', priceMinor: 1500n, currency: 'EUR', available, holdSeconds: null });
    return id;
  };
  const reserve = (productId: string) => {
    const orderId = randomUUID();
    return sqlTransaction(pool, async (tx) => {
      await reserveStock({ store: inventoryStore(tx), publish: outboxPublisher(tx, { source: SOURCE }), now: () => new Date(), defaultHoldSeconds: 900 }, { orderId, productId, quantity: 1, requestedBy: 'order-saga' });
      return orderId;
    });
  };
  const paid = (orderId: string) => createEnvelope('/services/payment', { definition: PaymentSucceeded, subject: orderId, data: { orderId, paymentId: randomUUID(), amountMinor: 1500, currency: 'EUR', method: 'CARD', customerId: null, merchantId: null } });
  const announced = async (orderId: string) =>
    (await pool.query<{ routing_key: string; envelope: string }>("SELECT routing_key, envelope FROM outbox WHERE aggregate_id = $1 AND routing_key LIKE 'inventory.commit%'", [orderId])).rows;
  const stockOf = async (productId: string) => (await pool.query<{ available: number; reserved: number; sold: number }>('SELECT available, reserved, sold FROM product WHERE id = $1', [productId])).rows[0];

  before(async () => {
    database = await cloneServiceDatabase('inventory');
    pool = database.pool;
  });
  after(() => database.drop());

  it('when three copies of order.placed race for each of 20 orders of a product with 12 units, then exactly 12 are held and every order is announced once', async () => {
    const productId = await product(12);
    const orders = Array.from({ length: 20 }, () => randomUUID());
    const outcomes = await Promise.all(orders.flatMap((orderId) => {
      const message = createEnvelope('/services/order', { definition: OrderPlaced, subject: orderId, data: { orderId, productId, quantity: 1, customerId: null, merchantId: null } });
      return [deliver(message), deliver(message), deliver(message)];
    }));
    assert.equal(outcomes.filter((outcome) => outcome.endsWith(':applied')).length, 20, `one application per order: ${outcomes.join(', ')}`);
    assert.ok(outcomes.includes('statement:applied'), 'the statement form did the work');
    assert.deepEqual(await stockOf(productId), { available: 0, reserved: 12, sold: 0 });
    const held = (await pool.query('SELECT 1 FROM reservation WHERE product_id = $1 AND status = $2', [productId, 'HELD'])).rows.length;
    assert.equal(held, 12);
    const announcements = await Promise.all(orders.map(async (orderId) => (await pool.query<{ routing_key: string }>("SELECT routing_key FROM outbox WHERE aggregate_id = $1 AND routing_key LIKE 'inventory.reserv%'", [orderId])).rows.map((row) => row.routing_key)));
    assert.ok(announcements.every((events) => events.length === 1), 'one announcement per order');
    assert.equal(announcements.filter(([type]) => type === 'inventory.reserved.v1').length, 12);
    assert.equal(announcements.filter(([type]) => type === 'inventory.reservation-failed.v1').length, 8);
  });

  it('when another order.placed (a new message id) comes for an order already held, then its statement writes nothing and the transaction keeps the one hold', async () => {
    const productId = await product(5);
    const orderId = randomUUID();
    const placed = () => createEnvelope('/services/order', { definition: OrderPlaced, subject: orderId, data: { orderId, productId, quantity: 2, customerId: null, merchantId: null } });
    assert.equal(await deliver(placed()), 'statement:applied');
    assert.equal(await deliver(placed()), 'transaction:applied', 'the hold already there made the statement fail whole');
    assert.deepEqual(await stockOf(productId), { available: 3, reserved: 2, sold: 0 });
    assert.equal((await pool.query('SELECT 1 FROM reservation WHERE order_id = $1', [orderId])).rows.length, 1);
    assert.equal((await pool.query("SELECT 1 FROM outbox WHERE aggregate_id = $1 AND routing_key = 'inventory.reserved.v1'", [orderId])).rows.length, 1);
  });

  it('when three copies of payment.succeeded race for each of 20 holds, then each hold is sold once and announced once', async () => {
    const productId = await product(25);
    const orders = await Promise.all(Array.from({ length: 20 }, () => reserve(productId)));
    const outcomes = await Promise.all(orders.flatMap((orderId) => {
      const message = paid(orderId);
      return [deliver(message), deliver(message), deliver(message)];
    }));
    assert.equal(outcomes.filter((outcome) => outcome.endsWith(':applied')).length, 20, `one application per hold: ${outcomes.join(', ')}`);
    assert.ok(outcomes.includes('statement:applied'), 'the statement form did the work');
    assert.deepEqual(await stockOf(productId), { available: 5, reserved: 0, sold: 20 });
    for (const orderId of orders) assert.deepEqual((await announced(orderId)).map((row) => row.routing_key), ['inventory.committed.v1']);
  });

  it('when the hold is released between the read and the statement, or has expired, then nothing is sold and the transaction announces the failure', async () => {
    const productId = await product(5);
    const [released, expired] = [await reserve(productId), await reserve(productId)];
    const sweep = async () => {
      await pool.query("UPDATE reservation SET status = 'RELEASED', release_reason = 'expired' WHERE order_id = $1", [released]);
      await pool.query('UPDATE product SET available = available + 1, reserved = reserved - 1 WHERE id = $1', [productId]);
    };
    assert.equal(await deliver(paid(released), sweep), 'transaction:applied');
    await pool.query("UPDATE reservation SET expires_at = now() - interval '1 second' WHERE order_id = $1", [expired]);
    assert.equal(await deliver(paid(expired)), 'transaction:applied');
    assert.deepEqual(await stockOf(productId), { available: 5, reserved: 0, sold: 0 });
    for (const orderId of [released, expired]) {
      const rows = await announced(orderId);
      assert.deepEqual(rows.map((row) => row.routing_key), ['inventory.commit-failed.v1']);
      assert.equal((JSON.parse(rows[0]!.envelope) as { data: { reason: string } }).data.reason, 'reservation_expired');
    }
  });
});
