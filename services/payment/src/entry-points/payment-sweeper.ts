/**
 * Finishes what an attempt could not: payments left INITIATED or PENDING (a crash between the
 * gateway call and its commit, a timeout, an open circuit, a webhook that never came) and
 * refunds left PENDING. Each is claimed with a lease, so two instances never work on one at once.
 */
import type { Logger } from '@platform/shared/logger';
import { startPeriodicJob } from '@platform/shared/service/periodic-job';
import type { BackgroundJob } from '@platform/shared/service/run-service';
import type { PaymentServices } from '../domain/ports.ts';
import { resolveStalePayment } from '../domain/resolve-stale-payment.ts';
import { executeRefund } from '../domain/execute-refund.ts';

export interface SweeperDependencies {
  services: PaymentServices;
  claimPayments(limit: number, leaseMs: number): Promise<string[]>;
  claimRefunds(limit: number, leaseMs: number): Promise<string[]>;
  /** Housekeeping: idempotency records and webhook ids past their retention. */
  prune(): Promise<void>;
  intervalMs: number;
  leaseMs: number;
  logger: Logger;
}

const BATCH = 10;

export function startPaymentSweeper(deps: SweeperDependencies): BackgroundJob[] {
  const payments = startPeriodicJob('payment-sweeper', deps.intervalMs, async () => {
    const ids = await deps.claimPayments(BATCH, deps.leaseMs);
    await Promise.all(
      ids.map(async (id) => {
        const payment = await deps.services.transaction(({ store }) => store.findPaymentById(id));
        if (payment) await resolveStalePayment(deps.services, payment);
      }),
    );
    const refunds = await deps.claimRefunds(BATCH, deps.leaseMs);
    await Promise.all(refunds.map((id) => executeRefund(deps.services, id)));
    if (ids.length + refunds.length > 0) deps.logger.info({ payments: ids.length, refunds: refunds.length }, 'sweeper resolved unfinished work');
    return { more: ids.length === BATCH || refunds.length === BATCH };
  }, deps.logger);
  const housekeeping = startPeriodicJob('payment-housekeeping', 60_000, async () => {
    await deps.prune();
    return { more: false };
  }, deps.logger);
  return [payments, housekeeping];
}
