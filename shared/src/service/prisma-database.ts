import { AppError, isAppError } from '../errors.ts';
import { isDependencyOutage } from '../dependency-outage.ts';
import type { SqlTransaction } from '../outbox/sql-client.ts';
import type { ServiceDatabase } from './run-service.ts';

interface TransactionOptions {
  maxWait?: number;
  timeout?: number;
}

interface PrismaLikeClient<Tx> extends SqlTransaction {
  $disconnect(): Promise<void>;
  $transaction<R>(work: (tx: Tx) => Promise<R>, options?: TransactionOptions): Promise<R>;
}

/**
 * Adapts a service's generated Prisma client to what shared/ needs. Interactive transactions
 * get room to wait for a contended row (one product sold by many orders at once) and for a
 * slow payment gateway call made inside a handler.
 */
export function prismaDatabase<Tx extends SqlTransaction, C extends PrismaLikeClient<Tx> = PrismaLikeClient<Tx>>(client: C): ServiceDatabase<Tx> & { client: C } {
  return {
    client,
    $executeRawUnsafe: (query, ...values: unknown[]) => client.$executeRawUnsafe(query, ...values),
    $queryRawUnsafe: (query, ...values: unknown[]) => client.$queryRawUnsafe(query, ...values),
    $disconnect: () => client.$disconnect(),
    transaction: (work) => client.$transaction(work, { maxWait: 10_000, timeout: 30_000 }).catch(asUnavailableWhenSaturated),
  };
}

/**
 * A transaction that could not start (or was cut off) because the pool or the database is
 * saturated or down is a dependency outage, not a bug: a 503 with Retry-After for a request, a
 * retry for a message (dependency-outage.ts knows the codes and messages).
 */
export function asUnavailableWhenSaturated(error: unknown): never {
  if (!isAppError(error) && isDependencyOutage(error)) throw new AppError('unavailable', 'the database is unavailable; try again shortly', undefined, { cause: error });
  throw error;
}
