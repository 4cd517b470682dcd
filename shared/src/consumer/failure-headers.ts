/**
 * Header names that travel with a message through retries, the DLQ and replay. The original
 * route is recorded on the first failure, since a message dead-lettered back from a retry
 * queue arrives through the default exchange.
 */
import type { ConsumeMessage } from 'amqplib';

export const HEADERS = {
  attempt: 'x-attempt',
  originalExchange: 'x-original-exchange',
  originalRoutingKey: 'x-original-routing-key',
  originalQueue: 'x-original-queue',
  failureReason: 'x-failure-reason',
  failureKind: 'x-failure-kind',
  failedAt: 'x-failed-at',
  /** When the message first failed (kept through retries, the DLQ and replays). */
  firstFailedAt: 'x-first-failed-at',
  replayCount: 'x-replay-count',
} as const;

export type FailureKind = 'invalid' | 'unauthenticated' | 'permanent' | 'retries-exhausted';

export function attemptOf(message: Pick<ConsumeMessage, 'properties'>): number {
  return attemptIn(message.properties.headers);
}

/** The delivery's attempt (1 for the first) from its headers; anything unreadable counts as 1. */
export function attemptIn(headers: Record<string, unknown> | undefined): number {
  const value = Number(headers?.[HEADERS.attempt] ?? 1);
  return Number.isInteger(value) && value >= 1 ? Math.min(value, 32_767) : 1;
}

/** Headers of the message as first routed (from `properties`, the copy's), plus whatever is given. */
export function carriedHeaders(properties: ConsumeMessage['properties'], message: ConsumeMessage, queue: string, extra: Record<string, unknown>): Record<string, unknown> {
  const headers = { ...properties.headers };
  // RabbitMQ's own dead-letter bookkeeping grows with every retry; it says nothing we keep.
  delete headers['x-death'];
  delete headers['x-first-death-exchange'];
  delete headers['x-first-death-queue'];
  delete headers['x-first-death-reason'];
  headers[HEADERS.originalExchange] ??= message.fields.exchange;
  headers[HEADERS.originalRoutingKey] ??= message.fields.routingKey;
  headers[HEADERS.originalQueue] ??= queue;
  // The first failure's time is this failure's own when it records one (the DLQ copy does).
  headers[HEADERS.firstFailedAt] ??= extra[HEADERS.failedAt] ?? new Date().toISOString();
  return { ...headers, ...extra };
}

export function truncateReason(reason: string): string {
  // Header tables are bounded (64 KiB encode buffer): keep reasons short.
  return reason.length > 1_000 ? `${reason.slice(0, 1_000)}…` : reason;
}
