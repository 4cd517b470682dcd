/** A merchant's webhook endpoints: register (secret shown once), list, disable, rotate, read deliveries, resend. */
import Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '@platform/shared/errors';
import { requireRole } from '@platform/shared/http/identity';
import { validate } from '@platform/shared/http/validate';
import { disableEndpoint, registerEndpoint, resendDelivery, rotateEndpointSecret } from '../domain/webhook-endpoints.ts';
import { WEBHOOK_EVENT_TYPES, type UrlGuard, type WebhookEndpoint, type WebhookStore } from '../domain/webhook-ports.ts';

const BASE = '/merchants/me/webhook-endpoints';
export const endpointBody = z.object({ url: z.string().min(1).max(2_000), eventTypes: z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1).max(WEBHOOK_EVENT_TYPES.length), alertEmail: z.string().email().max(320).optional() });
export const rotateBody = z.object({ overlapSeconds: z.number().int().min(0).max(7 * 24 * 3600).default(24 * 3600) });
export const idParam = z.object({ id: z.string().uuid('endpoint ids are UUIDs') });

const view = (endpoint: WebhookEndpoint) => ({ id: endpoint.id, url: endpoint.url, eventTypes: endpoint.eventTypes, status: endpoint.status, disabledReason: endpoint.disabledReason, alertsByEmail: endpoint.alertEmail !== null, createdAt: endpoint.createdAt.toISOString() });

export function webhookRoutes(deps: { store: WebhookStore; guard: UrlGuard; deliveryLog: (endpointId: string) => Promise<unknown[]> }): Router {
  const router = new Router();
  const merchantOf = (state: Record<string, unknown>) => {
    const identity = requireRole(state, 'merchant');
    if (!identity.merchantId) throw new AppError('forbidden', 'this login belongs to no merchant');
    return identity.merchantId;
  };
  const owned = async (merchantId: string, id: string) => {
    const endpoint = await deps.store.findEndpoint(id);
    if (!endpoint || endpoint.merchantId !== merchantId) throw new AppError('not-found', `no webhook endpoint ${id}`);
    return endpoint;
  };

  router.post(BASE, async (ctx) => {
    const merchantId = merchantOf(ctx.state);
    const body = validate(endpointBody, ctx.request.body, 'webhook endpoint');
    const created = await registerEndpoint(deps.store, deps.guard, { merchantId, ...body });
    ctx.status = 201;
    ctx.set('cache-control', 'no-store');
    ctx.body = { ...view(created), secret: created.secret };
  });
  router.get(BASE, async (ctx) => {
    ctx.body = { endpoints: (await deps.store.endpointsOf(merchantOf(ctx.state))).map(view) };
  });
  router.post(`${BASE}/:id/disable`, async (ctx) => {
    const { id } = validate(idParam, ctx.params, 'endpoint id');
    await disableEndpoint(deps.store, merchantOf(ctx.state), id);
    ctx.body = { id, status: 'DISABLED' };
  });
  router.post(`${BASE}/:id/rotate-secret`, async (ctx) => {
    const { id } = validate(idParam, ctx.params, 'endpoint id');
    const { overlapSeconds } = validate(rotateBody, ctx.request.body, 'rotation');
    ctx.set('cache-control', 'no-store');
    ctx.body = await rotateEndpointSecret(deps.store, merchantOf(ctx.state), id, overlapSeconds, new Date());
  });
  router.get(`${BASE}/:id/deliveries`, async (ctx) => {
    const { id } = validate(idParam, ctx.params, 'endpoint id');
    await owned(merchantOf(ctx.state), id);
    ctx.body = { deliveries: await deps.deliveryLog(id) };
  });
  router.post(`${BASE}/:id/deliveries/:deliveryId/resend`, async (ctx) => {
    const { id } = validate(idParam, { id: ctx.params.id }, 'endpoint id');
    const deliveryId = validate(z.string().regex(/^msg_[A-Za-z0-9_-]{1,40}$/), ctx.params.deliveryId, 'delivery id');
    await resendDelivery(deps.store, merchantOf(ctx.state), id, deliveryId);
    ctx.status = 202;
    ctx.body = { id: deliveryId, status: 'PENDING' };
  });
  return router;
}
