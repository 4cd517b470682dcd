import { decryptNullable, encryptNullable, type FieldCipher } from '@platform/shared/crypto/field-cipher';
import type { Order, OrderStore } from '../domain/ports.ts';
import type { OrderStatus } from '../domain/order-status.ts';
import type { Tx } from './database.ts';
import type { Order as OrderRow } from './generated/client.ts';

const EMAIL = 'orders.customer_email';

export function toOrder(row: OrderRow, cipher: FieldCipher): Order {
  return { ...row, status: row.status as OrderStatus, customerEmail: decryptNullable(cipher, row.customerEmail, EMAIL) };
}

export function orderStore(tx: Tx, cipher: FieldCipher): OrderStore {
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
      await tx.order.create({ data: { ...order, customerEmail: encryptNullable(cipher, order.customerEmail, EMAIL) } });
    },
    async findOrder(id) {
      const row = await tx.order.findUnique({ where: { id } });
      return row && toOrder(row, cipher);
    },
    async moveOrder(id, from, to, changes) {
      const { count } = await tx.order.updateMany({ where: { id, status: from }, data: { status: to, ...changes } });
      return count === 1;
    },
  };
}

/** A page of orders, newest first, for one customer, one merchant or everyone (admins). */
export async function listOrders(tx: Tx, cipher: FieldCipher, scope: { customerId?: string; merchantId?: string }, page: { limit: number; before?: Date | undefined }): Promise<Order[]> {
  const rows = await tx.order.findMany({
    where: { ...scope, ...(page.before ? { createdAt: { lt: page.before } } : {}) },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: page.limit,
  });
  return rows.map((row) => toOrder(row, cipher));
}
