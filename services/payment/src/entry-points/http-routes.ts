import Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '@platform/shared/errors';
import { validate } from '@platform/shared/http/validate';
import type { paymentWithOperations } from '../data-access/payment-queries.ts';

type FindPayment = (orderId: string) => ReturnType<typeof paymentWithOperations>;

/** GET /payments/:orderId — the order's payment and every gateway operation made for it. */
export function paymentRoutes(findPayment: FindPayment): Router {
  const router = new Router();
  router.get('/payments/:orderId', async (ctx) => {
    const { orderId } = validate(z.object({ orderId: z.string().uuid() }), ctx.params, 'order id');
    const payment = await findPayment(orderId);
    if (!payment) throw new AppError('not-found', `no payment for order ${orderId}`);
    ctx.body = payment;
  });
  return router;
}
