/**
 * Headers on every answer: no MIME sniffing, never framed, no referrer, nothing cached that
 * was asked for with credentials. CORS only for the configured origins (none by default). The
 * API issues no cookies, so there is no ambient credential for CSRF to abuse; the console's
 * cookie session (console/) checks a synchronizer token and the Origin on every change.
 */
import type { Middleware } from 'koa';
import { AppError } from '@platform/shared/errors';

const ALLOWED_HEADERS = 'authorization, content-type, idempotency-key, x-correlation-id';
const EXPOSED_HEADERS = 'location, idempotent-replayed, retry-after, ratelimit, ratelimit-policy, x-correlation-id';

export function securityHeaders(corsOrigins: ReadonlySet<string>): Middleware {
  return async (ctx, next) => {
    ctx.set('x-content-type-options', 'nosniff');
    ctx.set('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    ctx.set('x-frame-options', 'DENY');
    ctx.set('referrer-policy', 'no-referrer');
    const origin = ctx.get('origin');
    const corsAllowed = origin !== '' && corsOrigins.has(origin);
    if (origin) ctx.vary('origin');
    if (corsAllowed) {
      ctx.set('access-control-allow-origin', origin);
      ctx.set('access-control-expose-headers', EXPOSED_HEADERS);
    }
    if (ctx.method === 'OPTIONS' && ctx.get('access-control-request-method')) {
      if (!corsAllowed) throw new AppError('forbidden', 'this origin may not call the API from a browser');
      ctx.set('access-control-allow-methods', 'GET, POST, PUT');
      ctx.set('access-control-allow-headers', ALLOWED_HEADERS);
      ctx.set('access-control-max-age', '600');
      ctx.status = 204;
      return;
    }
    try {
      await next();
    } finally {
      // Personal data and tokens must not sit in a shared cache: anything asked with credentials.
      if (ctx.get('authorization') || !ctx.response.get('cache-control')) ctx.set('cache-control', 'no-store');
    }
  };
}
