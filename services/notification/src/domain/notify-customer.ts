import { randomUUID } from 'node:crypto';
import { NotificationSent } from '@platform/shared/events/catalog';
import type { NotificationContext, OutgoingNotice, StoredNotification } from './ports.ts';

const REASONS: Record<string, string> = {
  out_of_stock: 'the item is out of stock',
  unknown_product: 'the item no longer exists',
  card_declined: 'your card was declined',
  insufficient_funds: 'your card was declined for insufficient funds',
  reservation_expired: 'the item could not be held for you long enough to complete payment',
  reservation_released: 'the item was released before payment completed',
  refunded: 'your payment was refunded',
  payer_declined: 'the payment request was declined in your payment app',
  collect_expired: 'the payment request expired before it was approved',
  gateway_timeout: 'the payment could not be confirmed in time',
  payment_method_unavailable: 'the payment method could not be used',
};

export type OrderOutcome = { orderId: string; customerId: string | null; customerEmail: string | null } & ({ outcome: 'completed' } | { outcome: 'cancelled'; reason: string });

export function composeNotice(outcome: OrderOutcome): { template: string; notice: OutgoingNotice } {
  const shortId = outcome.orderId.slice(0, 8);
  if (outcome.outcome === 'completed') {
    return { template: 'order-completed', notice: { channel: 'email', recipient: outcome.customerEmail, subject: `Order ${shortId} confirmed`, body: `Your order ${outcome.orderId} is confirmed and paid.` } };
  }
  const why = REASONS[outcome.reason] ?? outcome.reason;
  return {
    template: 'order-cancelled',
    notice: { channel: 'email', recipient: outcome.customerEmail, subject: `Order ${shortId} cancelled`, body: `Your order ${outcome.orderId} was cancelled: ${why}. Any payment taken has been refunded.` },
  };
}

/** Stores the customer's notice for a finished order (once) and hands it to the transport. */
export async function notifyCustomer(context: NotificationContext, outcome: OrderOutcome): Promise<void> {
  const { template, notice } = composeNotice(outcome);
  const notification: StoredNotification = { id: randomUUID(), orderId: outcome.orderId, customerId: outcome.customerId, template, ...notice, status: notice.recipient ? 'SENT' : 'NO_RECIPIENT' };
  if (!(await context.store.insert(notification))) return;
  // Sent inside the transaction: if delivery throws, the row rolls back and the event is retried.
  if (notice.recipient) await context.transport.send(notice);
  await context.publish([{ definition: NotificationSent, subject: outcome.orderId, data: { orderId: outcome.orderId, notificationId: notification.id, template } }]);
}
