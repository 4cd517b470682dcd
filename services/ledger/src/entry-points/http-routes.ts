import Router from '@koa/router';
import { z } from 'zod';
import { validate } from '@platform/shared/http/validate';
import { AppError } from '@platform/shared/errors';
import { requireRole, type Identity } from '@platform/shared/http/identity';
import type { LedgerQueries } from '../data-access/ledger-queries.ts';

const ALL = {};

/** Whose entries a caller may read: everything (admins, services), its own, or nothing (null). */
function ownerFilter(identity: Identity | null): { customerId?: string; merchantId?: string } | null {
  if (!identity || identity.role === 'admin') return ALL;
  if (identity.role === 'customer') return { customerId: identity.sub };
  if (identity.role === 'merchant' && identity.merchantId) return { merchantId: identity.merchantId };
  return null;
}

export function ledgerRoutes(queries: LedgerQueries): Router {
  const router = new Router();
  // Totals and balances are for admins (the gateway) and services only.
  router.use(['/ledger/trial-balance', '/ledger/accounts'], async (ctx, next) => {
    if (ctx.state.identity) requireRole(ctx.state, 'admin');
    await next();
  });
  router.get('/ledger/trial-balance', async (ctx) => {
    ctx.body = await queries.trialBalance();
  });
  router.get('/ledger/accounts', async (ctx) => {
    ctx.body = await queries.accountBalances();
  });
  // A customer or merchant sees an order's entries only when the money was theirs; if none
  // are theirs the answer is 404, so other people's order ids cannot be probed.
  router.get('/ledger/entries', async (ctx) => {
    const { orderId } = validate(z.object({ orderId: z.string().uuid() }), ctx.query, 'query');
    const owner = ownerFilter((ctx.state.identity as Identity | null) ?? null);
    const entries = owner ? await queries.entriesForOrder(orderId, owner) : [];
    if (entries.length === 0 && owner !== ALL) throw new AppError('not-found', `no entries for order ${orderId}`);
    ctx.body = entries;
  });
  return router;
}
