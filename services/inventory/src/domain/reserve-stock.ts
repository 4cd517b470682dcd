import { randomUUID } from 'node:crypto';
import { AppError } from '@platform/shared/errors';
import { InventoryReservationFailed, InventoryReserved } from '@platform/shared/events/catalog';
import type { NewEvent } from '@platform/shared/envelope';
import type { InventoryContext, Product, Reservation } from './ports.ts';

export interface ReserveCommand {
  orderId: string;
  productId: string;
  quantity: number;
  requestedBy: 'order-saga' | 'direct-api';
  /** How the order is paid, sealed for the payment service: passed on unopened (this service cannot open it). */
  paymentChoiceSealed?: string | null;
}

export type ReserveResult = { outcome: 'reserved'; reservation: Reservation } | { outcome: 'failed'; reason: 'out_of_stock' | 'unknown_product' };

/**
 * Phase one of the two-phase reservation: hold stock for an order until it is committed,
 * released or expires. Idempotent per order: a second call returns the first reservation.
 */
export async function reserveStock(context: InventoryContext, command: ReserveCommand): Promise<ReserveResult> {
  const { store } = context;
  await store.lockOrder(command.orderId);
  const product = await store.findProduct(command.productId);
  // The common case in one more statement: the stock held and the hold written at once, unless
  // the order already has a hold or the stock went meanwhile (then the steps below decide).
  if (product && product.available >= command.quantity) {
    const { reservation, announcement } = heldFor(context, product, command);
    if (await store.holdForNewOrder(reservation)) {
      await context.publish([announcement]);
      return { outcome: 'reserved', reservation };
    }
  }
  const existing = await store.findReservationByOrder(command.orderId);
  if (existing) {
    if (existing.productId !== command.productId || existing.quantity !== command.quantity) {
      throw new AppError('unprocessable', `order ${command.orderId} already holds a different reservation`);
    }
    return { outcome: 'reserved', reservation: existing };
  }
  const failure = !product ? 'unknown_product' : (await store.holdStock(product.id, command.quantity)) ? null : 'out_of_stock';
  if (!product || failure) {
    const reason = failure ?? 'unknown_product';
    await context.publish([{ definition: InventoryReservationFailed, subject: command.orderId, data: { orderId: command.orderId, productId: command.productId, reason } }]);
    return { outcome: 'failed', reason };
  }
  const { reservation, announcement } = heldFor(context, product, command);
  await store.insertReservation(reservation);
  await context.publish([announcement]);
  return { outcome: 'reserved', reservation };
}

/** `reserveStock`'s common case, planned to be made in one statement (see the entry point). */
export interface ReservePlan {
  reservation: Reservation;
  announcement: NewEvent;
}

/**
 * Plans the common case of `reserveStock` (a known product with the stock) from the product read
 * before the statement; the statement takes the stock only if it is still there. A hold already
 * there for the order is not looked for: its unique order id makes the statement fail whole, and
 * the transaction decides. An unknown product or too little stock is null: the transaction
 * decides and announces it.
 */
export async function planReserve(context: Pick<InventoryContext, 'now' | 'defaultHoldSeconds'> & { store: Pick<InventoryContext['store'], 'findProduct'> }, command: ReserveCommand): Promise<ReservePlan | null> {
  const product = await context.store.findProduct(command.productId);
  if (!product || product.available < command.quantity) return null;
  return heldFor(context, product, command);
}

/** The hold a product with the stock gives an order, and how it is announced. */
function heldFor(context: Pick<InventoryContext, 'now' | 'defaultHoldSeconds'>, product: Product, command: ReserveCommand): ReservePlan {
  const holdSeconds = product.holdSeconds ?? context.defaultHoldSeconds;
  const reservation: Reservation = {
    id: randomUUID(),
    orderId: command.orderId,
    productId: product.id,
    quantity: command.quantity,
    status: 'HELD',
    releaseReason: null,
    expiresAt: new Date(context.now().getTime() + holdSeconds * 1000),
  };
  const amountMinor = product.priceMinor * BigInt(command.quantity);
  // Unreachable through the API (prices are capped for the largest quantity): a bug if it happens.
  if (amountMinor > BigInt(Number.MAX_SAFE_INTEGER)) throw new AppError('internal', 'order amount exceeds the safe integer range');
  const data = {
    orderId: command.orderId,
    reservationId: reservation.id,
    productId: product.id,
    quantity: command.quantity,
    amountMinor: Number(amountMinor),
    currency: product.currency,
    expiresAt: reservation.expiresAt.toISOString(),
    requestedBy: command.requestedBy,
    paymentChoiceSealed: command.paymentChoiceSealed ?? null,
  };
  return { reservation, announcement: { definition: InventoryReserved, subject: command.orderId, data } };
}
