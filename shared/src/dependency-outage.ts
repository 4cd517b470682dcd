import { AppError, isAppError } from './errors.ts';

/**
 * Is this error a dependency being down or unreachable (the database restarting, a pool with no
 * free connection, the broker or Redis gone, a downstream service refusing connections) rather
 * than a bug? Such an error is answered 503 with Retry-After and retried for a message; only a
 * bug is a 500. Recognised by error codes and SQLSTATEs first, messages last (the Prisma driver
 * adapter and some clients report only a message), along the whole `cause` chain.
 */
const CODES = new Set([
  // Node and undici: the peer is not there or went away.
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED',
  // Prisma: cannot reach, timed out, connection closed, pool timeout, transaction could not start, too many connections.
  'P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028', 'P2037',
]);
/**
 * SQLSTATE classes 08 (connection), 53 (insufficient resources), 57P01–57P03 (shutdown, starting
 * up), 57014 (a statement cut off by statement_timeout: the database too busy to answer in time).
 */
const SQLSTATE = /^(08\w{3}|53\w{3}|57P0[123]|57014)$/;
const MESSAGES =
  /Connection terminated|connection timeout|Connection is closed|terminating connection|database system is (starting up|shutting down|in recovery mode)|Can't reach database|Server has closed the connection|Timed out fetching a new connection|timeout exceeded when trying to connect|Unknown transaction status|Unable to start a transaction|Transaction already closed|Channel closed|Connection closed|socket hang up|fetch failed|MaxRetriesPerRequest|Stream isn't writeable|not queryable|ECONNREFUSED|ECONNRESET/i;

export function isDependencyOutage(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current; depth += 1) {
    const { code, message, cause, originalCode } = current as { code?: unknown; message?: unknown; cause?: unknown; originalCode?: unknown };
    for (const value of [code, originalCode]) if (typeof value === 'string' && (CODES.has(value) || SQLSTATE.test(value))) return true;
    if (typeof message === 'string' && MESSAGES.test(message)) return true;
    current = cause;
  }
  return false;
}

/**
 * A transaction that could not start (or was cut off) because the pool or the database is
 * saturated or down is a dependency outage, not a bug: a 503 with Retry-After for a request, a
 * retry for a message.
 */
export function asUnavailableWhenSaturated(error: unknown): never {
  if (!isAppError(error) && isDependencyOutage(error)) throw new AppError('unavailable', 'the database is unavailable; try again shortly', undefined, { cause: error });
  throw error;
}
