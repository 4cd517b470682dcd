/**
 * Reconciliation as a service: runs one at a time in this process (a run on demand waits for the
 * scheduled one), saves each report, and on a schedule reconciles yesterday (now closed) and
 * today so far, then prunes old reports. Runs in other instances are safe: every repair is
 * idempotent, so two runs at once take each repair once between them.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '@platform/shared/logger';
import { startPeriodicJob } from '@platform/shared/service/periodic-job';
import type { BackgroundJob } from '@platform/shared/service/run-service';
import { runReconciliation, type ReconciliationRepairs, type ReconciliationSources } from '../domain/run-reconciliation.ts';
import type { Trace } from '../domain/ports.ts';
import type { ReconciliationReports } from '../data-access/reconciliation-reports.ts';
import { todayUtc, type ReconciliationEntry } from './reconciliation-routes.ts';

export interface ReconciliationDeps {
  sources: ReconciliationSources;
  repairsFor(trace: Trace): ReconciliationRepairs;
  reports: ReconciliationReports;
  settleMs: number;
  logger: Logger;
}

export function reconciliationEntry(deps: ReconciliationDeps): ReconciliationEntry {
  let queue: Promise<unknown> = Promise.resolve();
  const runOnce = async (day: string, actor: string) => {
    const trace: Trace = { causeEventId: null, correlationId: `reconciliation:${randomUUID()}`, traceparent: null };
    const report = await runReconciliation(deps.sources, deps.repairsFor(trace), { day, requestedBy: actor, now: new Date(), settleMs: deps.settleMs });
    const reportId = await deps.reports.save(report, actor);
    deps.logger.info({ day, reportId, mismatches: report.mismatches.length, actionsTaken: report.actionsTaken, needsAPerson: report.needsAPerson, inFlight: report.inFlight }, 'reconciliation ran');
    return { reportId, ...report };
  };
  return {
    run(day, actor) {
      const next = queue.then(() => runOnce(day, actor));
      queue = next.catch(() => undefined);
      return next;
    },
    latest: (day) => deps.reports.latest(day),
  };
}

export function startReconciliationJob(entry: ReconciliationEntry, reports: ReconciliationReports, options: { intervalMs: number; retentionDays: number }, logger: Logger): BackgroundJob {
  return startPeriodicJob(
    'reconciliation',
    options.intervalMs,
    async () => {
      const now = new Date();
      await entry.run(todayUtc(new Date(now.getTime() - 86_400_000)), 'service:payment');
      await entry.run(todayUtc(now), 'service:payment');
      const pruned = await reports.prune(options.retentionDays);
      if (pruned > 0) logger.info({ pruned }, 'old reconciliation reports pruned');
      return { more: false };
    },
    logger,
  );
}
