/**
 * Forgets intents after a retention period: a used one has nothing left to give, and one filed
 * for an order that was never announced (the order service lost an idempotency race, or crashed
 * before committing) would otherwise keep its card token for ever (see pruneIntents).
 */
import type { Logger } from '@platform/shared/logger';
import { startPeriodicJob } from '@platform/shared/service/periodic-job';
import type { BackgroundJob } from '@platform/shared/service/run-service';

/** `prune` erases or deletes a batch of intents past the retention and says how many. */
export function startIntentSweeper(prune: () => Promise<number>, logger: Logger, intervalMs = 60_000): BackgroundJob {
  return startPeriodicJob('intent-sweeper', intervalMs, async () => {
    const pruned = await prune();
    if (pruned > 0) logger.info({ pruned }, 'payment intents past their retention erased or deleted');
    return { more: pruned >= 1_000 };
  }, logger);
}
