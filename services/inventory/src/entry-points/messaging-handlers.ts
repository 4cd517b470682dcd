/** Thin: each event the inventory reacts to, mapped to its use case. */
import { on, type HandlerContext } from '@platform/shared/consumer/handler';
import { OrderCancelled, OrderPlaced, PaymentFailed, PaymentSucceeded } from '@platform/shared/events/catalog';
import type { Tx } from '../data-access/database.ts';
import { inventoryStore } from '../data-access/inventory-store.ts';
import type { InventoryContext } from '../domain/ports.ts';
import { reserveStock } from '../domain/reserve-stock.ts';
import { commitReservation } from '../domain/commit-reservation.ts';
import { releaseReservation } from '../domain/release-reservation.ts';
import { releaseForCancelledOrder } from '../domain/release-cancelled-order.ts';

export function inventoryHandlers(defaultHoldSeconds: number) {
  const contextOf = ({ tx, publish }: HandlerContext<Tx>): InventoryContext => ({ store: inventoryStore(tx), publish, now: () => new Date(), defaultHoldSeconds });
  return [
    on<typeof OrderPlaced, Tx>(OrderPlaced, async (data, handler) => {
      await reserveStock(contextOf(handler), { orderId: data.orderId, productId: data.productId, quantity: data.quantity, requestedBy: 'order-saga' });
    }),
    on<typeof PaymentSucceeded, Tx>(PaymentSucceeded, (data, handler) => commitReservation(contextOf(handler), data.orderId)),
    on<typeof PaymentFailed, Tx>(PaymentFailed, async (data, handler) => {
      await releaseReservation(contextOf(handler), data.orderId, 'payment_failed');
    }),
    on<typeof OrderCancelled, Tx>(OrderCancelled, (data, handler) => releaseForCancelledOrder(contextOf(handler), data.orderId)),
  ];
}
