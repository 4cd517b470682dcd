/**
 * Thin: each outcome the customer hears about (an e-mail) and the merchant hears about (its
 * webhooks), stored in the handler's transaction and sent after it. The busy ones also say their
 * writes as one statement (a lone message is applied that way, see shared/src/consumer/one-statement.ts):
 * the notice and one delivery per subscribed endpoint (found by the statement) written with the inbox row.
 */
import { onSql, type HandlerContext, type StatementContext, type StatementPlan } from '@platform/shared/consumer/handler';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import { decryptNullable, type FieldCipher } from '@platform/shared/crypto/field-cipher';
import { OrderCancelled, OrderCompleted, PaymentFailed, PaymentRefunded, PaymentSucceeded, SEALED_EMAIL } from '@platform/shared/events/catalog';
import { noticeInsertChange, notificationStore } from '../data-access/notification-store.ts';
import { merchantDeliveriesChange, merchantEventStore } from '../data-access/webhook-store.ts';
import { noticeFor, notifyCustomer, type OrderOutcome } from '../domain/notify-customer.ts';
import { enqueueMerchantEvent, webhookPayload } from '../domain/enqueue-webhooks.ts';
import type { WebhookEventType } from '../domain/webhook-ports.ts';
import type { EventData } from '@platform/shared/events/define-event';

export function notificationHandlers(cipher: FieldCipher, deliver: (notificationId: string) => Promise<void>) {
  const notify = async (handler: HandlerContext<SqlTransaction>, outcome: OrderOutcome) => {
    const cause = { eventId: handler.envelope.id, correlationId: handler.envelope.correlationid };
    const id = await notifyCustomer({ store: notificationStore(handler.tx, cipher), publish: handler.publish }, outcome, cause);
    if (id) handler.afterCommit(() => deliver(id));
  };
  const tellMerchant = (handler: HandlerContext<SqlTransaction>, merchantId: string | null, type: WebhookEventType, data: Record<string, unknown>) =>
    enqueueMerchantEvent(merchantEventStore(handler.tx), { merchantId, type, data, occurredAt: new Date(handler.envelope.time) });
  const emailOf = (sealed: string | null) => decryptNullable(cipher, sealed, SEALED_EMAIL);
  /** The same writes as `notify` (when given an outcome) and `tellMerchant`, planned as one statement. */
  const inOneStatement = async (statement: StatementContext, outcome: OrderOutcome | null, merchantId: string | null, type: WebhookEventType, data: Record<string, unknown>): Promise<StatementPlan | null> => {
    const payload = webhookPayload({ merchantId, type, data, occurredAt: new Date(statement.envelope.time) });
    const told = merchantId ? [merchantDeliveriesChange({ merchantId, type, payload }, statement.param, statement.admitted)] : [];
    if (!outcome) return told.length > 0 ? { change: told[0]! } : null;
    const notice = noticeFor(outcome, outcome.customerEmail, { eventId: statement.envelope.id, correlationId: statement.envelope.correlationid });
    // The notice is sent after the commit only if it is new and has an address.
    return { change: noticeInsertChange(notice, cipher, statement.param, statement.admitted), alsoChanges: told, ...(notice.status === 'PENDING' ? { afterCommit: () => deliver(notice.id) } : {}) };
  };
  const completed = (data: EventData<typeof OrderCompleted>): OrderOutcome => ({ outcome: 'completed', orderId: data.orderId, customerId: data.customerId, customerEmail: emailOf(data.customerEmailSealed) });
  const cancelled = (data: EventData<typeof OrderCancelled>): OrderOutcome => ({ outcome: 'cancelled', orderId: data.orderId, customerId: data.customerId, customerEmail: emailOf(data.customerEmailSealed), reason: data.reason });
  const paid = (data: EventData<typeof PaymentSucceeded>) => ({ orderId: data.orderId, paymentId: data.paymentId, amountMinor: data.amountMinor, currency: data.currency, method: data.method });
  return [
    onSql(
      OrderCompleted,
      async (data, handler) => {
        await notify(handler, completed(data));
        await tellMerchant(handler, data.merchantId, 'order.completed', { orderId: data.orderId });
      },
      (data, statement) => inOneStatement(statement, completed(data), data.merchantId, 'order.completed', { orderId: data.orderId }),
    ),
    onSql(
      OrderCancelled,
      async (data, handler) => {
        await notify(handler, cancelled(data));
        await tellMerchant(handler, data.merchantId, 'order.cancelled', { orderId: data.orderId, reason: data.reason });
      },
      (data, statement) => inOneStatement(statement, cancelled(data), data.merchantId, 'order.cancelled', { orderId: data.orderId, reason: data.reason }),
    ),
    onSql(
      PaymentSucceeded,
      async (data, handler) => {
        await tellMerchant(handler, data.merchantId, 'payment.succeeded', paid(data));
      },
      (data, statement) => inOneStatement(statement, null, data.merchantId, 'payment.succeeded', paid(data)),
    ),
    onSql(
      PaymentFailed,
      async (data, handler) => {
        await tellMerchant(handler, data.merchantId, 'payment.failed', { orderId: data.orderId, reason: data.reason });
      },
      (data, statement) => inOneStatement(statement, null, data.merchantId, 'payment.failed', { orderId: data.orderId, reason: data.reason }),
    ),
    // A saga's refund is told in the cancellation notice; a merchant's refund gets its own.
    onSql(PaymentRefunded, async (data, handler) => {
      await tellMerchant(handler, data.merchantId, 'payment.refunded', { orderId: data.orderId, paymentId: data.paymentId, refundId: data.refundId, amountMinor: data.amountMinor, currency: data.currency, reason: data.reason, initiatedBy: data.initiatedBy });
      if (data.initiatedBy === 'saga' || !data.refundId) return;
      await notify(handler, { outcome: 'refunded', orderId: data.orderId, customerId: data.customerId, customerEmail: null, refundId: data.refundId, amountMinor: data.amountMinor, currency: data.currency });
    }),
  ];
}
