import { InventoryReleased } from '@platform/shared/events/catalog';
import type { InventoryContext } from './ports.ts';
import { releaseHeld } from './release-reservation.ts';

/**
 * An order cancelled by the order service itself (its deadline passed with the saga stuck) gives
 * its stock back whatever the reservation's state: a hold is released; a sale whose confirmation
 * never reached the order is taken back. Either way inventory.released (order_cancelled) follows,
 * and payment refunds whatever it captured. Any other cancellation finds its reservation settled
 * already, and nothing happens. Idempotent.
 */
export async function releaseForCancelledOrder(context: InventoryContext, orderId: string): Promise<void> {
  await context.store.lockOrder(orderId);
  const reservation = await context.store.findReservationByOrder(orderId);
  if (!reservation) return;
  if (reservation.status === 'HELD') {
    await releaseHeld(context, reservation, 'order_cancelled');
    return;
  }
  if (reservation.status !== 'COMMITTED' || !(await context.store.unsell(reservation, 'order_cancelled'))) return;
  await context.publish([{ definition: InventoryReleased, subject: orderId, data: { orderId, reservationId: reservation.id, quantity: reservation.quantity, reason: 'order_cancelled' } }]);
}
