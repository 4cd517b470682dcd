/**
 * Transactions on plain `pg`, for the paths where Prisma's own cost dominates: its interactive
 * transaction spends about ten times the Node CPU of the same statements on `pg` (see
 * ../shared/MEASURED.md; in this platform's profiles Prisma and its query compiler were a third
 * of a busy service's CPU). The pool is the one the service's Prisma client uses, so a service
 * holds one set of connections whichever way it talks.
 *
 * Values and rows look exactly as Prisma's `$queryRawUnsafe` gives them (bigint columns as
 * BigInt, `timestamp` read as UTC, Dates and BigInts sent as text), so the same SQL and the same
 * mapping code run on either.
 */
import pg from 'pg';
import type { SqlTransaction } from '../outbox/sql-client.ts';
import { asUnavailableWhenSaturated } from '../dependency-outage.ts';
import { inChildSpan, SpanKind } from '../telemetry/tracing.ts';

/**
 * Statements are sent once per connection and then executed by name: PostgreSQL skips parsing
 * and, after a few runs, planning. A text gets a name the first time it is seen; past the cap
 * (SQL built from input would otherwise prepare without bound) texts run unnamed.
 */
const MAX_NAMED_STATEMENTS = 500;
const statementNames = new Map<string, string>();

function statementName(text: string): string | undefined {
  const known = statementNames.get(text);
  if (known || statementNames.size >= MAX_NAMED_STATEMENTS) return known;
  const name = `platform_${statementNames.size + 1}`;
  statementNames.set(text, name);
  return name;
}

const INT8 = 20;
const INT8_ARRAY = 1016;
const TIMESTAMP = 1114;
// Array OIDs are not in pg's TypeId enum, though its parser knows them.
const int8Array = pg.types.getTypeParser(INT8_ARRAY as never, 'text') as (value: string) => Array<string | null>;
// Prisma reads int8 as BigInt and `timestamp without time zone` as UTC; pg's defaults (string,
// local time) would silently change what the mapping code receives.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8) return (value: string) => BigInt(value);
    if (oid === INT8_ARRAY) return (value: string) => int8Array(value).map((item) => (item === null ? null : BigInt(item)));
    if (oid === TIMESTAMP) return (value: string) => new Date(`${value.replace(' ', 'T')}Z`);
    return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
  }) as typeof pg.types.getTypeParser,
};

function asParameter(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(asParameter);
  return value;
}

/** Statements on one connection (a transaction) or the pool, shaped as the slice of Prisma's client the code uses. */
export class PgSql implements SqlTransaction {
  constructor(private readonly client: pg.PoolClient | pg.Pool) {}

  private run(text: string, values: unknown[]) {
    const name = statementName(text);
    const send = () => this.client.query({ ...(name ? { name } : {}), text, values: values.map(asParameter), types });
    // A statement on the pool is a transaction of its own (placing an order is one): traced as one.
    return this.client instanceof pg.Pool ? inChildSpan('pg statement', { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql' } }, send) : send();
  }

  async $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T> {
    return (await this.run(query, values)).rows as T;
  }

  async $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number> {
    return (await this.run(query, values)).rowCount ?? 0;
  }
}

/** The pool a service's Prisma client and its plain-SQL transactions share. */
export function servicePool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    // As Prisma's interactive transactions were set: wait up to 10 s for a connection, and no
    // statement or idle transaction holds a row lock for more than 30 s.
    connectionTimeoutMillis: 10_000,
    statement_timeout: 30_000,
    idle_in_transaction_session_timeout: 30_000,
  });
  // A connection dropped while idle in the pool (PostgreSQL restarted) is only logged by pg;
  // without a listener it would crash the process.
  pool.on('error', () => undefined);
  return hearConnectionErrors(pool);
}

/** Runs `work` in one transaction on a pooled connection: committed if it returns, rolled back if it throws. */
export function sqlTransaction<R>(pool: pg.Pool, work: (tx: SqlTransaction) => Promise<R>): Promise<R> {
  return inChildSpan('pg transaction', { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql' } }, () => runTransaction(pool, work));
}

/**
 * pg-pool takes its own 'error' listener off a client while it is lent out, and a connection that
 * dies then (PostgreSQL restarted, the backend terminated) emits 'error' on the client: unheard,
 * that kills the process. So every client of the pool keeps a listener for life, whoever borrows
 * it: the statement in flight fails with the same error, which is what the borrower handles, and
 * the pool drops the dead client when it comes back.
 */
export function hearConnectionErrors(pool: pg.Pool): pg.Pool {
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

async function runTransaction<R>(pool: pg.Pool, work: (tx: SqlTransaction) => Promise<R>): Promise<R> {
  const client = await pool.connect().catch(asUnavailableWhenSaturated);
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(new PgSql(client));
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackFailed: Error) => (broken = rollbackFailed));
    return asUnavailableWhenSaturated(error);
  } finally {
    // A connection that could not even roll back is closed, not given to the next caller.
    client.release(broken);
  }
}
