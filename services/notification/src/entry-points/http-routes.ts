import Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '@platform/shared/errors';
import type { Identity } from '@platform/shared/http/identity';
import { validate } from '@platform/shared/http/validate';
import type { notificationsForOrder } from '../data-access/notification-queries.ts';

type Notices = Awaited<ReturnType<typeof notificationsForOrder>>;
type FindForOrder = (orderId: string, customerId?: string) => Promise<Notices>;

/**
 * GET /notifications?orderId= — the notices stored for an order. A customer sees only their
 * own (404 when there are none, so ids cannot be probed); admins and services see all.
 */
export function notificationRoutes(findForOrder: FindForOrder): Router {
  const router = new Router();
  router.get('/notifications', async (ctx) => {
    const { orderId } = validate(z.object({ orderId: z.string().uuid() }), ctx.query, 'query');
    const identity = (ctx.state.identity as Identity | null) ?? null;
    if (identity && identity.role !== 'admin' && identity.role !== 'customer') throw new AppError('not-found', `no notifications for order ${orderId}`);
    const customerId = identity?.role === 'customer' ? identity.sub : undefined;
    const notices = await findForOrder(orderId, customerId);
    if (customerId && notices.length === 0) throw new AppError('not-found', `no notifications for order ${orderId}`);
    ctx.body = notices;
  });
  return router;
}
