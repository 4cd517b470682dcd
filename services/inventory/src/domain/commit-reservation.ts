import { InventoryCommitFailed, InventoryCommitted } from '@platform/shared/events/catalog';
import type { InventoryContext } from './ports.ts';
import { releaseHeld } from './release-reservation.ts';

/**
 * Phase two on payment success: the held stock becomes sold. A hold that has expired (even if
 * the sweeper has not run yet) or was released cannot be committed: the failure event makes
 * payment refund.
 */
export async function commitReservation(context: InventoryContext, orderId: string): Promise<void> {
  await context.store.lockOrder(orderId);
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
