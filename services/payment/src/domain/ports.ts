import type { NewEvent } from '@platform/shared/envelope';

export type PaymentStatus = 'INITIATED' | 'PENDING' | 'SUCCEEDED' | 'FAILED' | 'PARTIALLY_REFUNDED' | 'REFUNDED';
export type PaymentMethodKind = 'CARD' | 'UPI' | 'WALLET';
export type FailureReason = 'card_declined' | 'insufficient_funds' | 'reservation_expired' | 'payer_declined' | 'collect_expired' | 'gateway_timeout' | 'payment_method_unavailable';

/** Where an outcome came from: the event (or request) it answers, for causation and correlation. */
export interface Trace {
  causeEventId: string | null;
  correlationId: string | null;
  traceparent: string | null;
}

export interface Owners {
  customerId: string | null;
  merchantId: string | null;
}

export interface PaymentIntent extends Owners {
  orderId: string;
  method: PaymentMethodKind;
  /** Null once the payment has an outcome: the token is erased then. */
  cardToken: string | null;
  upiVpa: string | null;
}

export interface Payment extends Owners {
  id: string;
  /** The order's id; for a wallet top-up, the top-up's own. */
  orderId: string;
  kind: 'ORDER' | 'TOP_UP';
  method: PaymentMethodKind;
  methodSummary: string | null;
  amountMinor: bigint;
  refundedMinor: bigint;
  currency: string;
  status: PaymentStatus;
  failureReason: string | null;
  chargeId: string | null;
  holdExpiresAt: Date;
  attempts: number;
  trace: Trace;
}

export interface Refund {
  id: string;
  paymentId: string;
  amountMinor: bigint;
  currency: string;
  reason: string;
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  gatewayRefundId: string | null;
  requestedBy: 'saga' | 'merchant' | 'admin';
  createdAt: Date;
  trace: Trace;
}

/** How the gateway is asked to take the money. The card number exists only for this call. */
export type GatewayMethod =
  | { type: 'card'; number: string; expMonth: number; expYear: number }
  | { type: 'upi_collect'; vpa: string; expiresInSeconds: number }
  /** Paid from the customer's wallet: the ledger holds the funds (it is this method's gateway). */
  | { type: 'wallet'; customerId: string; merchantId: string | null; holdUntil: Date };

export type GatewayAnswer =
  | { status: 'succeeded'; chargeId: string }
  | { status: 'failed'; chargeId: string | null; reason: string }
  | { status: 'pending'; chargeId: string };

/** The gateway could not be asked now (timeout, 5xx, circuit open, too many calls): try later. */
export class GatewayUnavailable extends Error {
  override readonly name = 'GatewayUnavailable';
}

/** Every call is idempotent by key: calling again returns the first result, never a second charge. */
export interface PaymentGateway {
  charge(request: { idempotencyKey: string; amountMinor: bigint; currency: string; method: GatewayMethod; reference: string }): Promise<GatewayAnswer>;
  /** What became of a charge made with this key, or null if none was made. Never charges. */
  findCharge(idempotencyKey: string): Promise<GatewayAnswer | null>;
  refund(request: { idempotencyKey: string; chargeId: string; amountMinor: bigint }): Promise<{ refundId: string } | { refused: string }>;
}

/** What a status change sets besides the status; a field not named is left as it is. */
export interface PaymentChange {
  chargeId?: string | null;
  failureReason?: string | null;
  nextAttemptAt?: Date | null;
  /** The history row's words. */
  detail?: string;
}

/** One exchange with the gateway, kept for support and reconciliation. */
export interface GatewayCall {
  kind: string;
  idempotencyKey: string;
  outcome: string;
  reference: string | null;
}

/**
 * Everything recording a gateway's answer writes when the payment is still waiting for it: the
 * call, the status change, the secrets' erasure once it ended, and the events that announce it.
 */
export interface Settlement {
  call: GatewayCall | null;
  from: readonly PaymentStatus[];
  to: PaymentStatus;
  change: PaymentChange;
  /** How the payment ended, if it did: its card token or VPA is then forgotten. */
  ended: 'succeeded' | 'failed' | null;
  events: NewEvent[];
}

export interface PaymentStore {
  /** Idempotent per order: a second intent for the same order is ignored. */
  saveIntent(intent: PaymentIntent): Promise<void>;
  findIntent(orderId: string): Promise<PaymentIntent | null>;
  /** Forgets the card token and payer address once the payment has an outcome. */
  eraseIntentSecrets(orderId: string): Promise<void>;
  findPayment(orderId: string): Promise<Payment | null>;
  findPaymentById(paymentId: string, options?: { lock: boolean }): Promise<Payment | null>;
  /**
   * The payment with its first history row, and the intent it was made from if given, in one
   * statement; false (nothing written) when the order already has a payment.
   */
  insertPayment(payment: Payment, nextAttemptAt: Date, intent?: PaymentIntent | null): Promise<boolean>;
  /** Moves a payment from one of `from` to `to` (with its history row); false if it was elsewhere. */
  transition(paymentId: string, from: readonly PaymentStatus[], to: PaymentStatus, change: PaymentChange): Promise<boolean>;
  setMethodSummary(paymentId: string, summary: string): Promise<void>;
  /** After a failed attempt: when to look again. */
  scheduleAttempt(paymentId: string, nextAttemptAt: Date): Promise<void>;
  recordGatewayCall(paymentId: string, call: GatewayCall): Promise<void>;
  /** false if the gateway event was applied before. */
  rememberWebhookEvent(id: string, type: string): Promise<boolean>;
  /** PENDING and SUCCEEDED refunds of a payment, summed. */
  refundsHeld(paymentId: string): Promise<bigint>;
  insertRefund(refund: Refund): Promise<void>;
  findRefund(refundId: string): Promise<Refund | null>;
  /** PENDING → SUCCEEDED or FAILED; false if it was not PENDING. */
  settleRefund(refundId: string, outcome: { status: 'SUCCEEDED'; gatewayRefundId: string } | { status: 'FAILED' }): Promise<boolean>;
  scheduleRefund(refundId: string, nextAttemptAt: Date): Promise<void>;
  /** Adds a completed refund to the payment and moves it to PARTIALLY_REFUNDED or REFUNDED. */
  addRefunded(paymentId: string, amountMinor: bigint, refundId: string): Promise<PaymentStatus>;
}

/** What a use case inside one transaction may do. */
export interface PaymentUnitOfWork {
  store: PaymentStore;
  publish(events: readonly NewEvent[]): Promise<void>;
  /** Told when this transaction settles a payment (counted once it has committed). */
  finished?(kind: string, method: string, outcome: 'succeeded' | 'failed'): void;
}

/** What the use cases that call the gateway need: transactions of their own, never one held across a call. */
export interface PaymentServices {
  /** `trace` makes the events written in it answer the payment's (or refund's) cause. */
  transaction<R>(work: (unit: PaymentUnitOfWork) => Promise<R>, trace?: Trace): Promise<R>;
  /**
   * A settlement and the method's summary in one statement, if the payment is still in one of
   * `from`; false (nothing written) if it is not. The common answer without a transaction.
   */
  settle(payment: Payment, settlement: Settlement, methodSummary: string): Promise<boolean>;
  /** Reads outside any transaction (a lone read needs no BEGIN and COMMIT). */
  read<R>(work: (store: PaymentStore) => Promise<R>): Promise<R>;
  /** The card processor for cards and UPI; the ledger for wallets. */
  gatewayFor(method: PaymentMethodKind): PaymentGateway;
  /** The intent's method, ready for the gateway (the vault reveals a card number for this call only). */
  methodFor(intent: PaymentIntent, holdExpiresAt: Date): Promise<{ method: GatewayMethod; summary: string } | null>;
  timing: PaymentTiming;
  now(): Date;
}

export interface PaymentTiming {
  /** How long after a failed attempt the sweeper tries again (grows with attempts). */
  retryDelayMs(attempts: number): number;
  /** How often a PENDING payment is asked about when no webhook has come. */
  pendingPollMs: number;
  /** How long a PENDING payment may outlive its hold before it is given up. */
  pendingGiveUpMs: number;
}

export const chargeKeyOf = (orderId: string) => `charge:${orderId}`;
export const refundKeyOf = (refundId: string) => `refund:${refundId}`;
