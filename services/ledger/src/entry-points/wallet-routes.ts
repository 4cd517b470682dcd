/**
 * Wallets: a customer reads its balance; the payment service holds, reads and gives back wallet
 * payments (the ledger is a wallet payment's "gateway"). Each write is idempotent by its id.
 */
import Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '@platform/shared/errors';
import { requireRole } from '@platform/shared/http/identity';
import { validate } from '@platform/shared/http/validate';
import { currencyCode } from '@platform/shared/events/money';
import type { HoldStore, LedgerContext } from '../domain/ports.ts';
import { holdWalletPayment, refundWalletPayment, walletHoldStatus } from '../domain/wallet-payments.ts';

export interface WalletRouteDependencies {
  /** Runs a use case in one transaction, the request's correlation id as its cause. */
  transaction<R>(correlationId: string, work: (context: LedgerContext, holds: HoldStore) => Promise<R>): Promise<R>;
  wallets(customerId: string): Promise<Array<{ currency: string; posted: number; pending: number; available: number }>>;
}

const holdBody = z.object({ id: z.string().min(1).max(300), customerId: z.string().uuid(), merchantId: z.string().uuid().nullable(), amountMinor: z.number().int().positive(), currency: currencyCode, timeoutAt: z.string().datetime({ offset: true }) });
const refundBody = z.object({ refundId: z.string().uuid(), amountMinor: z.number().int().positive() });

function fromPayment(state: Record<string, unknown>): void {
  if (state.caller !== 'payment' || state.identity) throw new AppError('forbidden', 'wallet payments are made by the payment service');
}

export function walletRoutes(deps: WalletRouteDependencies): Router {
  const router = new Router();
  const correlationOf = (state: Record<string, unknown>) => String(state.correlationId);

  router.get('/wallet', async (ctx) => {
    const customer = requireRole(ctx.state, 'customer');
    ctx.body = { wallets: await deps.wallets(customer.sub) };
  });

  router.post('/ledger/holds', async (ctx) => {
    fromPayment(ctx.state);
    const body = validate(holdBody, ctx.request.body, 'wallet hold');
    const created = await deps.transaction(correlationOf(ctx.state), (context, holds) =>
      holdWalletPayment(context, holds, { id: body.id, customerId: body.customerId, merchantId: body.merchantId, amount: BigInt(body.amountMinor), currency: body.currency, timeoutAt: new Date(body.timeoutAt) }),
    );
    ctx.status = created ? 201 : 200;
    ctx.body = { id: body.id, created };
  });

  router.get('/ledger/holds/:id', async (ctx) => {
    fromPayment(ctx.state);
    const found = await deps.transaction(correlationOf(ctx.state), (_context, holds) => walletHoldStatus(holds, ctx.params.id ?? ''));
    if (!found) throw new AppError('not-found', 'no such hold');
    ctx.body = { id: ctx.params.id, status: found.status, amountMinor: Number(found.amount) };
  });

  router.post('/ledger/holds/:id/refunds', async (ctx) => {
    fromPayment(ctx.state);
    const body = validate(refundBody, ctx.request.body, 'wallet refund');
    const outcome = await deps.transaction(correlationOf(ctx.state), (context, holds) => refundWalletPayment(context, holds, { holdId: ctx.params.id ?? '', refundId: body.refundId, amount: BigInt(body.amountMinor) }));
    ctx.status = 201;
    ctx.body = { id: `refund:${body.refundId}`, outcome };
  });
  return router;
}
