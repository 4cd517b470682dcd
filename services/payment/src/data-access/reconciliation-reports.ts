/** Reconciliation reports: each run's, with the audit row of who asked, kept for a bounded time. */
import { randomUUID } from 'node:crypto';
import { recordAudit } from '@platform/shared/audit/audit-log';
import type { ReconciliationReport } from '../domain/run-reconciliation.ts';
import type { PrismaClient } from './generated/client.ts';

export function reconciliationReports(client: PrismaClient) {
  return {
    async save(report: ReconciliationReport, actor: string): Promise<string> {
      const id = randomUUID();
      await client.$transaction(async (tx) => {
        await tx.reconciliationReport.create({ data: { id, day: report.day, ranAt: new Date(report.ranAt), requestedBy: report.requestedBy, mismatchCount: report.mismatches.length, repairedCount: report.actionsTaken, body: JSON.parse(JSON.stringify(report)) as object } });
        await recordAudit(tx, { actor, action: 'reconciliation.ran', target: `day:${report.day}`, outcome: 'success', details: { reportId: id, mismatches: report.mismatches.length, actionsTaken: report.actionsTaken } });
      });
      return id;
    },
    /** The newest report (of a day, when given), or null. */
    async latest(day?: string) {
      const row = await client.reconciliationReport.findFirst({ where: day ? { day } : {}, orderBy: { ranAt: 'desc' } });
      return row ? { reportId: row.id, ...(row.body as object) } : null;
    },
    async prune(retentionDays: number): Promise<number> {
      const { count } = await client.reconciliationReport.deleteMany({ where: { ranAt: { lt: new Date(Date.now() - retentionDays * 86_400_000) } } });
      return count;
    },
  };
}

export type ReconciliationReports = ReturnType<typeof reconciliationReports>;
