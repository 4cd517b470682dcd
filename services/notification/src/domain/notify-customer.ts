import { randomUUID } from 'node:crypto';
import type { NoticeCause, NotificationContext, OutgoingNotice, StoredNotification } from './ports.ts';

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
  deadline_exceeded: 'it could not be completed in time',
};

export type OrderOutcome = { orderId: string; customerId: string | null; customerEmail: string | null } & (
  | { outcome: 'completed' }
  | { outcome: 'cancelled'; reason: string }
  | { outcome: 'refunded'; refundId: string; amountMinor: number; currency: string }
);

const money = (amountMinor: number, currency: string) => `${(amountMinor / 100).toFixed(2)} ${currency}`;

export function composeNotice(outcome: OrderOutcome): { template: string; reference: string; notice: OutgoingNotice } {
  const shortId = outcome.orderId.slice(0, 8);
  const to = { channel: 'email' as const, recipient: outcome.customerEmail };
  if (outcome.outcome === 'completed') {
    return { template: 'order-completed', reference: '', notice: { ...to, subject: `Order ${shortId} confirmed`, body: `Your order ${outcome.orderId} is confirmed and paid.` } };
  }
  if (outcome.outcome === 'refunded') {
    const amount = money(outcome.amountMinor, outcome.currency);
    return { template: 'payment-refunded', reference: outcome.refundId, notice: { ...to, subject: `Refund of ${amount} for order ${shortId}`, body: `We have refunded ${amount} of your payment for order ${outcome.orderId}. It reaches your account within a few days.` } };
  }
  const why = REASONS[outcome.reason] ?? outcome.reason;
  return {
    template: 'order-cancelled',
    reference: '',
    notice: { ...to, subject: `Order ${shortId} cancelled`, body: `Your order ${outcome.orderId} was cancelled: ${why}. Any payment taken has been refunded.` },
  };
}

/**
 * Stores the customer's notice (once per order, template and reference) in the handler's
 * transaction. Returns its id when it is to be sent after the commit, or null (already stored,
 * or no address: then it is stored as NO_RECIPIENT and nothing is sent).
 */
export async function notifyCustomer(context: NotificationContext, outcome: OrderOutcome, cause: NoticeCause): Promise<string | null> {
  const recipient = outcome.customerEmail ?? (outcome.outcome === 'refunded' ? await context.store.recipientOf(outcome.orderId) : null);
  const notification = noticeFor(outcome, recipient, cause);
  if (!(await context.store.insert(notification))) return null;
  return notification.status === 'PENDING' ? notification.id : null;
}

/** The notice as stored: PENDING to be sent, NO_RECIPIENT when there is no address. */
export function noticeFor(outcome: OrderOutcome, recipient: string | null, cause: NoticeCause): StoredNotification {
  const { template, reference, notice } = composeNotice({ ...outcome, customerEmail: recipient });
  return { id: randomUUID(), orderId: outcome.orderId, customerId: outcome.customerId, template, reference, ...notice, status: notice.recipient ? 'PENDING' : 'NO_RECIPIENT', cause };
}
