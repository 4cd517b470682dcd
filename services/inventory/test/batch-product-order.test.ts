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
import { afterTheOtherOrItsLockWait, deadlockVictims } from '../../../shared/test/support/opposing-batches.ts';
import { inventoryStore } from '../src/data-access/inventory-store.ts';
import { inventoryHandlers } from '../src/entry-points/messaging-handlers.ts';
import { lockBatchRows } from '../src/data-access/batch-locks.ts';

const SOURCE = '/services/inventory';

// Two consumer batches reserving the same two products in opposite orders at the same time: each
// handler moves its product's row in arrival order, so without the batch's sorted lock first
// (batch-locks.ts) each batch held one row and waited for the other's, and PostgreSQL broke the
// deadlock after its 1 s timeout by failing one.
describe('product rows of a batch of reservations', () => {
  let database: Awaited<ReturnType<typeof cloneServiceDatabase>>;
  let pool: pg.Pool;
  const handlers = inventoryHandlers(900);
  const placedHandler = handlers.find((candidate) => candidate.definition.type === OrderPlaced.type)!;
  const placed = (productId: string) => {
    const orderId = randomUUID();
    return createEnvelope('/services/order', { definition: OrderPlaced, subject: orderId, data: { orderId, productId, quantity: 1, customerId: null, merchantId: null } });
  };
  /** As the consumer's batch runs: one transaction, its shared rows locked first, each handler, the closing work, the outbox. */
  const inBatch = ([first, second]: [Envelope, Envelope], between: () => Promise<void>) =>
    sqlTransaction(pool, async (tx: SqlTransaction) => {
      const outbox = bufferedOutbox(tx);
      const closing = closingWork();
      await lockBatchRows(tx, [first, second]);
      const apply = (envelope: Envelope) => placedHandler.handle(envelope.data, handlerContext(tx, envelope, (cause) => outbox.publisher({ source: SOURCE, cause }), () => undefined, closing.add));
      await apply(first);
      await between();
      await apply(second);
      await closing.run();
      await outbox.flush();
    });
  const product = async () => {
    const id = randomUUID();
    await inventoryStore(new PgSql(pool)).insertProduct({ id, merchantId: null, sku: id, name: 'night', priceMinor: 9000n, currency: 'EUR', available: 10, holdSeconds: null });
    return id;
  };

  before(async () => {
    database = await cloneServiceDatabase('inventory');
    pool = database.pool;
  });
  after(() => database.drop());

  it('when two batches reserve the same two products in opposite orders at once, then both commit with no deadlock', async () => {
    const [first, second] = [await product(), await product()];
    const afterTheOther = afterTheOtherOrItsLockWait(pool);
    const results = await Promise.allSettled([inBatch([placed(first), placed(second)], afterTheOther), inBatch([placed(second), placed(first)], afterTheOther)]);
    assert.equal(deadlockVictims(results), 0, 'no batch was broken by a deadlock');
    for (const id of [first, second]) {
      assert.deepEqual((await pool.query('SELECT available, reserved FROM product WHERE id = $1', [id])).rows[0], { available: 8, reserved: 2 });
    }
  });
});
