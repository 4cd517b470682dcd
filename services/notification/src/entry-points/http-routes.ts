import Router from '@koa/router';
import { z } from 'zod';
import { validate } from '@platform/shared/http/validate';
import type { notificationsForOrder } from '../data-access/notification-queries.ts';

type FindForOrder = (orderId: string) => ReturnType<typeof notificationsForOrder>;

/** GET /notifications?orderId= — the notices stored for an order. */
export function notificationRoutes(findForOrder: FindForOrder): Router {
  const router = new Router();
  router.get('/notifications', async (ctx) => {
    const { orderId } = validate(z.object({ orderId: z.string().uuid() }), ctx.query, 'query');
    ctx.body = await findForOrder(orderId);
  });
  return router;
}
