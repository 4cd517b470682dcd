/**
 * Reconciliation's question to the book of record: which of these transfers exist, and what did
 * each move? Asked by the payment service only (a signed call with no user behind it); the
 * gateway has no route to it.
 */
import Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '@platform/shared/errors';
import { validate } from '@platform/shared/http/validate';
import type { LedgerQueries } from '../data-access/ledger-queries.ts';

/** A bounded question: the caller pages through a day's transfers in batches of this size. */
export const MAX_LOOKUP_IDS = 1_000;
const lookupBody = z.object({ ids: z.array(z.string().min(1).max(300)).min(1).max(MAX_LOOKUP_IDS) });

export function transferLookupRoutes(queries: Pick<LedgerQueries, 'transferAmounts'>): Router {
  const router = new Router();
  router.post('/ledger/transfers/lookup', async (ctx) => {
    if (ctx.state.caller !== 'payment' || ctx.state.identity) throw new AppError('forbidden', 'transfer lookups are made by the payment service');
    const { ids } = validate(lookupBody, ctx.request.body, 'transfer lookup');
    ctx.body = { transfers: await queries.transferAmounts(ids) };
  });
  return router;
}
