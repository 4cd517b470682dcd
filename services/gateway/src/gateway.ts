/**
 * The gateway's request pipeline, after the shared app's correlation id, problem answers and
 * bounded body: security headers → canonical path → per-IP budget → route policy (404/405) →
 * token (401) → role (403) → per-subject budgets → the service, the timeline or the audit log.
 */
import type { Middleware } from 'koa';
import { AppError } from '@platform/shared/errors';
import { encodeIdentity, type Identity } from '@platform/shared/http/identity';
import type { InternalFetch } from '@platform/shared/http/internal-auth';
import { bearerToken, InvalidToken, type TokenVerifier } from './authenticate.ts';
import { admits, matchRoute } from './policy.ts';
import { API_DOC_ROUTES } from './api-docs.ts';
import { pathGuard } from './path-guard.ts';
import { forward } from './proxy.ts';
import { createLimiters, spend } from './rate-limit.ts';
import { securityHeaders } from './security-headers.ts';
import { auditLog, timeline } from './timeline.ts';
import type { Upstreams } from './upstreams.ts';

export interface GatewayOptions {
  upstreams: Upstreams;
  signedFetch: InternalFetch;
  verifyToken: TokenVerifier;
  limiters: ReturnType<typeof createLimiters>;
  corsOrigins: ReadonlySet<string>;
}

const OWN_ROUTES = new Set(['/health', '/ready', ...API_DOC_ROUTES]);

async function identify(authorization: string, verifyToken: TokenVerifier): Promise<Identity | null> {
  const token = bearerToken(authorization);
  return token ? verifyToken(token) : null;
}

function route(options: GatewayOptions): Middleware {
  return async (ctx, next) => {
    // The gateway's own: health, the API documents, the console (it checks its callers itself).
    if (OWN_ROUTES.has(ctx.path) || ctx.path === '/console' || ctx.path.startsWith('/console/')) {
      await next();
      return;
    }
    const match = matchRoute(ctx.method, ctx.path);
    if (match.kind === 'none') throw new AppError('not-found', `no route for ${ctx.method} ${ctx.path}`);
    if (match.kind === 'wrong-method') {
      ctx.set('allow', match.allowed.join(', '));
      throw new AppError('method-not-allowed', `${ctx.method} is not allowed here; allowed: ${match.allowed.join(', ')}`);
    }
    let identity: Identity | null;
    try {
      identity = await identify(ctx.get('authorization'), options.verifyToken);
    } catch (error) {
      if (error instanceof InvalidToken) ctx.set('www-authenticate', `Bearer error="invalid_token", error_description="${error.description}"`);
      throw error;
    }
    const { route: policy } = match;
    // The policy's pattern labels the request-duration metric (never the raw path, ids in it).
    (ctx as { _matchedRoute?: string })._matchedRoute = policy.path;
    if (!admits(policy.allow, identity?.role ?? null)) {
      if (!identity) {
        ctx.set('www-authenticate', 'Bearer');
        throw new AppError('unauthorized', 'this route needs an access token');
      }
      throw new AppError('forbidden', `this route is not for ${identity.role} callers`);
    }
    const charges: Array<[Parameters<typeof spend>[2][number][0], string]> = [];
    if (identity) charges.push(['client', identity.sub]);
    if (policy.budget === 'token') charges.push(['token', ctx.ip]);
    if (policy.budget === 'orders') charges.push(['orders', identity?.sub ?? ctx.ip]);
    await spend(ctx, options.limiters, charges);
    const encoded = identity ? encodeIdentity(identity) : undefined;
    if (policy.to === 'timeline') await timeline(ctx, options.upstreams, options.signedFetch, encoded!);
    else if (policy.to === 'audit') await auditLog(ctx, options.upstreams, options.signedFetch);
    else await forward(ctx, policy.to, options.upstreams, options.signedFetch, encoded);
  };
}

export function gatewayPipeline(options: GatewayOptions): Middleware[] {
  return [securityHeaders(options.corsOrigins), pathGuard(), async (ctx, next) => {
    await spend(ctx, options.limiters, [['ip', ctx.ip]]);
    await next();
  }, route(options)];
}
