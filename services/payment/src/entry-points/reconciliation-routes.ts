/**
 * Reconciliation for admins: the last report (of a day, when asked), and a run on demand (what
 * `pnpm reconcile` calls). The schedule runs the same use case (reconciliation-job.ts).
 */
import Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '@platform/shared/errors';
import { actorOf, requireRole } from '@platform/shared/http/identity';
import { validate } from '@platform/shared/http/validate';
import type { ReconciliationReport } from '../domain/run-reconciliation.ts';

export const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date is YYYY-MM-DD').refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), 'not a calendar date');

export interface ReconciliationEntry {
  run(day: string, actor: string): Promise<ReconciliationReport & { reportId: string }>;
  latest(day?: string): Promise<object | null>;
}

export const todayUtc = (now: Date) => now.toISOString().slice(0, 10);

export function reconciliationRoutes(entry: ReconciliationEntry): Router {
  const router = new Router();
  router.get('/admin/reconciliation/reports/latest', async (ctx) => {
    requireRole(ctx.state, 'admin');
    const query = validate(z.object({ date: day.optional() }), ctx.query, 'query');
    const report = await entry.latest(query.date);
    if (!report) throw new AppError('not-found', query.date ? `no reconciliation of ${query.date} yet` : 'no reconciliation has run yet');
    ctx.body = report;
  });

  router.post('/admin/reconciliation/runs', async (ctx) => {
    const admin = requireRole(ctx.state, 'admin');
    const body = validate(z.object({ date: day.optional() }).strict(), ctx.request.body ?? {}, 'reconciliation run');
    ctx.status = 201;
    ctx.body = await entry.run(body.date ?? todayUtc(new Date()), actorOf(admin));
  });
  return router;
}
