/**
 * Every error leaves as application/problem+json (RFC 9457). AppError kinds map to a status in
 * this one place; anything else is a 500 whose text is logged, never returned.
 */
import type { Middleware } from 'koa';
import { AppError, describeError, isAppError, type ErrorKind } from '../errors.ts';
import { isDependencyOutage } from '../dependency-outage.ts';
import type { Logger } from '../logger.ts';

const STATUS: Record<ErrorKind, number> = {
  validation: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  unprocessable: 422,
  'method-not-allowed': 405,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'rate-limited': 429,
  unavailable: 503,
  internal: 500,
};

const TITLE: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' };

/** Errors from the body parser and ctx.throw carry an HTTP status of their own. */
function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : undefined;
}

export function problemMiddleware(logger: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new AppError('not-found', `no route for ${ctx.method} ${ctx.path}`);
      // The router set Allow; say so as a problem too.
      if (ctx.status === 405 && ctx.body === undefined) throw new AppError('method-not-allowed', `${ctx.method} is not allowed here; allowed: ${ctx.response.get('allow')}`);
    } catch (error) {
      // A dependency that is down (database, broker, Redis, a downstream service) is a 503, never a 500.
      const outage = !isAppError(error) && isDependencyOutage(error);
      const status = isAppError(error) ? STATUS[error.kind] : outage ? 503 : (statusOf(error) ?? 500);
      // Client errors, and "unavailable" (its message is written for clients: try again), are
      // shown; anything else at 5xx may carry internals and is only logged.
      const exposed = status < 500 || (isAppError(error) && error.kind === 'unavailable');
      if (status === 503) ctx.set('retry-after', outage ? '2' : '1');
      if (outage) logger.warn({ err: describeError(error) }, 'a dependency is unavailable; answered 503');
      else if (!exposed) logger.error({ err: error }, 'request failed');
      // The body parser's own errors (a 400 that is not ours) mean the JSON did not parse.
      const parseFailed = !isAppError(error) && status === 400;
      ctx.status = status;
      ctx.type = 'application/problem+json';
      ctx.body = {
        type: 'about:blank',
        title: TITLE[status] ?? 'Error',
        status,
        detail: outage ? 'a service this request needs is unavailable; try again shortly' : exposed ? (parseFailed ? `request body is not valid JSON: ${(error as Error).message}` : (error as Error).message) : 'an internal error occurred; it has been logged',
        ...(isAppError(error) && exposed && error.details ? error.details : {}),
        instance: ctx.path,
      };
    }
  };
}
