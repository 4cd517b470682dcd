/**
 * Every consuming service's queue and the event types it handles: the single source for
 * rabbitmq/definitions.json and for what the relay declares before it publishes (so an event
 * is never published before the queues that need it exist). A test checks each service's
 * handlers against this list.
 */
import * as events from '../events/catalog.ts';
import type { ServiceQueue } from './topology.ts';
import { acceptedTypes, type EventDefinition } from '../events/define-event.ts';

/**
 * Retries from a second up to a quarter of an hour: about 48 minutes in all (at least 38 with
 * jitter), so a database or broker outage of half an hour sends no healthy message to a DLQ.
 * Permanent errors skip it and go to the DLQ at once.
 */
export const DEFAULT_RETRY_DELAYS_MS = [1_000, 5_000, 30_000, 120_000, 300_000, 600_000, 900_000, 900_000] as const;
/** Each retry waits between this share of its delay and all of it (the retry queue's TTL caps it). */
export const RETRY_JITTER_FLOOR = 0.8;

const queue = (name: string, handled: readonly EventDefinition[], retired: ReadonlyArray<{ type: string }> = []): ServiceQueue => ({
  queue: name,
  // A bumped type's consumers keep taking the version it replaces while any is in flight.
  eventTypes: handled.flatMap(acceptedTypes),
  retiredEventTypes: retired.map((definition) => definition.type),
  retryDelaysMs: DEFAULT_RETRY_DELAYS_MS,
});

export const PLATFORM_QUEUES: readonly ServiceQueue[] = [
  queue('order', [
    events.InventoryReserved,
    events.InventoryReservationFailed,
    events.PaymentSucceeded,
    events.PaymentFailed,
    events.InventoryCommitted,
    events.InventoryCommitFailed,
    events.InventoryReleased,
    events.PaymentRefunded,
  ]),
  queue('inventory', [events.OrderPlaced, events.PaymentSucceeded, events.PaymentFailed, events.OrderCancelled]),
  // Payment no longer needs order.placed (its intent comes from the order service directly).
  queue('payment', [events.InventoryReserved, events.InventoryCommitFailed, events.InventoryReleased], [events.OrderPlaced]),
  queue('ledger', [events.PaymentSucceeded, events.PaymentRefunded, events.WalletToppedUp, events.InventoryCommitted, events.PaymentJournalRequested]),
  queue('notification', [events.OrderCompleted, events.OrderCancelled, events.PaymentRefunded, events.PaymentSucceeded, events.PaymentFailed]),
];

const consumedTypes = new Set(PLATFORM_QUEUES.flatMap((queue) => queue.eventTypes));
/**
 * The platform's event types no queue consumes (ledger.entry-recorded, notification.sent): they
 * are written to the outbox already marked sent, kept for an order's timeline, and never cost the
 * relay a round; publishing them only filled events.unrouted. A type this code does not know is
 * not among them (it is sent).
 */
export const UNCONSUMED_TYPES: ReadonlySet<string> = new Set(Object.values(events).flatMap((definition) => (typeof definition === 'object' && !consumedTypes.has(definition.type) ? [definition.type] : [])));
