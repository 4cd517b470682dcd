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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const uuidField = (envelope: Envelope, field: 'orderId' | 'productId'): string[] => {
  const value = (envelope.data as Record<string, unknown> | null)?.[field];
  return typeof value === 'string' && UUID.test(value) ? [value] : [];
};

export async function lockProductsOfBatch(tx: SqlTransaction, envelopes: readonly Envelope[]): Promise<void> {
  // order.placed names its product; the others (payment.succeeded, payment.failed,
  // order.cancelled) name the order, whose reservation names the product.
  const products = envelopes.flatMap((envelope) => uuidField(envelope, 'productId'));
  const orders = envelopes.flatMap((envelope) => uuidField(envelope, 'orderId'));
  await tx.$queryRawUnsafe(
    `SELECT 1 FROM product
      WHERE id = ANY($1::uuid[]) OR id IN (SELECT product_id FROM reservation WHERE order_id = ANY($2::uuid[]))
      ORDER BY id FOR UPDATE`,
    products,
    orders,
  );
}
