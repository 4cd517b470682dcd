/** Thin: each event the inventory reacts to, mapped to its use case. */
import { onSql, type HandlerContext } from '@platform/shared/consumer/handler';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import { OrderCancelled, OrderPlaced, PaymentFailed, PaymentSucceeded } from '@platform/shared/events/catalog';
import { inventoryStore } from '../data-access/inventory-store.ts';
import type { InventoryContext } from '../domain/ports.ts';
import { reserveStock } from '../domain/reserve-stock.ts';
import { commitReservation } from '../domain/commit-reservation.ts';
import { releaseReservation } from '../domain/release-reservation.ts';
import { releaseForCancelledOrder } from '../domain/release-cancelled-order.ts';

export function inventoryHandlers(defaultHoldSeconds: number) {
  const contextOf = ({ tx, publish }: HandlerContext<SqlTransaction>): InventoryContext => ({ store: inventoryStore(tx), publish, now: () => new Date(), defaultHoldSeconds });
  return [
    onSql(OrderPlaced, async (data, handler) => {
      await reserveStock(contextOf(handler), { orderId: data.orderId, productId: data.productId, quantity: data.quantity, requestedBy: 'order-saga' });
    }),
    onSql(PaymentSucceeded, (data, handler) => commitReservation(contextOf(handler), data.orderId)),
    onSql(PaymentFailed, async (data, handler) => {
      await releaseReservation(contextOf(handler), data.orderId, 'payment_failed');
    }),
    onSql(OrderCancelled, (data, handler) => releaseForCancelledOrder(contextOf(handler), data.orderId)),
  ];
}
