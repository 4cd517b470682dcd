/** Thin: each outcome a customer hears about, stored in the handler's transaction and sent after it. */
import { on, type HandlerContext } from '@platform/shared/consumer/handler';
import { decryptNullable, type FieldCipher } from '@platform/shared/crypto/field-cipher';
import { OrderCancelled, OrderCompleted, PaymentRefunded, SEALED_EMAIL } from '@platform/shared/events/catalog';
import type { Tx } from '../data-access/database.ts';
import { notificationStore } from '../data-access/notification-store.ts';
import { notifyCustomer, type OrderOutcome } from '../domain/notify-customer.ts';

export function notificationHandlers(cipher: FieldCipher, deliver: (notificationId: string) => Promise<void>) {
  const notify = async (handler: HandlerContext<Tx>, outcome: OrderOutcome) => {
    const cause = { eventId: handler.envelope.id, correlationId: handler.envelope.correlationid };
    const id = await notifyCustomer({ store: notificationStore(handler.tx, cipher), publish: handler.publish }, outcome, cause);
    if (id) handler.afterCommit(() => deliver(id));
  };
  const emailOf = (sealed: string | null) => decryptNullable(cipher, sealed, SEALED_EMAIL);
  return [
    on<typeof OrderCompleted, Tx>(OrderCompleted, (data, handler) => notify(handler, { outcome: 'completed', orderId: data.orderId, customerId: data.customerId, customerEmail: emailOf(data.customerEmailSealed) })),
    on<typeof OrderCancelled, Tx>(OrderCancelled, (data, handler) => notify(handler, { outcome: 'cancelled', orderId: data.orderId, customerId: data.customerId, customerEmail: emailOf(data.customerEmailSealed), reason: data.reason })),
    // A saga's refund is told in the cancellation notice; a merchant's refund gets its own.
    on<typeof PaymentRefunded, Tx>(PaymentRefunded, async (data, handler) => {
      if (data.initiatedBy === 'saga' || !data.refundId) return;
      await notify(handler, { outcome: 'refunded', orderId: data.orderId, customerId: data.customerId, customerEmail: null, refundId: data.refundId, amountMinor: data.amountMinor, currency: data.currency });
    }),
  ];
}
