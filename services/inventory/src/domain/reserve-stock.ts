import { randomUUID } from 'node:crypto';
import { AppError } from '@platform/shared/errors';
import { InventoryReservationFailed, InventoryReserved } from '@platform/shared/events/catalog';
import type { InventoryContext, Reservation } from './ports.ts';

export interface ReserveCommand {
  orderId: string;
  productId: string;
  quantity: number;
  requestedBy: 'order-saga' | 'direct-api';
}

export type ReserveResult = { outcome: 'reserved'; reservation: Reservation } | { outcome: 'failed'; reason: 'out_of_stock' | 'unknown_product' };

/**
 * Phase one of the two-phase reservation: hold stock for an order until it is committed,
 * released or expires. Idempotent per order: a second call returns the first reservation.
 */
export async function reserveStock(context: InventoryContext, command: ReserveCommand): Promise<ReserveResult> {
  const { store } = context;
  await store.lockOrder(command.orderId);
  const existing = await store.findReservationByOrder(command.orderId);
  if (existing) {
    if (existing.productId !== command.productId || existing.quantity !== command.quantity) {
      throw new AppError('unprocessable', `order ${command.orderId} already holds a different reservation`);
    }
    return { outcome: 'reserved', reservation: existing };
  }
  const product = await store.findProduct(command.productId);
  const failure = !product ? 'unknown_product' : (await store.holdStock(product.id, command.quantity)) ? null : 'out_of_stock';
  if (!product || failure) {
    const reason = failure ?? 'unknown_product';
    await context.publish([{ definition: InventoryReservationFailed, subject: command.orderId, data: { orderId: command.orderId, productId: command.productId, reason } }]);
    return { outcome: 'failed', reason };
  }
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
  await store.insertReservation(reservation);
  const amountMinor = product.priceMinor * BigInt(command.quantity);
  // Unreachable through the API (prices are capped for the largest quantity): a bug if it happens.
  if (amountMinor > BigInt(Number.MAX_SAFE_INTEGER)) throw new AppError('internal', 'order amount exceeds the safe integer range');
  await context.publish([
    {
      definition: InventoryReserved,
      subject: command.orderId,
      data: {
        orderId: command.orderId,
        reservationId: reservation.id,
        productId: product.id,
        quantity: command.quantity,
        amountMinor: Number(amountMinor),
        currency: product.currency,
        expiresAt: reservation.expiresAt.toISOString(),
        requestedBy: command.requestedBy,
      },
    },
  ]);
  return { outcome: 'reserved', reservation };
}
