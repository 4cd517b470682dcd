/**
 * Releases expired holds every `intervalMs`. Several inventory processes may sweep at once:
 * each claims different rows (FOR UPDATE SKIP LOCKED).
 */
import type { Logger } from '@platform/shared/logger';
import { outboxPublisher } from '@platform/shared/outbox/write-events';
import type { BackgroundJob, ServiceDatabase } from '@platform/shared/service/run-service';
import { describeError } from '@platform/shared/errors';
import type { Tx } from '../data-access/database.ts';
import { inventoryStore } from '../data-access/inventory-store.ts';
import { expireReservations } from '../domain/expire-reservations.ts';

const BATCH = 100;

export function startReservationSweeper(db: ServiceDatabase<Tx>, intervalMs: number, logger: Logger): BackgroundJob {
  let stopped = false;
  let sweeping: Promise<void> = Promise.resolve();
  const sweep = async () => {
    for (;;) {
      const released = await db.transaction((tx) =>
        expireReservations(
          {
            store: inventoryStore(tx),
            publish: outboxPublisher(tx, { source: '/services/inventory' }),
            now: () => new Date(),
            defaultHoldSeconds: 0,
          },
          BATCH,
        ),
      );
      if (released > 0) logger.info({ released }, 'expired reservations released');
      if (released < BATCH || stopped) return;
    }
  };
  const timer = setInterval(() => {
    sweeping = sweeping.then(sweep).catch((error: unknown) => logger.warn({ err: describeError(error) }, 'sweep failed; next interval retries'));
  }, intervalMs);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await sweeping;
    },
  };
}
