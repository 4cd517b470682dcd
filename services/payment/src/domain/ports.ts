import type { NewEvent } from '@platform/shared/envelope';

export type PaymentStatus = 'SUCCEEDED' | 'FAILED' | 'REFUNDED';

export interface Payment {
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
  saveIntent(orderId: string, cardToken: string): Promise<void>;
  findCardToken(orderId: string): Promise<string | null>;
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
