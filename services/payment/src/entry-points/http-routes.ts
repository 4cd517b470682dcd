import Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '@platform/shared/errors';
import type { Identity } from '@platform/shared/http/identity';
import { validate } from '@platform/shared/http/validate';
import type { paymentWithOperations } from '../data-access/payment-queries.ts';
import type { PaymentStore } from '../domain/ports.ts';
import { recordPaymentIntent } from '../domain/record-payment-intent.ts';

type FindPayment = (orderId: string) => ReturnType<typeof paymentWithOperations>;

const intentBody = z.object({ orderId: z.string().uuid(), customerId: z.string().uuid(), merchantId: z.string().uuid().nullable(), cardToken: z.string().min(1).max(200) });

/** A customer sees their own payments, a merchant its own, admins and services all; others get 404. */
function canSee(identity: Identity | null, payment: { customerId: string | null; merchantId: string | null }): boolean {
  if (!identity || identity.role === 'admin') return true;
  if (identity.role === 'customer') return payment.customerId === identity.sub;
  return identity.role === 'merchant' && identity.merchantId !== null && payment.merchantId === identity.merchantId;
}

export function paymentRoutes(findPayment: FindPayment, store: PaymentStore): Router {
  const router = new Router();

  // Only the order service files intents, and never on a user's behalf.
  router.post('/payment-intents', async (ctx) => {
    if (ctx.state.caller !== 'order' || ctx.state.identity) throw new AppError('forbidden', 'payment intents are filed by the order service');
    const intent = validate(intentBody, ctx.request.body, 'payment intent');
    await recordPaymentIntent(store, intent);
    ctx.status = 201;
    ctx.body = { orderId: intent.orderId };
  });

  router.get('/payments/:orderId', async (ctx) => {
    const { orderId } = validate(z.object({ orderId: z.string().uuid() }), ctx.params, 'order id');
    const payment = await findPayment(orderId);
    if (!payment || !canSee((ctx.state.identity as Identity | null) ?? null, payment)) throw new AppError('not-found', `no payment for order ${orderId}`);
    ctx.body = payment;
  });
  return router;
}
