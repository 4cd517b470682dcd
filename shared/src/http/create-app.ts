/**
 * A service's Koa app: correlation id → request log → problem+json errors → bounded body →
 * internal proof (services) → routes (the service's, then /health and /ready).
 */
import { randomUUID } from 'node:crypto';
import Koa, { type Middleware } from 'koa';
import Router from '@koa/router';
import { bodyReader } from './body-reader.ts';
import { internalAuth, type InternalAuthOptions } from './internal-auth.ts';
import { withLogContext, type Logger } from '../logger.ts';
import { problemMiddleware } from './problem.ts';
import type { ServiceMetrics } from '../metrics.ts';
import { contextOf, inSpan, SpanKind } from '../telemetry/tracing.ts';

export type ReadinessCheck = () => Promise<void>;

export interface AppOptions {
  logger: Logger;
  routers: Router[];
  readiness: Record<string, ReadinessCheck>;
  /** Middleware between error handling and routing (the gateway's rate limit and proxy). */
  beforeRoutes?: Middleware[];
  /** Services answer only calls signed by another service (the gateway's gateway-side checks differ). */
  internalAuth?: InternalAuthOptions;
  /** Largest request body, bytes (100 KiB by default). */
  bodyLimit?: number;
  metrics?: ServiceMetrics;
}

/** A client's correlation id is kept only when short and plain: it ends up in every log line. */
const PLAIN_CORRELATION_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function createApp(options: AppOptions): Koa {
  const app = new Koa();
  // X-Forwarded-For is not trusted: the gateway faces clients, and a client could otherwise
  // name any address and slip past the per-client rate limit. Set TRUST_PROXY=1 only behind
  // a proxy that overwrites the header.
  app.proxy = process.env.TRUST_PROXY === '1';
  // A server span continuing the caller's trace; named by the matched route once it is known.
  app.use((ctx, next) =>
    inSpan(`${ctx.method} ${ctx.path}`, { kind: SpanKind.SERVER, parent: contextOf(ctx.get('traceparent') || undefined), attributes: { 'http.request.method': ctx.method } }, async (span) => {
      await next();
      span?.updateName(`${ctx.method} ${(ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched'}`);
      span?.setAttribute('http.response.status_code', ctx.status);
    }),
  );
  app.use(async (ctx, next) => {
    const offered = ctx.get('x-correlation-id');
    const correlationId = PLAIN_CORRELATION_ID.test(offered) ? offered : randomUUID();
    ctx.state.correlationId = correlationId;
    ctx.set('x-correlation-id', correlationId);
    await withLogContext({ correlationId }, next);
  });
  app.use(async (ctx, next) => {
    const started = performance.now();
    await next();
    const ms = performance.now() - started;
    options.logger.debug({ method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(ms) }, 'http');
    // The matched route pattern, never the raw path: ids would make a series per request.
    const route = (ctx as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
    options.metrics?.httpDuration.observe({ method: ctx.method, route, status: String(ctx.status) }, ms / 1000);
  });
  app.use(problemMiddleware(options.logger));
  app.use(bodyReader({ limit: options.bodyLimit ?? 100 * 1024 }));
  if (options.internalAuth) app.use(internalAuth(options.internalAuth));
  for (const middleware of options.beforeRoutes ?? []) app.use(middleware);
  for (const router of [...options.routers, healthRouter(options.readiness, options.metrics)]) {
    app.use(router.routes()).use(router.allowedMethods());
  }
  return app;
}

/** A readiness check slower than this counts as unavailable. */
const READINESS_TIMEOUT_MS = 2_000;

function healthRouter(readiness: Record<string, ReadinessCheck>, metrics?: ServiceMetrics): Router {
  const router = new Router();
  if (metrics) {
    router.get('/metrics', async (ctx) => {
      ctx.type = metrics.registry.contentType;
      ctx.body = await metrics.registry.metrics();
    });
  }
  router.get('/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/ready', async (ctx) => {
    const results = await Promise.all(
      Object.entries(readiness).map(async ([name, check]) => {
        try {
          // A dependency that hangs (a database mid-restart) must not hang the probe.
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([check(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out')), READINESS_TIMEOUT_MS)))]).finally(() => clearTimeout(timer));
          return [name, 'ok'] as const;
        } catch {
          return [name, 'unavailable'] as const;
        }
      }),
    );
    const ready = results.every(([, state]) => state === 'ok');
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'not-ready', checks: Object.fromEntries(results) };
  });
  return router;
}
