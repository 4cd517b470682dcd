/**
 * Thin: each outcome the customer hears about (an e-mail) and the merchant hears about (its
 * webhooks), stored in the handler's transaction and sent after it.
 */
import { onSql, type HandlerContext } from '@platform/shared/consumer/handler';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import { decryptNullable, type FieldCipher } from '@platform/shared/crypto/field-cipher';
import { OrderCancelled, OrderCompleted, PaymentFailed, PaymentRefunded, PaymentSucceeded, SEALED_EMAIL } from '@platform/shared/events/catalog';
import { notificationStore } from '../data-access/notification-store.ts';
import { merchantEventStore } from '../data-access/webhook-store.ts';
import { notifyCustomer, type OrderOutcome } from '../domain/notify-customer.ts';
import { enqueueMerchantEvent } from '../domain/enqueue-webhooks.ts';
import type { WebhookEventType } from '../domain/webhook-ports.ts';

export function notificationHandlers(cipher: FieldCipher, deliver: (notificationId: string) => Promise<void>) {
  const notify = async (handler: HandlerContext<SqlTransaction>, outcome: OrderOutcome) => {
    const cause = { eventId: handler.envelope.id, correlationId: handler.envelope.correlationid };
    const id = await notifyCustomer({ store: notificationStore(handler.tx, cipher), publish: handler.publish }, outcome, cause);
    if (id) handler.afterCommit(() => deliver(id));
  };
  const tellMerchant = (handler: HandlerContext<SqlTransaction>, merchantId: string | null, type: WebhookEventType, data: Record<string, unknown>) =>
    enqueueMerchantEvent(merchantEventStore(handler.tx), { merchantId, type, data, occurredAt: new Date(handler.envelope.time) });
  const emailOf = (sealed: string | null) => decryptNullable(cipher, sealed, SEALED_EMAIL);
  return [
    onSql(OrderCompleted, async (data, handler) => {
      await notify(handler, { outcome: 'completed', orderId: data.orderId, customerId: data.customerId, customerEmail: emailOf(data.customerEmailSealed) });
      await tellMerchant(handler, data.merchantId, 'order.completed', { orderId: data.orderId });
    }),
    onSql(OrderCancelled, async (data, handler) => {
      await notify(handler, { outcome: 'cancelled', orderId: data.orderId, customerId: data.customerId, customerEmail: emailOf(data.customerEmailSealed), reason: data.reason });
      await tellMerchant(handler, data.merchantId, 'order.cancelled', { orderId: data.orderId, reason: data.reason });
    }),
    onSql(PaymentSucceeded, async (data, handler) => {
      await tellMerchant(handler, data.merchantId, 'payment.succeeded', { orderId: data.orderId, paymentId: data.paymentId, amountMinor: data.amountMinor, currency: data.currency, method: data.method });
    }),
    onSql(PaymentFailed, async (data, handler) => {
      await tellMerchant(handler, data.merchantId, 'payment.failed', { orderId: data.orderId, reason: data.reason });
    }),
    // A saga's refund is told in the cancellation notice; a merchant's refund gets its own.
    onSql(PaymentRefunded, async (data, handler) => {
      await tellMerchant(handler, data.merchantId, 'payment.refunded', { orderId: data.orderId, paymentId: data.paymentId, refundId: data.refundId, amountMinor: data.amountMinor, currency: data.currency, reason: data.reason, initiatedBy: data.initiatedBy });
      if (data.initiatedBy === 'saga' || !data.refundId) return;
      await notify(handler, { outcome: 'refunded', orderId: data.orderId, customerId: data.customerId, customerEmail: null, refundId: data.refundId, amountMinor: data.amountMinor, currency: data.currency });
    }),
  ];
}
