/** Thin: each event the inventory reacts to, mapped to its use case. */
import { IN_TRANSACTION, onSql, type HandlerContext } from '@platform/shared/consumer/handler';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import { OrderCancelled, OrderPlaced, PaymentFailed, PaymentSucceeded } from '@platform/shared/events/catalog';
import { inventoryStore } from '../data-access/inventory-store.ts';
import type { InventoryContext } from '../domain/ports.ts';
import { planReserve, reserveStock, type ReserveCommand } from '../domain/reserve-stock.ts';
import type { EventData } from '@platform/shared/events/define-event';
import { commitReservation, planCommit } from '../domain/commit-reservation.ts';
import { commitHeldChanges, holdStockChanges } from '../data-access/one-statement-changes.ts';
import { releaseReservation } from '../domain/release-reservation.ts';
import { releaseForCancelledOrder } from '../domain/release-cancelled-order.ts';

const reserveCommand = (data: EventData<typeof OrderPlaced>): ReserveCommand => ({ orderId: data.orderId, productId: data.productId, quantity: data.quantity, requestedBy: 'order-saga', paymentChoiceSealed: data.paymentChoiceSealed ?? null });

export function inventoryHandlers(defaultHoldSeconds: number) {
  const contextOf = ({ tx, publish }: HandlerContext<SqlTransaction>): InventoryContext => ({ store: inventoryStore(tx), publish, now: () => new Date(), defaultHoldSeconds });
  return [
    onSql(
      OrderPlaced,
      async (data, handler) => {
        await reserveStock(contextOf(handler), reserveCommand(data));
      },
      // The common case in one statement; an unknown product, too little stock or a hold already there is for the transaction.
      async (data, { db, param, admitted }) => {
        const plan = await planReserve({ store: inventoryStore(db), now: () => new Date(), defaultHoldSeconds }, reserveCommand(data));
        return plan ? { ...holdStockChanges(plan, param, admitted), events: [plan.announcement], onlyIfChanged: true } : IN_TRANSACTION;
      },
    ),
    onSql(
      PaymentSucceeded,
      (data, handler) => commitReservation(contextOf(handler), data.orderId),
      // The common case in one statement; an expired or missing hold is for the transaction.
      async (data, { db, param, admitted }) => {
        const plan = await planCommit({ findReservationByOrder: (orderId) => inventoryStore(db).findReservationByOrder(orderId), now: () => new Date() }, data.orderId);
        return plan ? { ...commitHeldChanges(plan, param, admitted), events: [plan.announcement], onlyIfChanged: true } : IN_TRANSACTION;
      },
    ),
    onSql(PaymentFailed, async (data, handler) => {
      await releaseReservation(contextOf(handler), data.orderId, 'payment_failed');
    }),
    onSql(OrderCancelled, (data, handler) => releaseForCancelledOrder(contextOf(handler), data.orderId)),
  ];
}
