import type { NewEvent } from '@platform/shared/envelope';
import type { OrderStatus } from './order-status.ts';

export interface Order {
  id: string;
  productId: string;
  quantity: number;
  customerEmail: string | null;
  status: OrderStatus;
  cancellationReason: string | null;
  amountMinor: bigint | null;
  currency: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface OrderStore {
  /** Serializes requests that carry the same idempotency key. */
  lockIdempotencyKey(key: string): Promise<void>;
  findIdempotencyKey(key: string): Promise<{ requestHash: string; orderId: string } | null>;
  saveIdempotencyKey(key: string, requestHash: string, orderId: string): Promise<void>;
  insertOrder(order: Pick<Order, 'id' | 'productId' | 'quantity' | 'customerEmail' | 'status'>): Promise<void>;
  findOrder(id: string): Promise<Order | null>;
  /** Moves an order from `from` to `to`; false if it was no longer in `from`. */
  moveOrder(id: string, from: OrderStatus, to: OrderStatus, changes: { cancellationReason?: string; amountMinor?: bigint; currency?: string }): Promise<boolean>;
}

export interface ProductCatalog {
  /** false when no such product exists; throws AppError('unavailable') when it cannot tell. */
  exists(productId: string): Promise<boolean>;
}

export interface OrderContext {
  store: OrderStore;
  publish(events: readonly NewEvent[]): Promise<void>;
}
