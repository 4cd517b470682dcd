/**
 * What the service databases' statements cost per order, from pg_stat_statements: statements,
 * page reads (shared buffers hit or read), WAL records and plannings. Unlike CPU time these are
 * counts, nearly the same from run to run whatever else the machine is doing, so they show
 * whether a change to a statement paid. Two snapshots around a load step, diffed per statement.
 * Needs `shared_preload_libraries = 'pg_stat_statements'` (a server restart); without it the
 * bench says so and reports the rest.
 */
import { databaseUrlFor, withPgClient } from '../../scripts/databases.ts';
import { SERVICES } from '../../scripts/platform.ts';

export interface StatementCounts {
  calls: number;
  pages: number;
  walRecords: number;
  plans: number;
}
export type Snapshot = Map<string, StatementCounts & { database: string; query: string }>;

// The gateway simulator's database too: its statements run on this PostgreSQL, in the CPU measured.
const databases = () => [...SERVICES, 'psp'].map((service) => new URL(databaseUrlFor(service, 'e2e')).pathname.slice(1));

/** Why statement counts cannot be read here, or null when they can. */
export async function statementStatsMissing(): Promise<string | null> {
  return withPgClient(async (client) => {
    try {
      await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
      await client.query('SELECT 1 FROM pg_stat_statements LIMIT 1');
      return null;
    } catch (error) {
      return `${(error as Error).message} (ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements', then restart PostgreSQL)`;
    }
  });
}

export async function statementsSoFar(): Promise<Snapshot> {
  const { rows } = await withPgClient((client) =>
    client.query<{ key: string; database: string; query: string; calls: string; pages: string; wal: string; plans: string }>(
      `SELECT d.datname || ':' || s.queryid AS key, d.datname AS database, left(regexp_replace(s.query, '\\s+', ' ', 'g'), 90) AS query,
              sum(s.calls) AS calls, sum(s.shared_blks_hit + s.shared_blks_read) AS pages, sum(s.wal_records) AS wal, sum(s.plans) AS plans
       FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
       WHERE d.datname = ANY($1) GROUP BY 1, 2, 3`,
      [databases()],
    ),
  );
  return new Map(rows.map((row) => [row.key, { database: row.database, query: row.query, calls: Number(row.calls), pages: Number(row.pages), walRecords: Number(row.wal), plans: Number(row.plans) }]));
}

export interface StatementReport {
  total: StatementCounts;
  byDatabase: Record<string, StatementCounts>;
  top: Array<StatementCounts & { database: string; query: string }>;
}

/** Counts between two snapshots, per order, after taking away `idle` (counts per second with no orders) × seconds. */
export function statementsPerOrder(before: Snapshot, after: Snapshot, orders: number, idle?: { report: StatementReport; seconds: number }): StatementReport {
  const zero = (): StatementCounts => ({ calls: 0, pages: 0, walRecords: 0, plans: 0 });
  const add = (into: StatementCounts, from: StatementCounts, factor: number) => {
    into.calls += from.calls * factor;
    into.pages += from.pages * factor;
    into.walRecords += from.walRecords * factor;
    into.plans += from.plans * factor;
  };
  const total = zero();
  const byDatabase: Record<string, StatementCounts> = {};
  const top: StatementReport['top'] = [];
  for (const [key, now] of after) {
    const was = before.get(key) ?? { ...zero(), database: now.database, query: now.query };
    const spent = { calls: now.calls - was.calls, pages: now.pages - was.pages, walRecords: now.walRecords - was.walRecords, plans: now.plans - was.plans };
    if (spent.calls <= 0) continue;
    add(total, spent, 1 / orders);
    add((byDatabase[now.database] ??= zero()), spent, 1 / orders);
    top.push({ database: now.database, query: now.query, ...zero() });
    add(top.at(-1)!, spent, 1 / orders);
  }
  if (idle) {
    add(total, idle.report.total, -idle.seconds / orders);
    for (const [database, counts] of Object.entries(idle.report.byDatabase)) add((byDatabase[database] ??= zero()), counts, -idle.seconds / orders);
  }
  // Idle counts are an average: a step quieter than it leaves small negatives, which mean none.
  for (const counts of [total, ...Object.values(byDatabase)]) for (const key of Object.keys(counts) as Array<keyof StatementCounts>) counts[key] = Math.max(0, counts[key]);
  top.sort((a, b) => b.calls - a.calls);
  return { total, byDatabase, top: top.slice(0, 12) };
}

export function describeStatements(report: StatementReport, withTop: boolean): string[] {
  const { total } = report;
  const lines = [
    `statements per order ${total.calls.toFixed(1)} (plannings ${total.plans.toFixed(1)}, pages ${total.pages.toFixed(0)}, WAL records ${total.walRecords.toFixed(0)}): ` +
      Object.entries(report.byDatabase)
        .sort((a, b) => b[1].calls - a[1].calls)
        .map(([database, counts]) => `${database.replace(/^e2e_/, '')} ${counts.calls.toFixed(1)}`)
        .join(', '),
  ];
  if (withTop) for (const row of report.top) lines.push(`    ${row.calls.toFixed(2).padStart(6)}/order  ${row.pages.toFixed(0).padStart(4)} pages  ${row.database.replace(/^e2e_/, '').padEnd(12)} ${row.query}`);
  return lines;
}
