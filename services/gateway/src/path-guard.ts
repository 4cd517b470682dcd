/**
 * Refuses, before any routing, a path that could mean something else once a server or a fetch
 * library normalises it: dot segments (plain or percent-encoded), encoded slashes and
 * backslashes, empty segments, control characters. `/orders/%2e%2e/internal/events` never
 * reaches a route.
 */
import type { Middleware } from 'koa';
import { AppError } from '@platform/shared/errors';

const SUSPICIOUS = [/%2e/i, /%2f/i, /%5c/i, /%00/, /\\/, /\/\.\.?(\/|$)/, /\/\//, /[^\x21-\x7e]/];

export function isSafePath(rawPath: string): boolean {
  return rawPath.startsWith('/') && !SUSPICIOUS.some((pattern) => pattern.test(rawPath));
}

export function pathGuard(): Middleware {
  return async (ctx, next) => {
    const rawPath = (ctx.req.url ?? '/').split('?')[0]!;
    if (!isSafePath(rawPath)) throw new AppError('validation', 'the request path is not in canonical form (dot segments, encoded separators or empty segments)');
    await next();
  };
}
