/** POST /wallet/top-ups: a customer moves money from a vault card into their wallet. */
import Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '@platform/shared/errors';
import { requireRole } from '@platform/shared/http/identity';
import { idempotent, type IdempotencyStore } from '@platform/shared/http/idempotency';
import { validate } from '@platform/shared/http/validate';
import { currencyCode } from '@platform/shared/events/money';
import { isVaultToken, type CardVault } from '../domain/register-card.ts';
import type { PaymentServices } from '../domain/ports.ts';
import { startTopUp } from '../domain/start-top-up.ts';
import { attemptCharge } from '../domain/attempt-charge.ts';

/** A top-up the gateway cannot take now is charged by the sweeper within this window, then given up. */
const CHARGE_WINDOW_MS = 15 * 60_000;
const MAX_TOP_UP_MINOR = 1_000_000;

export const topUpBody = z.object({ amountMinor: z.number().int().positive().max(MAX_TOP_UP_MINOR), currency: currencyCode, cardToken: z.string().min(1).max(200) });

export function topUpRoutes(deps: { services: PaymentServices; vault: CardVault; idempotency: IdempotencyStore; firstSweepDelayMs: number; status: (paymentId: string) => Promise<string | null> }): Router {
  const router = new Router();
  router.post('/wallet/top-ups', idempotent(deps.idempotency, { required: false }), async (ctx) => {
    const customer = requireRole(ctx.state, 'customer');
    const body = validate(topUpBody, ctx.request.body, 'top-up');
    if (isVaultToken(body.cardToken) && (await deps.vault.ownerOf(body.cardToken)) !== customer.sub) throw new AppError('unprocessable', 'this card cannot be used');
    const now = deps.services.now().getTime();
    const trace = { causeEventId: null, correlationId: (ctx.state.correlationId as string | undefined) ?? null, traceparent: null };
    const payment = await deps.services.transaction((unit) =>
      startTopUp(unit, { customerId: customer.sub, amountMinor: BigInt(body.amountMinor), currency: body.currency, cardToken: body.cardToken }, { chargeBy: new Date(now + CHARGE_WINDOW_MS), firstLookAt: new Date(now + deps.firstSweepDelayMs) }, trace),
    );
    await attemptCharge(deps.services, payment.id);
    ctx.status = 201;
    ctx.body = { topUpId: payment.orderId, paymentId: payment.id, status: await deps.status(payment.id), amountMinor: body.amountMinor, currency: body.currency };
  });
  return router;
}
