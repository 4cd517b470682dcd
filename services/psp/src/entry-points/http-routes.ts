import Router from '@koa/router';
import { timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { z } from 'zod';
import { AppError } from '@platform/shared/errors';
import { validate } from '@platform/shared/http/validate';
import { createCharge } from '../domain/create-charge.ts';
import { createRefund } from '../domain/create-refund.ts';
import { TransientGatewayError, type Charge, type PspStore } from '../domain/ports.ts';
import type { Knobs } from './knobs.ts';

export interface PspRoutesDependencies {
  store: PspStore;
  knobs: Knobs;
  apiKey: string;
  asyncDelayMs: number;
  slowCardMs: number;
  view: (charge: Charge) => unknown;
  chargesByKey: (idempotencyKey: string) => Promise<Charge[]>;
  settlement: (date: string) => Promise<unknown>;
}

const idempotencyKey = z.string().min(1).max(255);
const chargeBody = z.object({
  amount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  currency: z.string().regex(/^[A-Za-z]{3}$/),
  reference: z.string().max(100).optional(),
  payment_method: z.discriminatedUnion('type', [
    z.object({ type: z.literal('card'), card: z.object({ number: z.string().regex(/^\d{12,19}$/), exp_month: z.number().int().min(1).max(12), exp_year: z.number().int().min(2000).max(2100) }) }),
    z.object({ type: z.literal('upi_collect'), upi: z.object({ vpa: z.string().regex(/^[a-zA-Z0-9._-]{2,64}@[a-zA-Z]{2,32}$/) }), expires_in: z.number().int().min(1).max(3600).default(300) }),
  ]),
});
const refundBody = z.object({ charge: z.string().min(1).max(64), amount: z.number().int().positive().max(Number.MAX_SAFE_INTEGER) });
const knobsBody = z.object({ failureRate: z.number().min(0).max(1).optional(), latencyMs: z.number().int().min(0).max(60_000).optional() });

/** Every call carries the merchant's secret key, as with a real processor. */
function requireApiKey(apiKey: string): Middleware {
  const expected = Buffer.from(`Bearer ${apiKey}`);
  return async (ctx, next) => {
    const given = Buffer.from(ctx.get('authorization'));
    if (!['/health', '/ready'].includes(ctx.path) && (given.length !== expected.length || !timingSafeEqual(given, expected))) throw new AppError('unauthorized', 'invalid API key');
    await next();
  };
}

export function pspRoutes(deps: PspRoutesDependencies): { auth: Middleware; router: Router } {
  const { store, knobs } = deps;
  const router = new Router();
  const simulatedOutage = () => {
    if (Math.random() < knobs.failureRate) throw new AppError('unavailable', 'simulated outage');
  };

  router.post('/v1/charges', async (ctx) => {
    const key = validate(idempotencyKey, ctx.get('idempotency-key'), 'Idempotency-Key header');
    const body = validate(chargeBody, ctx.request.body, 'charge');
    simulatedOutage();
    const method = body.payment_method.type === 'card'
      ? { type: 'card' as const, card: { number: body.payment_method.card.number, expMonth: body.payment_method.card.exp_month, expYear: body.payment_method.card.exp_year } }
      : { type: 'upi_collect' as const, vpa: body.payment_method.upi.vpa, expiresInSeconds: body.payment_method.expires_in };
    let outcome;
    try {
      outcome = await createCharge(store, { idempotencyKey: key, amountMinor: BigInt(body.amount), currency: body.currency.toUpperCase(), method, reference: body.reference ?? null }, { asyncDelayMs: deps.asyncDelayMs, now: new Date() });
    } catch (error) {
      if (error instanceof TransientGatewayError) throw new AppError('unavailable', error.message);
      throw error;
    }
    if (outcome.withholdAnswer) {
      // The charge is made; the answer never comes. Held until the caller gives up (capped).
      await new Promise<void>((resolve) => {
        const cap = setTimeout(resolve, 120_000);
        ctx.req.socket.once('close', () => (clearTimeout(cap), resolve()));
      });
    }
    const delay = knobs.latencyMs + (outcome.slow ? deps.slowCardMs : 0);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    if (outcome.replayed) ctx.set('idempotent-replayed', 'true');
    if (outcome.charge.status === 'failed') {
      ctx.status = 402;
      ctx.body = { error: { type: 'card_error', code: outcome.charge.failureCode, charge: deps.view(outcome.charge) } };
      return;
    }
    ctx.status = outcome.replayed ? 200 : 201;
    ctx.body = deps.view(outcome.charge);
  });

  // Lookup by idempotency key: how a caller that lost an answer learns what happened, never by charging again.
  router.get('/v1/charges', async (ctx) => {
    const key = validate(idempotencyKey, ctx.query.idempotency_key, 'idempotency_key');
    ctx.body = { object: 'list', data: (await deps.chargesByKey(key)).map(deps.view) };
  });

  router.get('/v1/charges/:id', async (ctx) => {
    const charge = await store.findCharge(ctx.params.id ?? '');
    if (!charge) throw new AppError('not-found', 'no such charge');
    ctx.body = deps.view(charge);
  });

  router.post('/v1/refunds', async (ctx) => {
    const key = validate(idempotencyKey, ctx.get('idempotency-key'), 'Idempotency-Key header');
    const body = validate(refundBody, ctx.request.body, 'refund');
    simulatedOutage();
    const refund = await createRefund(store, { idempotencyKey: key, chargeId: body.charge, amountMinor: BigInt(body.amount) });
    if (knobs.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, knobs.latencyMs));
    ctx.status = 201;
    ctx.body = { id: refund.id, object: 'refund', charge: refund.chargeId, amount: Number(refund.amountMinor), currency: refund.currency, status: refund.status, created: Math.floor(refund.createdAt.getTime() / 1000) };
  });

  router.get('/v1/settlements', async (ctx) => {
    const { date } = validate(z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date is YYYY-MM-DD') }), ctx.query, 'query');
    ctx.body = await deps.settlement(date);
  });

  // The payer's app: approves or declines a collect request it was sent.
  router.post('/v1/collect-requests/:id/:answer', async (ctx) => {
    const { id, answer } = validate(z.object({ id: z.string().min(1).max(64), answer: z.enum(['approve', 'decline']) }), ctx.params, 'collect request');
    const charge = await store.findCharge(id);
    if (!charge || charge.methodType !== 'upi_collect') throw new AppError('not-found', 'no such collect request');
    const settled = await store.settlePending(id, answer === 'approve' ? { status: 'succeeded', failureCode: null } : { status: 'failed', failureCode: 'payer_declined' });
    if (!settled) throw new AppError('conflict', `the collect request is already ${charge.status}`);
    ctx.body = deps.view(settled);
  });

  // Test mode only: how often the processor fails and how slowly it answers.
  router.put('/v1/test/knobs', async (ctx) => {
    const body = validate(knobsBody, ctx.request.body, 'knobs');
    if (body.failureRate !== undefined) knobs.failureRate = body.failureRate;
    if (body.latencyMs !== undefined) knobs.latencyMs = body.latencyMs;
    ctx.body = knobs;
  });

  return { auth: requireApiKey(deps.apiKey), router };
}
