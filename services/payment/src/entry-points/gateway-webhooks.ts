/**
 * POST /webhooks/gateway: the gateway's asynchronous confirmations. The door is open to the
 * world but checks who calls: the signature over the raw body (constant-time compare), a
 * timestamp at most 5 minutes old, and the event id applied once. Answers 2xx once the event is
 * applied (or known), so the gateway stops retrying; 400 for anything not signed by it.
 */
import Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '@platform/shared/errors';
import { SIGNATURE_HEADER, verifySignature } from '@platform/shared/crypto/timestamped-signature';
import type { Logger } from '@platform/shared/logger';
import { validate } from '@platform/shared/http/validate';
import { applyGatewayWebhook } from '../domain/apply-gateway-webhook.ts';
import type { PaymentServices } from '../domain/ports.ts';

export const WEBHOOK_PATH = '/webhooks/gateway';

const eventBody = z.object({
  id: z.string().min(1).max(100),
  type: z.string().min(1).max(100),
  data: z.object({
    object: z.object({ id: z.string().min(1).max(100), idempotency_key: z.string().min(1).max(255), status: z.enum(['pending', 'succeeded', 'failed']), failure_code: z.string().max(100).nullable() }),
  }),
});

export function gatewayWebhookRoutes(services: PaymentServices, secrets: readonly string[], logger: Logger): Router {
  const router = new Router();
  router.post(WEBHOOK_PATH, async (ctx) => {
    const raw = (ctx.state.rawBody as Buffer | undefined) ?? Buffer.alloc(0);
    const header = ctx.get(SIGNATURE_HEADER);
    const checks = secrets.map((secret) => verifySignature(secret, header, raw));
    const passed = checks.find((check) => check.ok);
    if (!passed) {
      const reason = checks.find((check) => !check.ok && check.reason !== 'mismatch') ?? checks[0];
      logger.warn({ reason: reason && !reason.ok ? reason.reason : 'mismatch' }, 'gateway webhook refused');
      throw new AppError('validation', `webhook signature refused: ${reason && !reason.ok ? reason.reason : 'mismatch'}`);
    }
    const event = validate(eventBody, ctx.request.body, 'gateway event');
    const charge = event.data.object;
    const result = await services.transaction((unit) =>
      applyGatewayWebhook(unit, { id: event.id, type: event.type, charge: { id: charge.id, idempotencyKey: charge.idempotency_key, status: charge.status, failureCode: charge.failure_code } }, services.now(), services.timing.pendingPollMs),
    );
    ctx.body = { received: true, result };
  });
  return router;
}
