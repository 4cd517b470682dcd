/**
 * The events the services exchange: the platform's published language. Every saga event's
 * subject is the order id, so each consumer processes one order's events in order.
 */
import { z } from 'zod';
import { defineEvent } from './define-event.ts';
import { currencyCode, minorUnits } from './money.ts';

const orderId = z.string().uuid();
/**
 * Who owns the order: services check every read against these. Null only on events written
 * before identities existed. The card token never travels in clear: see `paymentChoiceSealed`.
 */
const owners = { customerId: z.string().uuid().nullable().default(null), merchantId: z.string().uuid().nullable().default(null) };
/**
 * The customer's e-mail travels sealed (AES-256-GCM under the platform keyring, purpose
 * SEALED_EMAIL): outbox rows, the broker and the timeline never hold it in clear.
 */
export const SEALED_EMAIL = 'event.customer_email';
const customerEmailSealed = z.string().regex(/^enc1\./, 'must be sealed').nullable().default(null);
/**
 * How the customer pays, sealed for the payment service alone (payment-choice.ts): order.placed
 * carries it and inventory.reserved passes it on. Null on events from before it travelled (the
 * payment service then reads the intent the order service filed over HTTP) and on holds with no
 * order behind them; absent from a publisher that does not know it yet.
 */
const paymentChoiceSealed = z.string().max(2_000).regex(/^enc1\./, 'must be sealed').nullish();

export const OrderPlaced = defineEvent('order.placed.v1', z.object({ orderId, productId: z.string().uuid(), quantity: z.number().int().positive(), paymentChoiceSealed, ...owners }));
export const OrderCompleted = defineEvent('order.completed.v1', z.object({ orderId, customerEmailSealed, ...owners }));
export const OrderCancelled = defineEvent('order.cancelled.v1', z.object({ orderId, reason: z.string(), customerEmailSealed, ...owners }));

export const InventoryReserved = defineEvent(
  'inventory.reserved.v1',
  z.object({
    orderId,
    reservationId: z.string().uuid(),
    productId: z.string().uuid(),
    quantity: z.number().int().positive(),
    amountMinor: minorUnits,
    currency: currencyCode,
    expiresAt: z.string().datetime({ offset: true }),
    /** Who asked for the hold: an order's saga, or a direct POST /inventory/reserve (nothing to charge). */
    requestedBy: z.enum(['order-saga', 'direct-api']).default('order-saga'),
    paymentChoiceSealed,
  }),
);
export const InventoryReservationFailed = defineEvent(
  'inventory.reservation-failed.v1',
  z.object({ orderId, productId: z.string(), reason: z.enum(['out_of_stock', 'unknown_product']) }),
);
export const InventoryCommitted = defineEvent('inventory.committed.v1', z.object({ orderId, reservationId: z.string().uuid() }));
export const InventoryCommitFailed = defineEvent(
  'inventory.commit-failed.v1',
  z.object({ orderId, reservationId: z.string().uuid().nullable(), reason: z.enum(['reservation_expired', 'reservation_released', 'no_reservation']) }),
);
export const InventoryReleased = defineEvent(
  'inventory.released.v1',
  z.object({ orderId, reservationId: z.string().uuid(), quantity: z.number().int().positive(), reason: z.enum(['expired', 'payment_failed', 'released_by_request', 'order_cancelled']) }),
);

/** How an order was paid: a wallet payment is journaled by its hold, not as a card charge. */
const paymentMethod = z.enum(['CARD', 'UPI', 'WALLET']).default('CARD');

export const PaymentSucceeded = defineEvent(
  'payment.succeeded.v1',
  z.object({ orderId, paymentId: z.string().uuid(), amountMinor: minorUnits, currency: currencyCode, method: paymentMethod, ...owners }),
);
export const PaymentFailed = defineEvent(
  'payment.failed.v1',
  z.object({
    orderId,
    reason: z.enum(['card_declined', 'insufficient_funds', 'reservation_expired', 'payer_declined', 'collect_expired', 'gateway_timeout', 'payment_method_unavailable']),
    ...owners,
  }),
);
export const PaymentRefunded = defineEvent(
  'payment.refunded.v1',
  z.object({
    orderId,
    paymentId: z.string().uuid(),
    refundId: z.string().min(1).nullable().default(null),
    amountMinor: minorUnits,
    currency: currencyCode,
    reason: z.string(),
    /** A saga's compensation cancels the order; a merchant's or admin's refund leaves it as it is. */
    initiatedBy: z.enum(['saga', 'merchant', 'admin']).default('saga'),
    method: paymentMethod,
    ...owners,
  }),
);

/** A card top-up the gateway confirmed; the ledger credits the customer's wallet. Subject: the top-up. */
export const WalletToppedUp = defineEvent('payment.wallet-topped-up.v1', z.object({ topUpId: z.string().uuid(), customerId: z.string().uuid(), amountMinor: minorUnits, currency: currencyCode }));

/**
 * Reconciliation's repairs, addressed to the ledger alone (so no merchant or customer hears of a
 * payment twice): journal a captured payment or a refund whose event the ledger never applied,
 * or move a difference nobody can explain between the gateway's clearing account and suspense.
 * Idempotent by transfer id, however often it is asked. Subject: the order (or the transfer).
 */
export const PaymentJournalRequested = defineEvent(
  'payment.journal-requested.v1',
  z.discriminatedUnion('entry', [
    z.object({ entry: z.literal('charge'), orderId, paymentId: z.string().uuid(), amountMinor: minorUnits, currency: currencyCode, ...owners }),
    z.object({ entry: z.literal('refund'), orderId, paymentId: z.string().uuid(), refundId: z.string().uuid(), amountMinor: minorUnits, currency: currencyCode, ...owners }),
    z.object({
      entry: z.literal('suspense'),
      transferId: z.string().regex(/^suspense:[\w:.-]{1,200}$/),
      /** The gateway's books hold more than ours (clearing debited) or less (clearing credited). */
      gatewayHolds: z.enum(['more', 'less']),
      amountMinor: minorUnits,
      currency: currencyCode,
      orderId: orderId.nullable(),
    }),
  ]),
);

export const LedgerEntryRecorded = defineEvent(
  'ledger.entry-recorded.v1',
  z.object({ orderId, transferId: z.string().min(1), kind: z.enum(['charge', 'refund']), amountMinor: minorUnits, currency: currencyCode }),
);

export const NotificationSent = defineEvent('notification.sent.v1', z.object({ orderId, notificationId: z.string().uuid(), template: z.string() }));
