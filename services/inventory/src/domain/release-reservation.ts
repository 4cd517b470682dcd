import { InventoryReleased } from '@platform/shared/events/catalog';
import type { InventoryContext, Reservation } from './ports.ts';

export type ReleaseReason = 'expired' | 'payment_failed' | 'released_by_request' | 'order_cancelled';

/** Returns a HELD reservation's stock. Anything else (already settled) is left as it is. */
export async function releaseHeld(context: InventoryContext, reservation: Reservation, reason: ReleaseReason): Promise<boolean> {
  if (reservation.status !== 'HELD') return false;
  if (!(await context.store.settleHeld(reservation.id, 'RELEASED', reason))) return false;
  await context.store.returnStock(reservation.productId, reservation.quantity);
  await context.publish([
    {
      definition: InventoryReleased,
      subject: reservation.orderId,
      data: { orderId: reservation.orderId, reservationId: reservation.id, quantity: reservation.quantity, reason },
    },
  ]);
  return true;
}

/** Releases the reservation an order holds, if it still holds one. Idempotent. */
export async function releaseReservation(context: InventoryContext, orderId: string, reason: ReleaseReason): Promise<Reservation | null> {
  await context.store.lockOrder(orderId);
  const reservation = await context.store.findReservationByOrder(orderId);
  if (!reservation) return null;
  await releaseHeld(context, reservation, reason);
  return context.store.findReservationByOrder(orderId);
}
