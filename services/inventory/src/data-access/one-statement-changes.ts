/**
 * The inventory's saga moves as the changes of a one-statement apply (shared/src/consumer/
 * one-statement.ts, `onlyIfChanged`): the same stock moves as `holdStock` + `insertReservation`
 * and `settleHeld` + `sellStock` in a transaction, each guarded by the row it moves, so that a
 * racing copy, sweeper or second path waits for the row and then finds nothing to do.
 */
import type { CommitPlan } from '../domain/commit-reservation.ts';
import type { ReservePlan } from '../domain/reserve-stock.ts';

type Param = (value: unknown) => string;

/** Stock is taken only if it is still there; the order's hold is written only if it was (its unique order id keeps a copy out). */
export function holdStockChanges({ reservation }: ReservePlan, param: Param, admitted: string): { change: string; alsoChanges: string[] } {
  const quantity = `${param(reservation.quantity)}::int`;
  return {
    change: `UPDATE product SET available = available - ${quantity}, reserved = reserved + ${quantity}
      WHERE id = ${param(reservation.productId)}::uuid AND available >= ${quantity} AND ${admitted} RETURNING id`,
    alsoChanges: [
      `INSERT INTO reservation (id, order_id, product_id, quantity, status, expires_at, updated_at)
       SELECT ${param(reservation.id)}::uuid, ${param(reservation.orderId)}::uuid, id, ${quantity}, 'HELD', ${param(reservation.expiresAt)}::timestamptz, now()
       FROM changed WHERE ${admitted} RETURNING 1`,
    ],
  };
}

/** The hold becomes COMMITTED only if it is still HELD and unexpired; its product's reserved stock becomes sold only if it did. */
export function commitHeldChanges(plan: CommitPlan, param: Param, admitted: string): { change: string; alsoChanges: string[] } {
  return {
    change: `UPDATE reservation SET status = 'COMMITTED', release_reason = NULL, updated_at = now()
      WHERE id = ${param(plan.reservation.id)}::uuid AND status = 'HELD' AND expires_at > ${param(plan.now)}::timestamptz AND ${admitted}
      RETURNING product_id, quantity`,
    alsoChanges: [`UPDATE product SET reserved = reserved - held.quantity, sold = sold + held.quantity FROM changed AS held WHERE product.id = held.product_id AND ${admitted} RETURNING 1`],
  };
}
