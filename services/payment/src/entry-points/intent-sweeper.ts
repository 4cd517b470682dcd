/**
 * Forgets card tokens nobody will use: an intent filed for an order that was never announced
 * (the order service lost an idempotency race, or crashed before committing) keeps its token
 * until a payment erases it, which never comes. After a retention period the token is erased.
 */
import type { Logger } from '@platform/shared/logger';
import { startPeriodicJob } from '@platform/shared/service/periodic-job';
import type { BackgroundJob } from '@platform/shared/service/run-service';

/** `eraseStale` erases tokens past the retention and says how many. */
export function startIntentSweeper(eraseStale: () => Promise<number>, logger: Logger, intervalMs = 60_000): BackgroundJob {
  return startPeriodicJob('intent-sweeper', intervalMs, async () => {
    const erased = await eraseStale();
    if (erased > 0) logger.info({ erased }, 'stale card tokens erased');
    return { more: false };
  }, logger);
}
