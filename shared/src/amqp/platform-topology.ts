/**
 * Every consuming service's queue and the event types it handles: the single source for
 * rabbitmq/definitions.json and for what the relay declares before it publishes (so an event
 * is never published before the queues that need it exist).
 */
import type { ServiceQueue } from './topology.ts';

export const DEFAULT_RETRY_DELAYS_MS = [1_000, 5_000, 30_000] as const;

export const PLATFORM_QUEUES: readonly ServiceQueue[] = [];
