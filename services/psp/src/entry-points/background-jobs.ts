/**
 * The processor's own clock: pending charges whose time has come are settled (an asynchronous
 * card confirms, an unanswered collect request expires), and webhooks are delivered, signed,
 * until the receiver answers 2xx. Delivery never happens inside a database transaction.
 */
import { signPayload, SIGNATURE_HEADER } from '@platform/shared/crypto/timestamped-signature';
import type { Logger } from '@platform/shared/logger';
import { startPeriodicJob } from '@platform/shared/service/periodic-job';
import type { BackgroundJob } from '@platform/shared/service/run-service';
import type { PspStore } from '../domain/ports.ts';
import { nextWebhookAttempt } from '../domain/webhook-schedule.ts';
import type { DueWebhook } from '../data-access/psp-jobs.ts';

export interface JobDependencies {
  store: PspStore;
  duePending(limit: number): Promise<{ id: string; method_type: string }[]>;
  claimWebhooks(limit: number, leaseMs: number): Promise<DueWebhook[]>;
  recordDelivery(id: string, result: { status: number | null; delivered: boolean; nextAttemptAt: Date | null }): Promise<void>;
  prune(): Promise<number>;
  webhookUrl: string;
  webhookSecret: string;
  intervalMs: number;
  logger: Logger;
}

const BATCH = 20;
const DELIVERY_TIMEOUT_MS = 5_000;

export function startPspJobs(deps: JobDependencies): BackgroundJob[] {
  const settle = startPeriodicJob('psp-settle-pending', deps.intervalMs, async () => {
    const due = await deps.duePending(BATCH);
    for (const charge of due) {
      const outcome = charge.method_type === 'card' ? { status: 'succeeded' as const, failureCode: null } : { status: 'failed' as const, failureCode: 'expired' };
      await deps.store.settlePending(charge.id, outcome);
    }
    return { more: due.length === BATCH };
  }, deps.logger);

  const deliver = startPeriodicJob('psp-webhooks', deps.intervalMs, async () => {
    const due = await deps.claimWebhooks(BATCH, DELIVERY_TIMEOUT_MS * 2);
    await Promise.all(due.map((event) => deliverOne(deps, event)));
    return { more: due.length === BATCH };
  }, deps.logger);

  const prune = startPeriodicJob('psp-webhook-retention', 3600_000, async () => {
    await deps.prune();
    return { more: false };
  }, deps.logger);
  return [settle, deliver, prune];
}

async function deliverOne(deps: JobDependencies, event: DueWebhook): Promise<void> {
  let status: number | null = null;
  try {
    const response = await fetch(deps.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signPayload(deps.webhookSecret, event.payload) },
      body: event.payload,
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    status = response.status;
    await response.body?.cancel();
  } catch (error) {
    deps.logger.debug({ eventId: event.id, err: String(error) }, 'webhook delivery failed');
  }
  const delivered = status !== null && status >= 200 && status < 300;
  const nextAttemptAt = delivered ? null : nextWebhookAttempt(event.attempts, event.created_at, new Date());
  if (!delivered && !nextAttemptAt) deps.logger.warn({ eventId: event.id }, 'webhook abandoned after three days of failures');
  await deps.recordDelivery(event.id, { status, delivered, nextAttemptAt });
}
