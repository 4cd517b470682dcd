/**
 * Expires holds past their timeout every `intervalMs`, a batch per transaction. Several ledger
 * processes may sweep at once: each claims different holds (FOR UPDATE SKIP LOCKED), and a hold
 * resolves once whatever races it.
 */
import type { Logger } from '@platform/shared/logger';
import { startPeriodicJob } from '@platform/shared/service/periodic-job';
import type { BackgroundJob, ServiceDatabase } from '@platform/shared/service/run-service';
import type { Tx } from '../data-access/database.ts';
import { holdStore } from '../data-access/hold-store.ts';
import { expireHolds } from '../domain/holds.ts';

const BATCH = 100;

export function startHoldSweeper(db: ServiceDatabase<Tx>, intervalMs: number, logger: Logger): BackgroundJob {
  return startPeriodicJob('hold-sweeper', intervalMs, async () => {
    const expired = await db.sql((tx) => expireHolds(holdStore(tx), { eventId: 'hold-sweeper', correlationId: 'hold-sweeper' }, new Date(), BATCH));
    if (expired > 0) logger.info({ expired }, 'expired holds voided');
    return { more: expired === BATCH };
  }, logger);
}
