/**
 * A consumer batch's product rows, locked first and in id order (ConsumerOptions.lockBatchRows).
 * Each handler moves its order's product row (a hold, a sale, a release) in arrival order; two
 * batches holding orders for the same two products in opposite orders each locked one row and
 * waited for the other's — a deadlock PostgreSQL breaks after its 1 s timeout by failing one
 * batch, retried then message by message. Locked here in one sorted statement, the batches
 * queue on the first product they share instead. Arrival order, and so which order gets the
 * last unit, is unchanged: only the locks are taken earlier.
 */
import type { Envelope } from '@platform/shared/envelope';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import { uuidsNamed } from '@platform/shared/consumer/batch-rows';

export async function lockProductsOfBatch(tx: SqlTransaction, envelopes: readonly Envelope[]): Promise<void> {
  // order.placed names its product; the others (payment.succeeded, payment.failed,
  // order.cancelled) name the order, whose reservation names the product.
  const products = uuidsNamed(envelopes, 'productId');
  const orders = uuidsNamed(envelopes, 'orderId');
  await tx.$queryRawUnsafe(
    `SELECT 1 FROM product
      WHERE id = ANY($1::uuid[]) OR id IN (SELECT product_id FROM reservation WHERE order_id = ANY($2::uuid[]))
      ORDER BY id FOR UPDATE`,
    products,
    orders,
  );
}
