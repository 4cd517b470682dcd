/**
 * Per-client request budget, shared by every gateway instance through Redis. If Redis is down
 * the limiter falls back to an in-process budget rather than failing requests.
 */
import type { Middleware } from 'koa';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '@platform/shared/errors';

export function rateLimit(redis: Redis, pointsPerSecond: number): Middleware {
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: 'gateway-rl',
    points: pointsPerSecond,
    duration: 1,
    insuranceLimiter: new RateLimiterMemory({ points: pointsPerSecond, duration: 1 }),
  });
  return async (ctx, next) => {
    try {
      await limiter.consume(ctx.ip);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) {
        ctx.set('retry-after', String(Math.ceil(rejection.msBeforeNext / 1000)));
        throw new AppError('rate-limited', 'too many requests; slow down');
      }
      throw rejection;
    }
    await next();
  };
}
