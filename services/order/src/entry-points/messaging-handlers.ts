/** Thin: each saga event mapped to the order state it implies. */
import { onSql, type HandlerContext } from '@platform/shared/consumer/handler';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import { encryptNullable, type FieldCipher } from '@platform/shared/crypto/field-cipher';
import { SEALED_EMAIL } from '@platform/shared/events/catalog';
import * as events from '@platform/shared/events/catalog';
import { orderStore } from '../data-access/order-store.ts';
import { advanceOrder, type Progress } from '../domain/advance-order.ts';
import type { OrderFinished } from './order-metrics.ts';

export function orderHandlers(cipher: FieldCipher, finished: OrderFinished = () => undefined) {
  const apply = (handler: HandlerContext<SqlTransaction>, progress: Progress) =>
    advanceOrder(
      {
        store: orderStore(handler.tx, cipher),
        publish: handler.publish,
        sealEmail: (email) => encryptNullable(cipher, email, SEALED_EMAIL),
        finished: (outcome, reason) => handler.afterCommit(async () => finished(outcome, reason)),
      },
      progress,
    );
  return [
  onSql(events.InventoryReserved, (data, handler) =>
    apply(handler, { orderId: data.orderId, to: 'INVENTORY_RESERVED', amountMinor: data.amountMinor, currency: data.currency }),
  ),
  onSql(events.InventoryReservationFailed, (data, handler) =>
    apply(handler, { orderId: data.orderId, to: 'CANCELLED', cancellationReason: data.reason }),
  ),
  onSql(events.PaymentSucceeded, (data, handler) =>
    apply(handler, { orderId: data.orderId, to: 'PAYMENT_SUCCESS', amountMinor: data.amountMinor, currency: data.currency }),
  ),
  onSql(events.PaymentFailed, (data, handler) => apply(handler, { orderId: data.orderId, to: 'CANCELLED', cancellationReason: data.reason })),
  onSql(events.InventoryCommitted, (data, handler) => apply(handler, { orderId: data.orderId, to: 'COMPLETED' })),
  onSql(events.InventoryCommitFailed, (data, handler) =>
    apply(handler, { orderId: data.orderId, to: 'CANCELLED', cancellationReason: data.reason }),
  ),
  onSql(events.InventoryReleased, async (data, handler) => {
    if (data.reason === 'expired') await apply(handler, { orderId: data.orderId, to: 'CANCELLED', cancellationReason: 'reservation_expired' });
  }),
  onSql(events.PaymentRefunded, async (data, handler) => {
    // A merchant's partial or full refund of a completed order does not cancel it.
    if (data.initiatedBy === 'saga') await apply(handler, { orderId: data.orderId, to: 'CANCELLED', cancellationReason: 'refunded' });
  }),
];
}
