/**
 * Reads of the book of record, and the fee schedule. A customer sees only their own accounts
 * and the transfers of their orders, a merchant its own; totals, every account and fees are for
 * admins (and other services). Anyone else's ids answer 404, so they cannot be probed.
 */
import Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '@platform/shared/errors';
import { actorOf, requireRole, type Identity } from '@platform/shared/http/identity';
import { validate } from '@platform/shared/http/validate';
import type { LedgerQueries } from '../data-access/ledger-queries.ts';
import { ACCOUNT_TYPES } from '../domain/ports.ts';

/** Whose records a caller may read: everything (admins, services), its own, or nothing (null). */
function ownerOf(identity: Identity | null): { all: true } | { ownerKey: string; customerId?: string; merchantId?: string } | null {
  if (!identity || identity.role === 'admin') return { all: true };
  if (identity.role === 'customer') return { ownerKey: identity.sub, customerId: identity.sub };
  if (identity.role === 'merchant' && identity.merchantId) return { ownerKey: identity.merchantId, merchantId: identity.merchantId };
  return null;
}

export const accountParam = z.object({ id: z.string().uuid('account ids are UUIDs') });
export const statementQuery = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50), before: z.string().regex(/^\d{1,18}$/, 'before is a posting id from a previous page').optional() });
export const feeBody = z.object({ bps: z.number().int().min(0).max(10_000), fixedMinor: z.number().int().min(0).max(1_000_000) });

/** Reverses a transfer in its own transaction (and audits who asked); false if already reversed. */
export type ReverseTransfer = (transferId: string, actor: string, correlationId: string) => Promise<boolean>;

export function ledgerRoutes(queries: LedgerQueries, reverse: ReverseTransfer): Router {
  const router = new Router();
  const caller = (state: Record<string, unknown>) => ownerOf((state.identity as Identity | null) ?? null);

  router.get('/ledger/trial-balance', async (ctx) => {
    if (ctx.state.identity) requireRole(ctx.state, 'admin');
    ctx.body = await queries.trialBalance();
  });

  router.get('/ledger/accounts', async (ctx) => {
    const { type } = validate(z.object({ type: z.enum(ACCOUNT_TYPES).optional() }), ctx.query, 'query');
    const owner = caller(ctx.state);
    if (!owner) throw new AppError('forbidden', 'this caller owns no accounts');
    ctx.body = await queries.accounts({ type, ownerKey: 'all' in owner ? undefined : owner.ownerKey });
  });

  const visibleAccount = async (state: Record<string, unknown>, id: string) => {
    const owner = caller(state);
    const account = owner ? await queries.account(id) : null;
    if (!account || !owner || (!('all' in owner) && account.ownerId !== owner.ownerKey)) throw new AppError('not-found', `no account ${id}`);
    return account;
  };

  router.get('/ledger/accounts/:id', async (ctx) => {
    ctx.body = await visibleAccount(ctx.state, validate(accountParam, ctx.params, 'account id').id);
  });

  router.get('/ledger/accounts/:id/statement', async (ctx) => {
    const account = await visibleAccount(ctx.state, validate(accountParam, ctx.params, 'account id').id);
    const page = validate(statementQuery, ctx.query, 'query');
    ctx.body = { account, ...(await queries.statement(account.id, { limit: page.limit, before: page.before ? BigInt(page.before) : undefined })) };
  });

  // An order's transfers. Someone else's order (nothing of theirs) is a 404.
  router.get('/ledger/entries', async (ctx) => {
    const { orderId } = validate(z.object({ orderId: z.string().uuid() }), ctx.query, 'query');
    const owner = caller(ctx.state);
    const filter = owner && !('all' in owner) ? { ...(owner.customerId ? { customerId: owner.customerId } : {}), ...(owner.merchantId ? { merchantId: owner.merchantId } : {}) } : {};
    const transfers = owner ? await queries.transfersForOrder(orderId, filter) : [];
    if (transfers.length === 0 && !(owner && 'all' in owner)) throw new AppError('not-found', `no entries for order ${orderId}`);
    ctx.body = transfers;
  });

  router.post('/ledger/transfers/:id/reversal', async (ctx) => {
    const admin = requireRole(ctx.state, 'admin');
    const { id } = validate(z.object({ id: z.string().min(1).max(200) }), ctx.params, 'transfer id');
    const recorded = await reverse(id, actorOf(admin), ctx.state.correlationId as string);
    ctx.status = recorded ? 201 : 200;
    ctx.body = { reversalId: `reversal:${id}`, reverses: id, created: recorded };
  });

  router.put('/ledger/merchants/:id/fee', async (ctx) => {
    requireRole(ctx.state, 'admin');
    const { id } = validate(z.object({ id: z.string().uuid() }), ctx.params, 'merchant id');
    const fee = validate(feeBody, ctx.request.body, 'fee');
    await queries.setFee(id, fee.bps, BigInt(fee.fixedMinor));
    ctx.body = { merchantId: id, ...fee };
  });
  return router;
}
