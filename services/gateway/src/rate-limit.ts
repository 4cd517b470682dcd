/**
 * Request budgets shared by every gateway instance through Redis (rate-limiter-flexible): per
 * client IP, per authenticated subject, and tighter ones for the token endpoint (password
 * guessing) and for placing orders. No request waits on Redis for more than its command
 * timeout (~100 ms); when Redis is down or slow each instance falls back to its own
 * in-memory budget. Answers carry RateLimit-Policy and RateLimit (IETF httpapi draft).
 */
import type { Context } from 'koa';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '@platform/shared/errors';

export interface Budget {
  name: string;
  points: number;
  seconds: number;
}

export interface Budgets {
  ip: Budget;
  client: Budget;
  token: Budget;
  orders: Budget;
}

type Limiters = Record<keyof Budgets, { budget: Budget; limiter: RateLimiterRedis }>;

export function createLimiters(redis: Redis, budgets: Budgets): Limiters {
  const entries = (Object.entries(budgets) as Array<[keyof Budgets, Budget]>).map(([key, budget]) => [
    key,
    {
      budget,
      limiter: new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `gateway-rl:${budget.name}`,
        points: budget.points,
        duration: budget.seconds,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ points: budget.points, duration: budget.seconds }),
      }),
    },
  ]);
  return Object.fromEntries(entries) as Limiters;
}

interface Spent {
  budget: Budget;
  remaining: number;
  resetSeconds: number;
}

const policyHeader = (spent: Spent[]) => spent.map(({ budget }) => `"${budget.name}";q=${budget.points};w=${budget.seconds}`).join(', ');
const limitHeader = (spent: Spent) => `"${spent.budget.name}";r=${spent.remaining};t=${spent.resetSeconds}`;

/** Spends one point of each budget named for `key`; a 429 problem when any is exhausted. */
export async function spend(ctx: Context, limiters: Limiters, charges: Array<[keyof Budgets, string]>): Promise<void> {
  const spent: Spent[] = [];
  for (const [name, key] of charges) {
    const { budget, limiter } = limiters[name];
    try {
      const result = await limiter.consume(key);
      spent.push({ budget, remaining: result.remainingPoints, resetSeconds: Math.ceil(result.msBeforeNext / 1000) });
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const wait = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      spent.push({ budget, remaining: 0, resetSeconds: wait });
      ctx.set('retry-after', String(wait));
      ctx.set('ratelimit-policy', policyHeader(spent));
      ctx.set('ratelimit', limitHeader(spent.at(-1)!));
      throw new AppError('rate-limited', `too many requests (${budget.name} budget); retry in ${wait} s`);
    }
  }
  if (spent.length === 0) return;
  const tightest = spent.reduce((least, item) => (item.remaining < least.remaining ? item : least));
  ctx.set('ratelimit-policy', policyHeader(spent));
  ctx.set('ratelimit', limitHeader(tightest));
}
