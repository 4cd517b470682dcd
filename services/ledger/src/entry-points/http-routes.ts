import Router from '@koa/router';
import { z } from 'zod';
import { validate } from '@platform/shared/http/validate';
import type { LedgerQueries } from '../data-access/ledger-queries.ts';

export function ledgerRoutes(queries: LedgerQueries): Router {
  const router = new Router();
  router.get('/ledger/trial-balance', async (ctx) => {
    ctx.body = await queries.trialBalance();
  });
  router.get('/ledger/accounts', async (ctx) => {
    ctx.body = await queries.accountBalances();
  });
  router.get('/ledger/entries', async (ctx) => {
    const { orderId } = validate(z.object({ orderId: z.string().uuid() }), ctx.query, 'query');
    ctx.body = await queries.entriesForOrder(orderId);
  });
  return router;
}
