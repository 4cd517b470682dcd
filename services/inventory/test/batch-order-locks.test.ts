import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import { createEnvelope, type Envelope } from '@platform/shared/envelope';
import { OrderPlaced } from '@platform/shared/events/catalog';
import { closingWork, handlerContext } from '@platform/shared/consumer/apply-steps';
import { bufferedOutbox } from '@platform/shared/outbox/write-events';
import { PgSql, sqlTransaction } from '@platform/shared/service/sql-transaction';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import { cloneServiceDatabase } from '../../../scripts/databases.ts';
import { deadlockVictims } from '../../../shared/test/support/opposing-batches.ts';
import { waitFor } from '../../../shared/test/support/wait.ts';
import { inventoryStore } from '../src/data-access/inventory-store.ts';
import { inventoryHandlers } from '../src/entry-points/messaging-handlers.ts';
import { holdsOrderLock, lockBatchRows, orderLockKey } from '../src/data-access/batch-locks.ts';

const SOURCE = '/services/inventory';

// A batch takes its orders' reservation locks with its product rows, in one statement, orders
// first (batch-locks.ts): the handlers' own lockOrder then costs nothing, and the order of locks
// is the one every lone path uses (an order, then its product).
describe('reservation locks of a batch', () => {
  let database: Awaited<ReturnType<typeof cloneServiceDatabase>>;
  let pool: pg.Pool;
  const placedHandler = inventoryHandlers(900).find((candidate) => candidate.definition.type === OrderPlaced.type)!;
  const placed = (productId: string, orderId = randomUUID()) =>
    createEnvelope('/services/order', { definition: OrderPlaced, subject: orderId, data: { orderId, productId, quantity: 1, customerId: null, merchantId: null } });
  const product = async () => {
    const id = randomUUID();
    await inventoryStore(new PgSql(pool)).insertProduct({ id, merchantId: null, sku: id, name: 'seat', priceMinor: 4000n, currency: 'EUR', available: 10, holdSeconds: null });
    return id;
  };
  /** Whether another session could take this order's reservation lock now. */
  const orderLockFree = async (orderId: string) =>
    (await pool.query<{ free: boolean }>(`SELECT pg_try_advisory_xact_lock(${orderLockKey('$1')}) AS free`, [orderId])).rows[0]!.free;
  const lockWaiters = async () => Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")).rows[0]!.n);

  before(async () => {
    database = await cloneServiceDatabase('inventory');
    pool = database.pool;
  });
  after(() => database.drop());

  it("when a batch's rows are locked, then its orders' locks are held and a handler's lockOrder sends nothing more", async () => {
    const [one, two] = [placed(await product()), placed(await product())];
    const orders = [one, two].map((envelope) => (envelope.data as { orderId: string }).orderId);
    await sqlTransaction(pool, async (tx: SqlTransaction) => {
      let statements = 0;
      const counted: SqlTransaction = {
        $executeRawUnsafe: (query: string, ...values: unknown[]) => ((statements += 1), tx.$executeRawUnsafe(query, ...values)),
        $queryRawUnsafe: <T>(query: string, ...values: unknown[]) => ((statements += 1), tx.$queryRawUnsafe<T>(query, ...values)),
      };
      await lockBatchRows(counted, [one, two]);
      for (const orderId of orders) assert.equal(await orderLockFree(orderId), false, 'held by the batch');
      const store = inventoryStore(counted);
      for (const orderId of orders) await store.lockOrder(orderId);
      assert.equal(statements, 1, "the batch's one statement; its orders' lockOrder sent nothing");
      await store.lockOrder(randomUUID());
      assert.equal(statements, 2, 'an order outside the batch is locked by its own statement');
    });
    for (const orderId of orders) assert.equal(await orderLockFree(orderId), true, 'released with the transaction');
  });

  it('when no row of the batch is found (an unknown product, no reservation), then its orders are still locked', async () => {
    const envelope = placed(randomUUID());
    const orderId = (envelope.data as { orderId: string }).orderId;
    await sqlTransaction(pool, async (tx: SqlTransaction) => {
      await lockBatchRows(tx, [envelope]);
      // The handlers will skip their own lock statement, so the batch's must have taken it even with no product row to scan.
      assert.equal(holdsOrderLock(tx, orderId), true);
      assert.equal(await orderLockFree(orderId), false, 'held although the statement found no product');
    });
  });

  it('when a lone path holds an order and wants its product while a batch with that order locks its rows, then both commit with no deadlock', async () => {
    const productId = await product();
    const envelope = placed(productId);
    const orderId = (envelope.data as { orderId: string }).orderId;
    let loneHoldsOrder!: () => void;
    const orderHeld = new Promise<void>((resolve) => (loneHoldsOrder = resolve));
    // The lone path's order of locks (reserve-stock.ts, the expiry sweeper): the order, then its product.
    const lone = sqlTransaction(pool, async (tx: SqlTransaction) => {
      const store = inventoryStore(tx);
      await store.lockOrder(orderId);
      loneHoldsOrder();
      await waitFor('the batch to wait for a lock', async () => (await lockWaiters()) > 0, 10_000, 10);
      await store.holdStock(productId, 1);
    });
    await orderHeld;
    const batch = sqlTransaction(pool, async (tx: SqlTransaction) => {
      const outbox = bufferedOutbox(tx);
      const closing = closingWork();
      await lockBatchRows(tx, [envelope]);
      await placedHandler.handle(envelope.data, handlerContext(tx, envelope as Envelope, (cause) => outbox.publisher({ source: SOURCE, cause }), () => undefined, closing.add));
      await closing.run();
      await outbox.flush();
    });
    const results = await Promise.allSettled([lone, batch]);
    assert.equal(deadlockVictims(results), 0, 'no transaction was broken by a deadlock');
    assert.deepEqual(results.map((result) => result.status), ['fulfilled', 'fulfilled']);
    assert.deepEqual((await pool.query('SELECT available, reserved FROM product WHERE id = $1', [productId])).rows[0], { available: 8, reserved: 2 });
  });
});
