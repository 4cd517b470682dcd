import Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '@platform/shared/errors';
import { requireRole, type Identity } from '@platform/shared/http/identity';
import { isVaultToken, registerCard, type CardVault } from '../domain/register-card.ts';
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

const cardBody = z.object({
  number: z.string().regex(/^\d{12,19}$/, 'number must be 12 to 19 digits'),
  expMonth: z.number().int().min(1).max(12),
  expYear: z.number().int().min(2000).max(2100),
  cvc: z.string().regex(/^\d{3,4}$/, 'cvc must be 3 or 4 digits'),
});

export function paymentRoutes(findPayment: FindPayment, store: PaymentStore, vault: CardVault): Router {
  const router = new Router();

  // The CVC is checked for form and never kept; the number only ever rests encrypted.
  router.post('/payments/cards', async (ctx) => {
    const customer = requireRole(ctx.state, 'customer');
    const { number, expMonth, expYear } = validate(cardBody, ctx.request.body, 'card');
    ctx.status = 201;
    ctx.set('cache-control', 'no-store');
    ctx.body = await registerCard(vault, customer.sub, { number, expMonth, expYear }, new Date());
  });

  // Only the order service files intents, and never on a user's behalf.
  router.post('/payment-intents', async (ctx) => {
    if (ctx.state.caller !== 'order' || ctx.state.identity) throw new AppError('forbidden', 'payment intents are filed by the order service');
    const intent = validate(intentBody, ctx.request.body, 'payment intent');
    // A vault token pays only for its own customer.
    if (isVaultToken(intent.cardToken) && (await vault.ownerOf(intent.cardToken)) !== intent.customerId) throw new AppError('unprocessable', 'this card cannot be used');
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
