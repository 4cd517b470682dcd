import { createHash } from 'node:crypto';
import { AppError } from '@platform/shared/errors';
import { OrderPlaced } from '@platform/shared/events/catalog';
import type { Order, OrderContext, PaymentChoice } from './ports.ts';

export interface PlaceOrderCommand {
  /** Chosen before the transaction: the payment intent is filed under it first. */
  orderId: string;
  idempotencyKey: string;
  customerId: string;
  merchantId: string | null;
  productId: string;
  quantity: number;
  payment: PaymentChoice;
  customerEmail: string | null;
}

/** The same request always hashes the same, whatever order its fields came in. */
export function requestHash(command: Omit<PlaceOrderCommand, 'idempotencyKey' | 'orderId' | 'merchantId'>): string {
  const canonical = JSON.stringify([command.customerId, command.productId, command.quantity, command.payment, command.customerEmail]);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Creates the order and announces it, once per idempotency key: the same key with the same
 * request returns the first order, with another request it is refused (422). Concurrent
 * requests with one key are serialized on the key, so exactly one order is created.
 */
export async function placeOrder(context: OrderContext, command: PlaceOrderCommand): Promise<{ order: Order; replayed: boolean }> {
  const { store } = context;
  const hash = requestHash(command);
  await store.lockIdempotencyKey(command.idempotencyKey);
  const previous = await store.findIdempotencyKey(command.idempotencyKey);
  if (previous) {
    if (previous.requestHash !== hash) {
      throw new AppError('unprocessable', 'this Idempotency-Key was already used with a different request');
    }
    const order = await store.findOrder(previous.orderId);
    if (!order) throw new AppError('internal', `idempotency key points at missing order ${previous.orderId}`);
    return { order, replayed: true };
  }
  const id = command.orderId;
  await store.insertOrder({ id, productId: command.productId, quantity: command.quantity, customerId: command.customerId, merchantId: command.merchantId, customerEmail: command.customerEmail, status: 'CREATED' });
  await store.saveIdempotencyKey(command.idempotencyKey, hash, id);
  await context.publish([
    {
      definition: OrderPlaced,
      subject: id,
      data: { orderId: id, productId: command.productId, quantity: command.quantity, customerId: command.customerId, merchantId: command.merchantId },
    },
  ]);
  const order = await store.findOrder(id);
  if (!order) throw new AppError('internal', 'order vanished inside its own transaction');
  return { order, replayed: false };
}
