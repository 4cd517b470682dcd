import type { Order, OrderStore } from '../domain/ports.ts';
import type { OrderStatus } from '../domain/order-status.ts';
import type { Tx } from './database.ts';

export function orderStore(tx: Tx): OrderStore {
  return {
    async lockIdempotencyKey(key) {
      await tx.$executeRawUnsafe("SELECT pg_advisory_xact_lock(hashtextextended('idempotency:' || $1, 0))", key);
    },
    async findIdempotencyKey(key) {
      return tx.idempotencyKey.findUnique({ where: { key }, select: { requestHash: true, orderId: true } });
    },
    async saveIdempotencyKey(key, requestHash, orderId) {
      await tx.idempotencyKey.create({ data: { key, requestHash, orderId } });
    },
    async insertOrder(order) {
      await tx.order.create({ data: order });
    },
    async findOrder(id) {
      const row = await tx.order.findUnique({ where: { id } });
      return row && ({ ...row, status: row.status as OrderStatus } satisfies Order);
    },
    async moveOrder(id, from, to, changes) {
      const { count } = await tx.order.updateMany({ where: { id, status: from }, data: { status: to, ...changes } });
      return count === 1;
    },
  };
}
