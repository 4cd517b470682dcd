/**
 * Sends orders open-loop: each request leaves at its scheduled time whatever happened to the
 * others, and latency runs from that scheduled time (a slow system cannot hide its queueing:
 * no coordinated omission).
 */
import { randomUUID } from 'node:crypto';
import hdr from 'hdr-histogram-js';
import type { GatewayClient } from '../../test/e2e/support/api.ts';
import type { Final } from './outcomes.ts';

export async function sendOpenLoop(api: GatewayClient, productId: string, rate: number, total: number, started = performance.now()) {
  const scheduled = new Map<string, number>();
  // When the gateway answered each order (its 202), for the timeline.
  const answered = new Map<string, number>();
  const sends: Array<Promise<void>> = [];
  let failed = 0;
  // Why orders were refused, by answer ("order not accepted: 429", "fetch failed" …): a 5xx would be a bug.
  const refusals = new Map<string, number>();
  // Answers the client retried after their Retry-After (a 503 adds a second to that order's latency).
  const retried = new Map<string, number>();
  const onRetry = (status: number, body: unknown) => {
    const detail = (body as { detail?: unknown } | null)?.detail;
    const reason = `${status} ${typeof detail === 'string' ? detail.slice(0, 60) : ''}`;
    retried.set(reason, (retried.get(reason) ?? 0) + 1);
  };
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sends.push(
      api.placeOrder(productId, { key: randomUUID(), onRetry }).then(
        (orderId) => {
          scheduled.set(orderId, due);
          answered.set(orderId, performance.now());
        },
        (error: unknown) => {
          failed += 1;
          // A network failure's cause says who gave up (ECONNRESET, UND_ERR_SOCKET, a timeout …).
          const cause = error instanceof Error && error.cause instanceof Error ? ` (${(error.cause as Error & { code?: string }).code ?? error.cause.message})` : '';
          const reason = `${(error instanceof Error ? error.message : String(error)).replace(/ \{.*$/, '').slice(0, 60)}${cause}`;
          refusals.set(reason, (refusals.get(reason) ?? 0) + 1);
        },
      ),
    );
  }
  await Promise.all(sends);
  return { scheduled, answered, failed, refusals: Object.fromEntries(refusals), retried: Object.fromEntries(retried) };
}

/** Latency percentiles (ms) from each order's scheduled send to its final state, for those `which` picks. */
export function latencies(scheduled: ReadonlyMap<string, number>, finished: ReadonlyMap<string, Final>, which: (final: Final) => boolean = () => true) {
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000, numberOfSignificantValueDigits: 3 });
  let count = 0;
  let unfinished = 0;
  let lastFinal = 0;
  for (const [id, due] of scheduled) {
    const final = finished.get(id);
    if (!final) unfinished += 1;
    else if (which(final)) {
      histogram.recordValue(Math.max(1, Math.round(final.at - due)));
      lastFinal = Math.max(lastFinal, final.at);
      count += 1;
    }
  }
  const at = (percentile: number) => (count === 0 ? 0 : histogram.getValueAtPercentile(percentile));
  return { count, unfinished, lastFinal, p50: at(50), p99: at(99), p999: at(99.9) };
}
