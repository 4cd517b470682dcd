/**
 * The console's sessions: a random id in an HttpOnly, SameSite=Strict cookie; in Redis only its
 * hash, with the admin's identity and the session's CSRF token (synchronizer pattern), expiring
 * after half an hour without use. Redis down is a 503: no session is ever guessed.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '@platform/shared/errors';
import type { Identity } from '@platform/shared/http/identity';

export interface ConsoleSession {
  id: string;
  csrf: string;
  identity: Identity;
}

export const SESSION_COOKIE = 'console_session';
export const SESSION_IDLE_SECONDS = 1_800;

const keyOf = (id: string) => `console:session:${createHash('sha256').update(id).digest('hex')}`;

async function unlessDown<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new AppError('unavailable', 'console sessions are unavailable; try again shortly', undefined, { cause: error });
  }
}

export function consoleSessions(redis: Redis) {
  return {
    async open(identity: Identity): Promise<ConsoleSession> {
      const session = { id: randomBytes(32).toString('base64url'), csrf: randomBytes(32).toString('base64url'), identity };
      await unlessDown(() => redis.set(keyOf(session.id), JSON.stringify({ csrf: session.csrf, identity }), 'EX', SESSION_IDLE_SECONDS));
      return session;
    },
    /** The session of a cookie value, its idle clock restarted; null for none or an expired one. */
    async find(id: string | undefined): Promise<ConsoleSession | null> {
      if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) return null;
      const stored = await unlessDown(() => redis.getex(keyOf(id), 'EX', SESSION_IDLE_SECONDS));
      if (!stored) return null;
      const { csrf, identity } = JSON.parse(stored) as { csrf: string; identity: Identity };
      return { id, csrf, identity };
    },
    async close(id: string): Promise<void> {
      await unlessDown(() => redis.del(keyOf(id)));
    },
  };
}

export type ConsoleSessions = ReturnType<typeof consoleSessions>;

/** Whether a request's token is the session's (constant time). */
export function csrfMatches(session: ConsoleSession, offered: unknown): boolean {
  if (typeof offered !== 'string' || offered.length !== session.csrf.length) return false;
  return timingSafeEqual(Buffer.from(offered), Buffer.from(session.csrf));
}
