import Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '@platform/shared/errors';
import { requireIdentity, requireRole, type Identity } from '@platform/shared/http/identity';
import { idempotent, type IdempotencyStore } from '@platform/shared/http/idempotency';
import { validate } from '@platform/shared/http/validate';
import { isVaultToken, registerCard, type CardVault } from '../domain/register-card.ts';
import type { PaymentServices, PaymentStore, Refund } from '../domain/ports.ts';
import { recordPaymentIntent } from '../domain/record-payment-intent.ts';
import { requestRefund } from '../domain/request-refund.ts';
import { executeRefund } from '../domain/execute-refund.ts';

export interface PaymentRouteDependencies {
  services: PaymentServices;
  store: PaymentStore;
  vault: CardVault;
  idempotency: IdempotencyStore;
  details: (id: string) => Promise<(Record<string, unknown> & { paymentId: string; customerId: string | null; merchantId: string | null; refunds: unknown[] }) | null>;
  refundView: (refund: Refund) => unknown;
}

const VPA = /^[a-zA-Z0-9._-]{2,64}@[a-zA-Z]{2,32}$/;
const intentBody = z.discriminatedUnion('method', [
  z.object({ method: z.literal('CARD'), orderId: z.string().uuid(), customerId: z.string().uuid(), merchantId: z.string().uuid().nullable(), cardToken: z.string().min(1).max(200) }),
  z.object({ method: z.literal('UPI'), orderId: z.string().uuid(), customerId: z.string().uuid(), merchantId: z.string().uuid().nullable(), upiVpa: z.string().regex(VPA, 'upiVpa must look like name@bank') }),
  z.object({ method: z.literal('WALLET'), orderId: z.string().uuid(), customerId: z.string().uuid(), merchantId: z.string().uuid().nullable() }),
]);
export const cardBody = z.object({
  number: z.string().regex(/^\d{12,19}$/, 'number must be 12 to 19 digits'),
  expMonth: z.number().int().min(1).max(12),
  expYear: z.number().int().min(2000).max(2100),
  cvc: z.string().regex(/^\d{3,4}$/, 'cvc must be 3 or 4 digits'),
});
export const refundBody = z.object({ amountMinor: z.number().int().positive().max(Number.MAX_SAFE_INTEGER), reason: z.string().trim().min(1).max(200) });
export const idParam = z.object({ id: z.string().uuid('payment ids (and order ids) are UUIDs') });

/** A customer sees their own payments, a merchant its own, admins and services all; others get 404. */
function canSee(identity: Identity | null, payment: { customerId: string | null; merchantId: string | null }): boolean {
  if (!identity || identity.role === 'admin') return true;
  if (identity.role === 'customer') return payment.customerId === identity.sub;
  return identity.role === 'merchant' && identity.merchantId !== null && payment.merchantId === identity.merchantId;
}

export function paymentRoutes(deps: PaymentRouteDependencies): Router {
  const router = new Router();
  const once = idempotent(deps.idempotency, { required: false });

  // The CVC is checked for form and never kept; the number only ever rests encrypted.
  router.post('/payments/cards', once, async (ctx) => {
    const customer = requireRole(ctx.state, 'customer');
    const { number, expMonth, expYear } = validate(cardBody, ctx.request.body, 'card');
    ctx.status = 201;
    ctx.set('cache-control', 'no-store');
    ctx.body = await registerCard(deps.vault, customer.sub, { number, expMonth, expYear }, new Date());
  });

  // Only the order service files intents, and never on a user's behalf.
  router.post('/payment-intents', async (ctx) => {
    if (ctx.state.caller !== 'order' || ctx.state.identity) throw new AppError('forbidden', 'payment intents are filed by the order service');
    const body = validate(intentBody, ctx.request.body, 'payment intent');
    // A vault token pays only for its own customer.
    if (body.method === 'CARD' && isVaultToken(body.cardToken) && (await deps.vault.ownerOf(body.cardToken)) !== body.customerId) throw new AppError('unprocessable', 'this card cannot be used');
    await recordPaymentIntent(deps.store, { ...body, cardToken: body.method === 'CARD' ? body.cardToken : null, upiVpa: body.method === 'UPI' ? body.upiVpa : null });
    ctx.status = 201;
    ctx.body = { orderId: body.orderId };
  });

  router.get('/payments/:id', async (ctx) => {
    const { id } = validate(idParam, ctx.params, 'payment id');
    const payment = await deps.details(id);
    if (!payment || !canSee((ctx.state.identity as Identity | null) ?? null, payment)) throw new AppError('not-found', `no payment ${id}`);
    ctx.body = payment;
  });

  // The merchant who sold (or an admin) refunds part or all of a payment; each refund goes through the gateway.
  router.post('/payments/:id/refunds', once, async (ctx) => {
    const identity = requireIdentity(ctx.state);
    if (identity.role !== 'merchant' && identity.role !== 'admin') throw new AppError('forbidden', 'refunds are made by the merchant who sold, or an admin');
    const { id } = validate(idParam, ctx.params, 'payment id');
    const body = validate(refundBody, ctx.request.body, 'refund');
    const payment = await deps.details(id);
    if (!payment || !canSee(identity, payment)) throw new AppError('not-found', `no payment ${id}`);
    const trace = { causeEventId: null, correlationId: (ctx.state.correlationId as string | undefined) ?? null, traceparent: null };
    const refund = await deps.services.transaction((unit) => requestRefund(unit, payment.paymentId, { amountMinor: BigInt(body.amountMinor), reason: body.reason, requestedBy: identity.role === 'admin' ? 'admin' : 'merchant', trace }));
    const status = await executeRefund(deps.services, refund.id);
    ctx.status = 201;
    ctx.body = deps.refundView({ ...refund, status });
  });
  return router;
}
