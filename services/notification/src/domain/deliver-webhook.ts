import type { DueDelivery, EndpointSecrets, UrlGuard, WebhookPost, WebhookStore } from './webhook-ports.ts';

export interface WebhookDeliveryServices {
  store: WebhookStore;
  guard: UrlGuard;
  http: WebhookPost;
  /** Delays after the 1st, 2nd … failed attempt (like the big providers': seconds, minutes, hours). */
  scheduleMs: readonly number[];
  /** A delivery still failing this long after it was created is given up and its endpoint disabled. */
  giveUpAfterMs: number;
  now(): Date;
}

/** Standard Webhooks' schedule: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h — cut at a day. */
export const DEFAULT_SCHEDULE_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
export const DAY_MS = 24 * 3600 * 1000;

export function nextWebhookAttempt(failures: number, createdAt: Date, now: Date, services: Pick<WebhookDeliveryServices, 'scheduleMs' | 'giveUpAfterMs'>, random = Math.random): Date | null {
  const delay = services.scheduleMs[failures - 1];
  if (delay === undefined) return null;
  const at = new Date(now.getTime() + delay * (0.8 + 0.4 * random()));
  return at.getTime() - createdAt.getTime() > services.giveUpAfterMs ? null : at;
}

/** During a rotation both secrets sign, so a merchant verifying with either accepts it. */
export const signingSecrets = (secrets: EndpointSecrets, now: Date) => [secrets.current, ...(secrets.previous && secrets.previousUntil && secrets.previousUntil > now ? [secrets.previous] : [])];

/**
 * One attempt, outside any transaction: the URL is checked again at send time (an address that
 * resolved public at registration may not now), the payload signed and posted with a timeout,
 * and the attempt logged. A delivery failing for a day is given up and its endpoint disabled.
 */
export async function deliverWebhook(services: WebhookDeliveryServices, delivery: DueDelivery): Promise<'delivered' | 'retrying' | 'failed'> {
  const endpoint = await services.store.findEndpoint(delivery.endpointId);
  if (!endpoint || endpoint.status !== 'ACTIVE') {
    await services.store.recordAttempt(delivery, { statusCode: null, latencyMs: 0, error: 'the endpoint is disabled' }, { delivered: false, nextAttemptAt: null });
    return 'failed';
  }
  const started = performance.now();
  let statusCode: number | null = null;
  let error: string | null = await services.guard(endpoint.url);
  if (!error) {
    try {
      statusCode = await services.http.post(endpoint.url, delivery, signingSecrets(endpoint.secrets, services.now()));
    } catch (failure) {
      error = failure instanceof Error ? failure.message.slice(0, 300) : String(failure);
    }
  }
  const attempt = { statusCode, latencyMs: Math.round(performance.now() - started), error };
  if (statusCode !== null && statusCode >= 200 && statusCode < 300) {
    await services.store.recordAttempt(delivery, attempt, { delivered: true });
    return 'delivered';
  }
  const nextAttemptAt = delivery.manual ? null : nextWebhookAttempt(delivery.attempts + 1, delivery.createdAt, services.now(), services);
  await services.store.recordAttempt(delivery, attempt, { delivered: false, nextAttemptAt });
  if (nextAttemptAt) return 'retrying';
  if (delivery.manual) return 'failed'; // the merchant's one try: the endpoint stays as it was
  const reason = `deliveries failed for ${Math.round(services.giveUpAfterMs / 3600_000)} hours`;
  await services.store.disableEndpoint(endpoint.id, reason, {
    subject: 'Your webhook endpoint was disabled',
    body: `We stopped sending events to ${endpoint.url} (endpoint ${endpoint.id}): ${reason}, the last answer being ${statusCode ?? error ?? 'none'}. Events since then are kept in its delivery log; register the endpoint again once it answers, and resend what it missed.`,
  });
  return 'failed';
}
