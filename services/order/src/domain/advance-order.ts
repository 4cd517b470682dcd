import type { NewEvent } from '@platform/shared/envelope';
import { OrderCancelled, OrderCompleted } from '@platform/shared/events/catalog';
import { statusesThatCanAdvanceTo, type OrderStatus } from './order-status.ts';
import type { AdvanceContext, Order } from './ports.ts';

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
  const order = await context.store.moveOrder(progress.orderId, statusesThatCanAdvanceTo(progress.to), progress.to, changesOf(progress));
  // Not ours, or already past this step (late, duplicated or out-of-order events): nothing to do.
  if (!order) return;
  context.moved?.(order.id);
  const ending = endingOf(order, progress, (email) => context.sealEmail(email));
  if (!ending) return;
  await context.publish([ending.announcement]);
  context.finished?.(ending.outcome, ending.reason);
}

/** The same move as `advanceOrder`, planned ahead to be made in one statement (see `planAdvance`). */
export interface AdvancePlan {
  orderId: string;
  from: readonly OrderStatus[];
  to: OrderStatus;
  changes: OrderChanges;
  /** Written only if the move happens. */
  announcements: readonly NewEvent[];
  ending: Ending | null;
}

/**
 * Plans `advanceOrder`'s move before it is made: a final move announces the order's customer and
 * merchant, read first (they never change after the order is placed); an order this service
 * never created plans nothing. Whether the move happens is decided by the statement, as in
 * `advanceOrder`.
 */
export async function planAdvance(context: Pick<AdvanceContext, 'sealEmail'> & { findOrder(id: string): Promise<Order | null> }, progress: Progress): Promise<AdvancePlan | null> {
  const final = progress.to === 'COMPLETED' || progress.to === 'CANCELLED';
  const order = final ? await context.findOrder(progress.orderId) : null;
  if (final && !order) return null;
  const ending = order ? endingOf(order, progress, (email) => context.sealEmail(email)) : null;
  return {
    orderId: progress.orderId,
    from: statusesThatCanAdvanceTo(progress.to),
    to: progress.to,
    changes: changesOf(progress),
    announcements: ending ? [ending.announcement] : [],
    ending,
  };
}

export interface OrderChanges {
  cancellationReason?: string;
  amountMinor?: bigint;
  currency?: string;
}

function changesOf(progress: Progress): OrderChanges {
  return {
    ...(progress.cancellationReason ? { cancellationReason: progress.cancellationReason } : {}),
    ...(progress.amountMinor !== undefined ? { amountMinor: BigInt(progress.amountMinor) } : {}),
    ...(progress.currency ? { currency: progress.currency } : {}),
  };
}

interface Ending {
  outcome: 'completed' | 'cancelled';
  reason: string | null;
  announcement: NewEvent;
}

/** A move to a final state, and how it is announced; null for any other move. */
function endingOf(order: Pick<Order, 'id' | 'customerEmail' | 'customerId' | 'merchantId'>, progress: Progress, sealEmail: (email: string | null) => string | null): Ending | null {
  const party = { customerEmailSealed: sealEmail(order.customerEmail), customerId: order.customerId, merchantId: order.merchantId };
  if (progress.to === 'COMPLETED') {
    return { outcome: 'completed', reason: null, announcement: { definition: OrderCompleted, subject: order.id, data: { orderId: order.id, ...party } } };
  }
  if (progress.to === 'CANCELLED') {
    const reason = progress.cancellationReason ?? 'cancelled';
    return { outcome: 'cancelled', reason, announcement: { definition: OrderCancelled, subject: order.id, data: { orderId: order.id, reason, ...party } } };
  }
  return null;
}
