/**
 * Releases expired holds every `intervalMs`. Several inventory processes may sweep at once:
 * each claims different rows (FOR UPDATE SKIP LOCKED).
 */
import type { Logger } from '@platform/shared/logger';
import { outboxPublisher } from '@platform/shared/outbox/write-events';
import { startPeriodicJob } from '@platform/shared/service/periodic-job';
import type { BackgroundJob, ServiceDatabase } from '@platform/shared/service/run-service';
import type { Tx } from '../data-access/database.ts';
import { inventoryStore } from '../data-access/inventory-store.ts';
import { expireReservations } from '../domain/expire-reservations.ts';

const BATCH = 100;

export function startReservationSweeper(db: ServiceDatabase<Tx>, intervalMs: number, logger: Logger): BackgroundJob {
  return startPeriodicJob('reservation-sweeper', intervalMs, async () => {
    const released = await db.sql((tx) =>
      expireReservations({ store: inventoryStore(tx), publish: outboxPublisher(tx, { source: '/services/inventory' }), now: () => new Date(), defaultHoldSeconds: 0 }, BATCH),
    );
    if (released > 0) logger.info({ released }, 'expired reservations released');
    return { more: released === BATCH };
  }, logger);
}
