/**
 * The day's order states for reconciliation (the payment service's question: is every COMPLETED
 * order paid, every CANCELLED one given back?). A signed call from payment only; no gateway route.
 * And the console's order figures, for the gateway's own signed call.
 */
import Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '@platform/shared/errors';
import { validate } from '@platform/shared/http/validate';
import type { Tx } from '../data-access/database.ts';
import { orderStats, orderStatesOn } from '../data-access/order-states.ts';

const statesQuery = z.object({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date is YYYY-MM-DD'),
  after: z.string().uuid().optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(1_000),
});

export function orderStateRoutes(client: Tx): Router {
  const router = new Router();
  router.get('/order-states', async (ctx) => {
    if (ctx.state.caller !== 'payment' || ctx.state.identity) throw new AppError('forbidden', 'order states are read by the payment service');
    const query = validate(statesQuery, ctx.query, 'query');
    const from = new Date(`${query.date}T00:00:00.000Z`);
    if (Number.isNaN(from.getTime())) throw new AppError('validation', `${query.date} is not a date`);
    const orders = await orderStatesOn(client, { from, to: new Date(from.getTime() + 86_400_000) }, { after: query.after ?? null, limit: query.limit });
    ctx.body = { orders, nextAfter: orders.length === query.limit ? orders.at(-1)!.orderId : null };
  });
  // The console's overview (through the gateway's signed call): orders per state and reason,
  // throughput and p99 over the last 5 and 60 minutes.
  router.get('/order-stats', async (ctx) => {
    if (ctx.state.caller !== 'gateway' || ctx.state.identity) throw new AppError('forbidden', 'order figures are read by the gateway');
    ctx.set('cache-control', 'no-store');
    ctx.body = { windows: await Promise.all([5, 60].map((minutes) => orderStats(client, minutes))) };
  });
  return router;
}
