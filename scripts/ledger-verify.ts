/**
 * `pnpm ledger:verify [database-url]`: audits a ledger database (default: the local platform's)
 * and prints every problem with its ids; exits 1 if there is any, 0 if the books are right.
 */
import pg from 'pg';
import { databaseUrlFor } from './databases.ts';
import { verifyLedger } from '../services/ledger/src/data-access/verify-ledger.ts';

const url = process.argv[2] ?? process.env.LEDGER_DATABASE_URL ?? databaseUrlFor('ledger');
const pool = new pg.Pool({ connectionString: url, max: 1 });
const db = {
  $queryRawUnsafe: async <T>(sql: string, ...values: unknown[]) => (await pool.query(sql, values)).rows as T,
  $executeRawUnsafe: async (sql: string, ...values: unknown[]) => (await pool.query(sql, values)).rowCount ?? 0,
};
try {
  const problems = await verifyLedger(db);
  for (const problem of problems) process.stdout.write(`✗ ${problem.check}: ${problem.detail}${problem.ids.length ? ` [${problem.ids.join(', ')}]` : ''}\n`);
  process.stdout.write(problems.length === 0 ? `ledger verified: ${new URL(url).pathname.slice(1)} balances, transfers and holds are consistent\n` : `${problems.length} problem(s)\n`);
  process.exitCode = problems.length === 0 ? 0 : 1;
} finally {
  await pool.end();
}
