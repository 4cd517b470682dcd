/**
 * When to try a webhook again after a failed delivery: exponential from half a second, capped
 * at an hour, with ±20 % jitter so a recovering receiver is not hit by every event at once;
 * given up after three days, as the big processors do.
 */
export const GIVE_UP_AFTER_MS = 3 * 24 * 3600 * 1000;

export function nextWebhookAttempt(attemptsSoFar: number, createdAt: Date, now: Date, random = Math.random): Date | null {
  if (now.getTime() - createdAt.getTime() >= GIVE_UP_AFTER_MS) return null;
  const base = Math.min(500 * 2 ** Math.min(attemptsSoFar, 20), 3600_000);
  return new Date(now.getTime() + base * (0.8 + 0.4 * random()));
}
