/**
 * The order state machine. Status only moves forward: CREATED → INVENTORY_RESERVED →
 * PAYMENT_SUCCESS → COMPLETED, and any non-final state → CANCELLED. Events that arrive late,
 * twice or out of order can skip ahead but never move an order back or out of a final state.
 */
export const ORDER_STATUSES = ['CREATED', 'INVENTORY_RESERVED', 'PAYMENT_SUCCESS', 'COMPLETED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

const RANK: Record<OrderStatus, number> = { CREATED: 0, INVENTORY_RESERVED: 1, PAYMENT_SUCCESS: 2, COMPLETED: 3, CANCELLED: 3 };

export const isFinal = (status: OrderStatus) => status === 'COMPLETED' || status === 'CANCELLED';

export function canAdvance(from: OrderStatus, to: OrderStatus): boolean {
  if (isFinal(from)) return false;
  return to === 'CANCELLED' || RANK[to] > RANK[from];
}

/** Every status an order may move to `to` from (what a single conditional UPDATE checks). */
export const statusesThatCanAdvanceTo = (to: OrderStatus): OrderStatus[] => ORDER_STATUSES.filter((from) => canAdvance(from, to));
