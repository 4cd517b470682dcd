import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import type { NewEvent } from '@platform/shared/envelope';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import { PgSql, sqlTransaction } from '@platform/shared/service/sql-transaction';
import { cloneServiceDatabase } from '../../../scripts/databases.ts';
import { inventoryStore } from '../src/data-access/inventory-store.ts';
import { commitReservation } from '../src/domain/commit-reservation.ts';
import { reserveStock } from '../src/domain/reserve-stock.ts';

// In a transaction (a consumer's batch, a message the one-statement form left to it, a direct
// reservation) the common cases take one statement each after the order's lock and, for a hold,
// the product read: stock held and hold written at once, a hold sold and its stock moved at once.
// Everything else must still end as before: a second hold for an order, too little stock, an
// expired hold.
describe('stock held and sold in a transaction', () => {
  let database: Awaited<ReturnType<typeof cloneServiceDatabase>>;
  let pool: pg.Pool;
  /** Runs a use case in a transaction, counting its statements and keeping what it announces. */
  const inTransaction = <R>(work: (context: Parameters<typeof reserveStock>[0]) => Promise<R>) => {
    const statements: string[] = [];
    const announced: NewEvent[] = [];
    return sqlTransaction(pool, async (tx: SqlTransaction) => {
      const counted: SqlTransaction = {
        $queryRawUnsafe: (query, ...values: unknown[]) => (statements.push(query), tx.$queryRawUnsafe(query, ...values)),
        $executeRawUnsafe: (query, ...values: unknown[]) => (statements.push(query), tx.$executeRawUnsafe(query, ...values)),
      };
      const result = await work({ store: inventoryStore(counted), publish: async (events) => void announced.push(...events), now: () => new Date(), defaultHoldSeconds: 900 });
      return { result, statements: statements.length, announced };
    });
  };
  const product = async (available: number) => {
    const id = randomUUID();
    await inventoryStore(new PgSql(pool)).insertProduct({ id, merchantId: null, sku: id, name: 'seat', priceMinor: 2500n, currency: 'EUR', available, holdSeconds: null });
    return id;
  };
  const stockOf = async (id: string) => (await pool.query<{ available: number; reserved: number; sold: number }>('SELECT available, reserved, sold FROM product WHERE id = $1', [id])).rows[0]!;
  const hold = (orderId: string, productId: string, quantity = 1) => inTransaction((context) => reserveStock(context, { orderId, productId, quantity, requestedBy: 'order-saga' }));

  before(async () => {
    database = await cloneServiceDatabase('inventory');
    pool = database.pool;
  });
  after(() => database.drop());

  it('when stock is held for a new order, then it takes the order lock, the product read and one statement, and is announced once', async () => {
    const productId = await product(5);
    const { result, statements, announced } = await hold(randomUUID(), productId, 2);
    assert.equal(result.outcome, 'reserved');
    assert.equal(statements, 3);
    assert.deepEqual(announced.map((event) => [event.definition.type, (event.data as { amountMinor: number }).amountMinor]), [['inventory.reserved.v1', 5000]]);
    assert.deepEqual(await stockOf(productId), { available: 3, reserved: 2, sold: 0 });
  });

  it('when the order already holds stock, then holding again gives the same hold and takes nothing more', async () => {
    const productId = await product(5);
    const orderId = randomUUID();
    const first = await hold(orderId, productId);
    const second = await hold(orderId, productId);
    assert.ok(first.result.outcome === 'reserved' && second.result.outcome === 'reserved');
    assert.equal(second.result.reservation.id, first.result.reservation.id);
    assert.equal(second.announced.length, 0, 'nothing announced twice');
    assert.deepEqual(await stockOf(productId), { available: 4, reserved: 1, sold: 0 });
  });

  it('when 12 orders race for 5 units, then 5 are held, 7 are announced out of stock, and stock never goes negative', async () => {
    const productId = await product(5);
    const results = await Promise.all(Array.from({ length: 12 }, () => hold(randomUUID(), productId)));
    assert.equal(results.filter(({ result }) => result.outcome === 'reserved').length, 5);
    const failures = results.flatMap(({ announced }) => announced.filter((event) => event.definition.type === 'inventory.reservation-failed.v1'));
    assert.deepEqual(failures.map((event) => (event.data as { reason: string }).reason), Array(7).fill('out_of_stock'));
    assert.deepEqual(await stockOf(productId), { available: 0, reserved: 5, sold: 0 });
  });

  it('when a held reservation is committed, then the order lock and one statement sell it, announced once', async () => {
    const productId = await product(3);
    const orderId = randomUUID();
    const held = await hold(orderId, productId, 2);
    const { statements, announced } = await inTransaction((context) => commitReservation(context, orderId));
    assert.equal(statements, 2);
    assert.ok(held.result.outcome === 'reserved');
    assert.deepEqual(announced.map((event) => [event.definition.type, (event.data as { reservationId: string }).reservationId]), [['inventory.committed.v1', held.result.reservation.id]]);
    assert.deepEqual(await stockOf(productId), { available: 1, reserved: 0, sold: 2 });
    const again = await inTransaction((context) => commitReservation(context, orderId));
    assert.equal(again.announced.length, 0, 'a committed hold is not sold or announced again');
    assert.deepEqual(await stockOf(productId), { available: 1, reserved: 0, sold: 2 });
  });

  it('when the hold has expired, then it is not sold: released, stock back, the commit announced as failed', async () => {
    const productId = await product(3);
    const orderId = randomUUID();
    await hold(orderId, productId);
    await pool.query("UPDATE reservation SET expires_at = now() - interval '1 second' WHERE order_id = $1", [orderId]);
    const { announced } = await inTransaction((context) => commitReservation(context, orderId));
    const types = announced.map((event) => event.definition.type);
    assert.ok(types.includes('inventory.commit-failed.v1') && !types.includes('inventory.committed.v1'), types.join(', '));
    assert.deepEqual(await stockOf(productId), { available: 3, reserved: 0, sold: 0 });
  });
});
