import type { InventoryContext } from './ports.ts';
import { releaseHeld } from './release-reservation.ts';

/** Releases up to `limit` holds past their expiry; returns how many it released. */
export async function expireReservations(context: InventoryContext, limit: number): Promise<number> {
  const expired = await context.store.claimExpired(context.now(), limit);
  let released = 0;
  for (const reservation of expired) {
    if (await releaseHeld(context, reservation, 'expired')) released += 1;
  }
  return released;
}
