/**
 * A consumer batch's locks, taken first and sorted (ConsumerOptions.lockBatchRows): its orders'
 * reservation locks, then its product rows.
 *
 * Products: each handler moves its order's product row (a hold, a sale, a release) in arrival
 * order; two batches holding orders for the same two products in opposite orders each locked
 * one row and waited for the other's — a deadlock PostgreSQL breaks after its 1 s timeout by
 * failing one batch, retried then message by message. Locked here in one sorted statement, the
 * batches queue on the first product they share instead. Arrival order, and so which order gets
 * the last unit, is unchanged: only the locks are taken earlier.
 *
 * Orders: every handler first takes its order's reservation lock (`lockOrder`), one statement
 * per message (1.8 per order at saturation). Taken here for the whole batch in the same
 * statement, before the products — the order every other path takes them in (an order, then
 * its product) — so a handler whose order is already locked by its transaction skips it.
 */
import type { Envelope } from '@platform/shared/envelope';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import { uuidsNamed } from '@platform/shared/consumer/batch-rows';

/** The orders whose reservation lock a transaction took with its batch's locks. */
const lockedOrders = new WeakMap<SqlTransaction, ReadonlySet<string>>();

/** The reservation lock's key for an order id given as SQL text: one for the batch and `lockOrder`. */
export const orderLockKey = (orderIdSql: string) => `hashtextextended('reservation:' || ${orderIdSql}, 0)`;

export function holdsOrderLock(tx: SqlTransaction, orderId: string): boolean {
  return lockedOrders.get(tx)?.has(orderId) ?? false;
}

export async function lockBatchRows(tx: SqlTransaction, envelopes: readonly Envelope[]): Promise<void> {
  // order.placed names its product; the others (payment.succeeded, payment.failed,
  // order.cancelled) name the order, whose reservation names the product.
  const products = uuidsNamed(envelopes, 'productId');
  const orders = [...new Set(uuidsNamed(envelopes, 'orderId'))].sort();
  // The scalar subquery is uncorrelated: PostgreSQL runs it once, before the scan (a one-time
  // filter), taking the order locks in the sorted order; then the products, in id order.
  await tx.$queryRawUnsafe(
    `SELECT 1 FROM product
      WHERE (SELECT count(*) FROM (SELECT pg_advisory_xact_lock(${orderLockKey('o')})
                                     FROM unnest($2::text[]) WITH ORDINALITY AS batch(o, n) ORDER BY n) AS locked) >= 0
        AND (id = ANY($1::uuid[]) OR id IN (SELECT product_id FROM reservation WHERE order_id = ANY($2::uuid[])))
      ORDER BY id FOR UPDATE`,
    products,
    orders,
  );
  lockedOrders.set(tx, new Set(orders));
}
