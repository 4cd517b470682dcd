import { createHash } from 'node:crypto';
import { AppError } from '@platform/shared/errors';
import { OrderPlaced } from '@platform/shared/events/catalog';
import type { Order, PaymentChoice, PlaceContext, RecordedAnswer } from './ports.ts';

export interface PlaceOrderCommand {
  /** Chosen before the statement: the payment choice is sealed for it, a saved card's intent filed under it. */
  orderId: string;
  idempotencyKey: string;
  customerId: string;
  merchantId: string | null;
  productId: string;
  quantity: number;
  payment: PaymentChoice;
  customerEmail: string | null;
  /** How the customer pays, sealed for the payment service (announced with the order). */
  paymentChoiceSealed?: string | null;
  /** When the order is placed (the database's clock if not given: then the answer cannot be known before). */
  placedAt?: Date;
  /** The request's answer for replays, recorded with the order (see the route). */
  answer?: RecordedAnswer;
}

/** The same request always hashes the same, whatever order its fields came in. */
export function requestHash(command: Pick<PlaceOrderCommand, 'customerId' | 'productId' | 'quantity' | 'payment' | 'customerEmail'>): string {
  const canonical = JSON.stringify([command.customerId, command.productId, command.quantity, command.payment, command.customerEmail]);
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Creates the order and announces it, once per idempotency key: the same key with the same
 * request returns the first order, with another request it is refused (422). Requests racing on
 * one key wait on the key's row, so exactly one order is created.
 */
export async function placeOrder(context: PlaceContext, command: PlaceOrderCommand): Promise<{ order: Order; replayed: boolean }> {
  const { store } = context;
  const hash = requestHash(command);
  const id = command.orderId;
  const announcement = context.envelopes([
    {
      definition: OrderPlaced,
      subject: id,
      data: { orderId: id, productId: command.productId, quantity: command.quantity, customerId: command.customerId, merchantId: command.merchantId, paymentChoiceSealed: command.paymentChoiceSealed ?? null },
    },
  ]);
  const order = { id, productId: command.productId, quantity: command.quantity, customerId: command.customerId, merchantId: command.merchantId, customerEmail: command.customerEmail, status: 'CREATED' as const, createdAt: command.placedAt };
  const created = await store.createOrderOnce(order, { key: command.idempotencyKey, requestHash: hash }, announcement, command.answer);
  if (created) return { order: created, replayed: false };
  const previous = await store.findIdempotencyKey(command.idempotencyKey);
  if (!previous) throw new AppError('internal', `idempotency key ${command.idempotencyKey} was taken and is gone`);
  if (previous.requestHash !== hash) throw new AppError('unprocessable', 'this Idempotency-Key was already used with a different request');
  const first = await store.findOrder(previous.orderId);
  if (!first) throw new AppError('internal', `idempotency key points at missing order ${previous.orderId}`);
  return { order: first, replayed: true };
}
