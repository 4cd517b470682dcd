import { asUnavailableWhenSaturated } from '../dependency-outage.ts';
import type { SqlTransaction } from '../outbox/sql-client.ts';
import type pg from 'pg';
import type { ServiceDatabase } from './run-service.ts';
import { PgSql, servicePool, sqlTransaction } from './sql-transaction.ts';
import { PrismaPg } from '@prisma/adapter-pg';

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
 * get room to wait for a contended row (one product sold by many orders at once). `sql`
 * transactions run on plain `pg` over `pool`, the pool the client's adapter was given; without
 * one they are Prisma transactions too.
 */
export function prismaDatabase<Tx extends SqlTransaction, C extends PrismaLikeClient<Tx> = PrismaLikeClient<Tx>>(client: C, pool?: pg.Pool): ServiceDatabase<Tx> & { client: C } {
  const transaction = <R>(work: (tx: Tx) => Promise<R>) => client.$transaction(work, { maxWait: 10_000, timeout: 30_000 }).catch(asUnavailableWhenSaturated);
  // Single statements outside a transaction go straight to the pool when there is one.
  const direct: SqlTransaction = pool ? new PgSql(pool) : client;
  return {
    client,
    $executeRawUnsafe: (query, ...values: unknown[]) => direct.$executeRawUnsafe(query, ...values),
    $queryRawUnsafe: (query, ...values: unknown[]) => direct.$queryRawUnsafe(query, ...values),
    $disconnect: async () => {
      await client.$disconnect();
      await pool?.end();
    },
    transaction,
    sql: pool ? (work) => sqlTransaction(pool, work) : transaction,
  };
}


/**
 * A service's database: one `pg` pool shared by its Prisma client (through the driver adapter)
 * and its plain-SQL transactions, so both ways of talking hold one set of connections.
 */
export function connectPrismaDatabase<Tx extends SqlTransaction, C extends PrismaLikeClient<Tx>>(makeClient: (adapter: PrismaPg) => C, url: string, poolSize: number) {
  const pool = servicePool(url, poolSize);
  return prismaDatabase<Tx, C>(makeClient(new PrismaPg(pool)), pool);
}
