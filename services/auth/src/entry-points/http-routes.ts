/** Thin: accounts, merchants, clients, signing keys. Roles are checked here and at the gateway. */
import Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '@platform/shared/errors';
import { validate } from '@platform/shared/http/validate';
import { actorOf, requireIdentity, requireRole } from '@platform/shared/http/identity';
import type { TokenSigner } from '../data-access/signing-keys.ts';
import type { AuthStore, PasswordHasher } from '../domain/ports.ts';
import { registerUser } from '../domain/register-user.ts';
import { createInternalClient, createMerchant } from '../domain/create-client.ts';

// bcrypt reads at most 72 bytes: a longer password would be silently cut.
const password = z
  .string()
  .min(10, 'password must be at least 10 characters')
  .refine((text) => Buffer.byteLength(text, 'utf8') <= 72, 'password must be at most 72 bytes');
export const credentials = z.object({ email: z.string().trim().email().max(320), password });
export const named = z.object({ name: z.string().trim().min(1).max(200) });
export const merchantParam = z.object({ id: z.string().uuid('merchant ids are UUIDs') });

export function authRoutes(store: AuthStore, hasher: PasswordHasher, signer: TokenSigner): Router {
  const router = new Router();

  router.post('/auth/users', async (ctx) => {
    const body = validate(credentials, ctx.request.body, 'registration');
    const user = await registerUser(store, hasher, { ...body, role: 'customer', merchantId: null, actor: 'anonymous' });
    ctx.status = 201;
    ctx.body = { id: user.id, email: user.email, role: user.role };
  });

  router.get('/auth/me', async (ctx) => {
    const identity = requireIdentity(ctx.state);
    // People have UUIDs; a client-credentials token's subject is its client id, with no e-mail.
    const user = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(identity.sub) ? await store.findUser(identity.sub) : null;
    ctx.set('cache-control', 'no-store');
    ctx.body = { id: identity.sub, role: identity.role, merchantId: identity.merchantId, scopes: identity.scopes, email: user?.email ?? null };
  });

  router.post('/merchants', async (ctx) => {
    const admin = requireRole(ctx.state, 'admin');
    const { name } = validate(named, ctx.request.body, 'merchant');
    const merchant = await createMerchant(store, name, actorOf(admin));
    ctx.status = 201;
    ctx.set('cache-control', 'no-store');
    ctx.body = { id: merchant.id, name, clientId: merchant.clientId, clientSecret: merchant.clientSecret };
  });

  router.post('/merchants/:id/staff', async (ctx) => {
    const admin = requireRole(ctx.state, 'admin');
    const { id } = validate(merchantParam, ctx.params, 'merchant id');
    const body = validate(credentials, ctx.request.body, 'staff member');
    if (!(await store.findMerchant(id))) throw new AppError('not-found', `no merchant ${id}`);
    const user = await registerUser(store, hasher, { ...body, role: 'merchant', merchantId: id, actor: actorOf(admin) });
    ctx.status = 201;
    ctx.body = { id: user.id, email: user.email, role: user.role, merchantId: id };
  });

  router.post('/auth/clients', async (ctx) => {
    const admin = requireRole(ctx.state, 'admin');
    const { name } = validate(named, ctx.request.body, 'client');
    ctx.status = 201;
    ctx.set('cache-control', 'no-store');
    ctx.body = { name, ...(await createInternalClient(store, name, actorOf(admin))) };
  });

  router.post('/auth/signing-keys/rotate', async (ctx) => {
    const admin = requireRole(ctx.state, 'admin');
    const kid = await signer.rotate();
    await store.audit({ actor: actorOf(admin), action: 'signing_key.rotated', target: `key:${kid}`, outcome: 'success' });
    ctx.status = 201;
    ctx.body = { kid };
  });

  router.get('/.well-known/jwks.json', async (ctx) => {
    ctx.set('cache-control', 'public, max-age=60');
    ctx.body = await signer.jwks();
  });

  return router;
}
