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
    transaction: (work) => client.$transaction(work, { maxWait: 10_000, timeout: 30_000 }),
  };
}
