import type { Envelope, NewEvent } from '@platform/shared/envelope';
import type { OrderStatus } from './order-status.ts';

export interface Order {
  id: string;
  productId: string;
  quantity: number;
  customerId: string | null;
  merchantId: string | null;
  customerEmail: string | null;
  status: OrderStatus;
  cancellationReason: string | null;
  amountMinor: bigint | null;
  currency: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type NewOrder = Pick<Order, 'id' | 'productId' | 'quantity' | 'customerId' | 'merchantId' | 'customerEmail' | 'status'> & { createdAt?: Date };

/** The answer a replay of the request will get, written with the order it describes (idempotency.ts). */
export interface RecordedAnswer {
  scope: string;
  key: string;
  status: number;
  body: string;
}

export interface OrderStore {
  findIdempotencyKey(key: string): Promise<{ requestHash: string; orderId: string } | null>;
  /**
   * Writes the order, its idempotency key and its announcement at once, or nothing when the key
   * is taken (null). A request racing on the same key waits until the first one has finished.
   * `answer`, when given, is recorded for the request's idempotency record in the same statement.
   */
  createOrderOnce(order: NewOrder, idempotency: { key: string; requestHash: string }, announcement: readonly Envelope[], answer?: RecordedAnswer): Promise<Order | null>;
  findOrder(id: string): Promise<Order | null>;
  /**
   * Moves the order to `to` if its status is one of `from`, in one statement (a concurrent move
   * is waited for and its result re-checked); the order as moved, or null when it does not exist
   * or is in none of them.
   */
  moveOrder(id: string, from: readonly OrderStatus[], to: OrderStatus, changes: { cancellationReason?: string; amountMinor?: bigint; currency?: string }): Promise<Order | null>;
}

/** Moving an order announces its end with the customer's e-mail, sealed for the notification service. */
export interface AdvanceContext extends OrderContext {
  sealEmail(email: string | null): string | null;
  /** Told when this move finished the order (counted once the transaction has committed). */
  finished?(outcome: 'completed' | 'cancelled', reason: string | null): void;
  /** Told when the order moved (acted on once the transaction has committed). */
  moved?(orderId: string): void;
}

export interface ProductCatalog {
  /** The product's seller, or null when no such product exists; throws AppError('unavailable') when it cannot tell. */
  find(productId: string): Promise<{ merchantId: string | null } | null>;
}

/** How the customer pays: a card token, a UPI collect request to their payment address, or their wallet. */
export type PaymentChoice = { method: 'CARD'; cardToken: string } | { method: 'UPI'; upiVpa: string } | { method: 'WALLET' };

/** The payment service's check of a saved card, which files its intent, before the order is announced. */
export interface PaymentIntents {
  /** Idempotent per order; throws AppError('unavailable') when payment cannot be reached, 'unprocessable' when refused. */
  create(intent: { orderId: string; customerId: string; merchantId: string | null } & PaymentChoice): Promise<void>;
}

export interface OrderContext {
  store: OrderStore;
  publish(events: readonly NewEvent[]): Promise<void>;
}

/** Placing an order writes its announcement in the order's own statement: envelopes made beforehand. */
export interface PlaceContext {
  store: OrderStore;
  envelopes(events: readonly NewEvent[]): Envelope[];
}
