/**
 * Expires holds past their timeout every `intervalMs`, a batch per transaction. Several ledger
 * processes may sweep at once: each claims different holds (FOR UPDATE SKIP LOCKED), and a hold
 * resolves once whatever races it.
 */
import type { Logger } from '@platform/shared/logger';
import { describeError } from '@platform/shared/errors';
import type { BackgroundJob, ServiceDatabase } from '@platform/shared/service/run-service';
import type { Tx } from '../data-access/database.ts';
import { holdStore } from '../data-access/hold-store.ts';
import { expireHolds } from '../domain/holds.ts';

const BATCH = 100;

export function startHoldSweeper(db: ServiceDatabase<Tx>, intervalMs: number, logger: Logger): BackgroundJob {
  let stopped = false;
  let sweeping: Promise<void> = Promise.resolve();
  const sweep = async () => {
    for (;;) {
      const expired = await db.transaction((tx) => expireHolds(holdStore(tx), { eventId: 'hold-sweeper', correlationId: 'hold-sweeper' }, new Date(), BATCH));
      if (expired > 0) logger.info({ expired }, 'expired holds voided');
      if (expired < BATCH || stopped) return;
    }
  };
  const timer = setInterval(() => {
    sweeping = sweeping.then(sweep).catch((error: unknown) => logger.warn({ err: describeError(error) }, 'hold sweep failed; next interval retries'));
  }, intervalMs);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await sweeping;
    },
  };
}
