/**
 * Every consuming service's queue and the event types it handles: the single source for
 * rabbitmq/definitions.json and for what the relay declares before it publishes (so an event
 * is never published before the queues that need it exist). A test checks each service's
 * handlers against this list.
 */
import * as events from '../events/catalog.ts';
import type { ServiceQueue } from './topology.ts';

export const DEFAULT_RETRY_DELAYS_MS = [1_000, 5_000, 30_000] as const;

const queue = (name: string, handled: ReadonlyArray<{ type: string }>, retired: ReadonlyArray<{ type: string }> = []): ServiceQueue => ({
  queue: name,
  eventTypes: handled.map((definition) => definition.type),
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
  queue('inventory', [events.OrderPlaced, events.PaymentSucceeded, events.PaymentFailed]),
  // Payment no longer needs order.placed (its intent comes from the order service directly).
  queue('payment', [events.InventoryReserved, events.InventoryCommitFailed, events.InventoryReleased], [events.OrderPlaced]),
  queue('ledger', [events.PaymentSucceeded, events.PaymentRefunded, events.WalletToppedUp, events.InventoryCommitted, events.PaymentJournalRequested]),
  queue('notification', [events.OrderCompleted, events.OrderCancelled, events.PaymentRefunded, events.PaymentSucceeded, events.PaymentFailed]),
];
