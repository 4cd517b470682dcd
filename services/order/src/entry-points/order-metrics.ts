/**
 * `orders_finished_total{outcome, reason}`: orders completed, and cancelled by reason — what an
 * operator watches first. Counted after the move's transaction commits (the inbox makes each
 * move happen once; a crash between commit and count loses one count, never adds one). Reasons
 * are a closed set read from the events that carry them; anything else is `other`.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { InventoryCommitFailed, InventoryReservationFailed, PaymentFailed } from '@platform/shared/events/catalog';

const enumValues = (schema: unknown, field: string): string[] => {
  const shape = (schema as { shape?: Record<string, { options?: unknown[] }> }).shape;
  return (shape?.[field]?.options ?? []).filter((value): value is string => typeof value === 'string');
};
export const KNOWN_REASONS: ReadonlySet<string> = new Set([
  ...[InventoryReservationFailed, InventoryCommitFailed, PaymentFailed].flatMap((definition) => enumValues(definition.schema, 'reason')),
  // The order service's own: the deadline sweeper, a reservation that expired, a saga refund, no reason given.
  'deadline_exceeded',
  'reservation_expired',
  'refunded',
  'cancelled',
]);

export type OrderFinished = (outcome: 'completed' | 'cancelled', reason: string | null) => void;

export function orderOutcomes(registry: Registry): OrderFinished {
  const finished = new Counter({ name: 'orders_finished_total', help: 'Orders that reached a final state, by outcome and cancellation reason', labelNames: ['outcome', 'reason'], registers: [registry] });
  return (outcome, reason) => finished.inc({ outcome, reason: reason === null ? 'none' : KNOWN_REASONS.has(reason) ? reason : 'other' });
}

/** The breakers on the order path's calls (catalogue, payment intents): 0 closed, 0.5 half-open, 1 open. */
export function dependencyBreakers(registry: Registry) {
  const gauge = new Gauge({ name: 'order_dependency_circuit_open', help: "The order service's circuit breaker per dependency: 0 closed, 1 open, 0.5 half-open", labelNames: ['dependency'], registers: [registry] });
  for (const dependency of ['catalogue', 'payment_intents']) gauge.set({ dependency }, 0);
  return (dependency: 'catalogue' | 'payment_intents') => (state: 'closed' | 'open' | 'half-open') => gauge.set({ dependency }, state === 'open' ? 1 : state === 'half-open' ? 0.5 : 0);
}
