import type { NewEvent } from '@platform/shared/envelope';

export type PaymentStatus = 'SUCCEEDED' | 'FAILED' | 'REFUNDED';

export interface Owners {
  customerId: string | null;
  merchantId: string | null;
}

export interface PaymentIntent extends Owners {
  orderId: string;
  /** Null once the payment has an outcome: the token is erased then. */
  cardToken: string | null;
}

export interface Payment extends Owners {
  id: string;
  orderId: string;
  amountMinor: bigint;
  currency: string;
  status: PaymentStatus;
  failureReason: string | null;
  chargeId: string | null;
  refundId: string | null;
}

export interface PaymentStore {
  /** Idempotent per order: a second intent for the same order is ignored. */
  saveIntent(intent: PaymentIntent): Promise<void>;
  findIntent(orderId: string): Promise<PaymentIntent | null>;
  /** Forgets the card token once the payment has an outcome. */
  eraseCardToken(orderId: string): Promise<void>;
  findPayment(orderId: string): Promise<Payment | null>;
  insertPayment(payment: Payment): Promise<void>;
  /** SUCCEEDED → REFUNDED; false if it was not SUCCEEDED. */
  markRefunded(paymentId: string, refundId: string): Promise<boolean>;
}

export type ChargeResult = { outcome: 'succeeded'; chargeId: string } | { outcome: 'declined'; reason: 'card_declined' | 'insufficient_funds' };

/** A card gateway. Both calls are idempotent by key: calling again returns the first result. */
export interface CardGateway {
  charge(request: { idempotencyKey: string; cardToken: string; amountMinor: bigint; currency: string }): Promise<ChargeResult>;
  /** The result of a charge already made with this key, or null if none was. Never charges. */
  findCharge(idempotencyKey: string): Promise<ChargeResult | null>;
  refund(request: { idempotencyKey: string; chargeId: string; amountMinor: bigint; currency: string }): Promise<{ refundId: string }>;
}

export interface PaymentContext {
  store: PaymentStore;
  gateway: CardGateway;
  publish(events: readonly NewEvent[]): Promise<void>;
  now(): Date;
}
