import { AppError } from '@platform/shared/errors';
import { OrderCancelled, OrderCompleted } from '@platform/shared/events/catalog';
import { canAdvance, type OrderStatus } from './order-status.ts';
import type { AdvanceContext } from './ports.ts';

export interface Progress {
  orderId: string;
  to: OrderStatus;
  cancellationReason?: string;
  amountMinor?: number;
  currency?: string;
}

/**
 * Applies one saga event to an order. Moves it only forward; a final state announces itself
 * (order.completed / order.cancelled) in the same transaction. Events for orders this service
 * never created (direct REST reservations) are ignored.
 */
export async function advanceOrder(context: AdvanceContext, progress: Progress): Promise<void> {
  const order = await context.store.findOrder(progress.orderId);
  if (!order || !canAdvance(order.status, progress.to)) return;
  const moved = await context.store.moveOrder(order.id, order.status, progress.to, {
    ...(progress.cancellationReason ? { cancellationReason: progress.cancellationReason } : {}),
    ...(progress.amountMinor !== undefined ? { amountMinor: BigInt(progress.amountMinor) } : {}),
    ...(progress.currency ? { currency: progress.currency } : {}),
  });
  // Someone else moved it meanwhile (another instance): retry with a fresh read.
  if (!moved) throw new AppError('unavailable', `order ${order.id} changed concurrently`);
  if (progress.to === 'COMPLETED') {
    await context.publish([{ definition: OrderCompleted, subject: order.id, data: { orderId: order.id, customerEmailSealed: context.sealEmail(order.customerEmail), customerId: order.customerId, merchantId: order.merchantId } }]);
    context.finished?.('completed', null);
  } else if (progress.to === 'CANCELLED') {
    const reason = progress.cancellationReason ?? 'cancelled';
    await context.publish([{ definition: OrderCancelled, subject: order.id, data: { orderId: order.id, reason, customerEmailSealed: context.sealEmail(order.customerEmail), customerId: order.customerId, merchantId: order.merchantId } }]);
    context.finished?.('cancelled', reason);
  }
}
