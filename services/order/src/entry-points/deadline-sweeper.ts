/**
 * Every order ends: one still open `deadlineMs` after it was placed (its saga stuck — say its
 * order.placed was dead-lettered and nobody replayed it) is cancelled through the normal flow:
 * order.cancelled (reason deadline_exceeded) is written with the move, inventory gives the stock
 * back and payment refunds whatever it took. Each order in its own transaction; an order that
 * moved meanwhile is left to the events that moved it.
 */
import { randomUUID } from 'node:crypto';
import { describeError } from '@platform/shared/errors';
import type { Logger } from '@platform/shared/logger';
import { startPeriodicJob } from '@platform/shared/service/periodic-job';
import type { BackgroundJob } from '@platform/shared/service/run-service';
import { advanceOrder } from '../domain/advance-order.ts';
import type { AdvanceContext } from '../domain/ports.ts';

const BATCH = 100;

export interface DeadlineDependencies {
  overdue(olderThan: Date, limit: number): Promise<string[]>;
  /** Runs the move in one transaction, its events answering `correlationId`. */
  transaction(correlationId: string, work: (context: AdvanceContext) => Promise<void>): Promise<void>;
  deadlineMs: number;
  intervalMs: number;
  logger: Logger;
}

export function startDeadlineSweeper(deps: DeadlineDependencies): BackgroundJob {
  return startPeriodicJob(
    'order-deadline',
    deps.intervalMs,
    async () => {
      const overdue = await deps.overdue(new Date(Date.now() - deps.deadlineMs), BATCH);
      let cancelled = 0;
      for (const orderId of overdue) {
        try {
          await deps.transaction(`deadline:${randomUUID()}`, (context) => advanceOrder(context, { orderId, to: 'CANCELLED', cancellationReason: 'deadline_exceeded' }));
          cancelled += 1;
        } catch (error) {
          deps.logger.warn({ orderId, err: describeError(error) }, 'an overdue order could not be cancelled now; the next sweep tries again');
        }
      }
      if (cancelled > 0) deps.logger.warn({ cancelled }, 'orders cancelled at their deadline');
      return { more: overdue.length === BATCH && cancelled > 0 };
    },
    deps.logger,
  );
}
