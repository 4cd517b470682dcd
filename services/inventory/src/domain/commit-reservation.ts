import { InventoryCommitFailed, InventoryCommitted } from '@platform/shared/events/catalog';
import type { NewEvent } from '@platform/shared/envelope';
import type { InventoryContext, Reservation } from './ports.ts';
import { releaseHeld } from './release-reservation.ts';

/**
 * Phase two on payment success: the held stock becomes sold. A hold that has expired (even if
 * the sweeper has not run yet) or was released cannot be committed: the failure event makes
 * payment refund.
 */
export async function commitReservation(context: InventoryContext, orderId: string): Promise<void> {
  await context.store.lockOrder(orderId);
  // The common case in one statement: a HELD, unexpired hold sold. Anything else is decided below.
  const sold = await context.store.sellHeldOfOrder(orderId, context.now());
  if (sold) {
    await context.publish([{ definition: InventoryCommitted, subject: orderId, data: { orderId, reservationId: sold } }]);
    return;
  }
  const reservation = await context.store.findReservationByOrder(orderId);
  if (!reservation) {
    await context.publish([{ definition: InventoryCommitFailed, subject: orderId, data: { orderId, reservationId: null, reason: 'no_reservation' } }]);
    return;
  }
  if (reservation.status === 'COMMITTED') return;
  if (reservation.status === 'HELD' && reservation.expiresAt <= context.now()) {
    await releaseHeld(context, reservation, 'expired');
    reservation.status = 'RELEASED';
    reservation.releaseReason = 'expired';
  }
  // The sweeper may release the hold between our read and this update: only a HELD row moves.
  if (reservation.status === 'RELEASED' || !(await context.store.settleHeld(reservation.id, 'COMMITTED', null))) {
    const settled = (await context.store.findReservationByOrder(orderId)) ?? reservation;
    const reason = settled.releaseReason === 'expired' ? 'reservation_expired' : 'reservation_released';
    await context.publish([{ definition: InventoryCommitFailed, subject: orderId, data: { orderId, reservationId: reservation.id, reason } }]);
    return;
  }
  await context.store.sellStock(reservation.productId, reservation.quantity);
  await context.publish([{ definition: InventoryCommitted, subject: orderId, data: { orderId, reservationId: reservation.id } }]);
}

/** `commitReservation`'s common case, planned to be made in one statement (see the entry point). */
export interface CommitPlan {
  reservation: Reservation;
  /** The hold must still be HELD and unexpired at this time when the statement runs. */
  now: Date;
  announcement: NewEvent;
}

/**
 * Plans the common case of `commitReservation` (a HELD hold, not expired) from a read made before
 * the statement: its id, product and quantity never change, and the statement re-checks the
 * status and the expiry. Anything else (no hold, expired, released, committed already) is null:
 * the transaction decides and announces it.
 */
export async function planCommit(context: { findReservationByOrder(orderId: string): Promise<Reservation | null>; now(): Date }, orderId: string): Promise<CommitPlan | null> {
  const reservation = await context.findReservationByOrder(orderId);
  const now = context.now();
  if (!reservation || reservation.status !== 'HELD' || reservation.expiresAt <= now) return null;
  return { reservation, now, announcement: { definition: InventoryCommitted, subject: orderId, data: { orderId, reservationId: reservation.id } } };
}
