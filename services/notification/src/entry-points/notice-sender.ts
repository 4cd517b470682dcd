/** Sends what the handlers' after-commit step could not: notices left PENDING and due (retries, crashes). */
import type { Logger } from '@platform/shared/logger';
import { startPeriodicJob } from '@platform/shared/service/periodic-job';
import type { BackgroundJob } from '@platform/shared/service/run-service';
import { deliverNotice } from '../domain/deliver-notice.ts';
import type { DeliveryServices } from '../domain/ports.ts';

const BATCH = 20;

export function startNoticeSender(services: DeliveryServices, intervalMs: number, logger: Logger): BackgroundJob {
  return startPeriodicJob('notice-sender', intervalMs, async () => {
    const due = await services.claimDue(BATCH, services.leaseMs);
    const outcomes = await Promise.all(due.map((notice) => deliverNotice(services, notice)));
    if (due.length > 0) logger.info({ sent: outcomes.filter((outcome) => outcome === 'sent').length, retrying: outcomes.filter((outcome) => outcome === 'retrying').length }, 'pending notices sent');
    return { more: due.length === BATCH };
  }, logger);
}
