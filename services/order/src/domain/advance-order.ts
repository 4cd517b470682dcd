import { OrderCancelled, OrderCompleted } from '@platform/shared/events/catalog';
import { statusesThatCanAdvanceTo, type OrderStatus } from './order-status.ts';
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
  const order = await context.store.moveOrder(progress.orderId, statusesThatCanAdvanceTo(progress.to), progress.to, {
    ...(progress.cancellationReason ? { cancellationReason: progress.cancellationReason } : {}),
    ...(progress.amountMinor !== undefined ? { amountMinor: BigInt(progress.amountMinor) } : {}),
    ...(progress.currency ? { currency: progress.currency } : {}),
  });
  // Not ours, or already past this step (late, duplicated or out-of-order events): nothing to do.
  if (!order) return;
  if (progress.to === 'COMPLETED') {
    await context.publish([{ definition: OrderCompleted, subject: order.id, data: { orderId: order.id, customerEmailSealed: context.sealEmail(order.customerEmail), customerId: order.customerId, merchantId: order.merchantId } }]);
    context.finished?.('completed', null);
  } else if (progress.to === 'CANCELLED') {
    const reason = progress.cancellationReason ?? 'cancelled';
    await context.publish([{ definition: OrderCancelled, subject: order.id, data: { orderId: order.id, reason, customerEmailSealed: context.sealEmail(order.customerEmail), customerId: order.customerId, merchantId: order.merchantId } }]);
    context.finished?.('cancelled', reason);
  }
}
