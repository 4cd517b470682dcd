/**
 * The ledger audit: everything that must hold, checked from the immutable postings. Returns
 * each problem with the ids involved; an empty list means the books are right.
 *  - every account's balance rows equal its postings (posted), and its unresolved holds (pending);
 *  - every transfer sums to zero per currency; the trial balance is zero per currency;
 *  - no wallet below zero, and no wallet's posted and pending debits beyond its credits;
 *  - every reversal and every hold resolution points at a transfer that exists (and is a hold).
 */
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';

/** What the checks select: ids and currencies as text, sums as bigints. */
type Row = Record<string, string | bigint | number | null>;

export interface LedgerProblem {
  check: string;
  ids: string[];
  detail: string;
}

const CHECKS: Array<{ check: string; sql: string; detail: (row: Row) => string; ids: (row: Row) => string[] }> = [
  {
    check: 'balance rows equal postings',
    sql: `WITH rows AS (SELECT account_id, sum(debits_posted) AS dp, sum(credits_posted) AS cp, sum(debits_pending) AS dq, sum(credits_pending) AS cq FROM account_balance GROUP BY account_id),
          posted AS (SELECT account_id, sum(debit_minor) AS dp, sum(credit_minor) AS cp FROM ledger_posting WHERE NOT pending GROUP BY account_id),
          held AS (SELECT p.account_id, sum(p.debit_minor) AS dq, sum(p.credit_minor) AS cq FROM ledger_posting p
                   WHERE p.pending AND NOT EXISTS (SELECT 1 FROM transfer r WHERE r.pending_id = p.transfer_id) GROUP BY p.account_id)
          SELECT a.id, COALESCE(r.dp, 0) AS rdp, COALESCE(p.dp, 0) AS pdp, COALESCE(r.cp, 0) AS rcp, COALESCE(p.cp, 0) AS pcp,
                 COALESCE(r.dq, 0) AS rdq, COALESCE(h.dq, 0) AS hdq, COALESCE(r.cq, 0) AS rcq, COALESCE(h.cq, 0) AS hcq
          FROM account a LEFT JOIN rows r ON r.account_id = a.id LEFT JOIN posted p ON p.account_id = a.id LEFT JOIN held h ON h.account_id = a.id
          WHERE COALESCE(r.dp, 0) <> COALESCE(p.dp, 0) OR COALESCE(r.cp, 0) <> COALESCE(p.cp, 0) OR COALESCE(r.dq, 0) <> COALESCE(h.dq, 0) OR COALESCE(r.cq, 0) <> COALESCE(h.cq, 0)`,
    ids: (row) => [String(row.id)],
    detail: (row) => `rows debit ${row.rdp}/credit ${row.rcp}/pending ${row.rdq}+${row.rcq} ≠ postings ${row.pdp}/${row.pcp}/${row.hdq}+${row.hcq}`,
  },
  {
    check: 'transfer sums to zero',
    sql: 'SELECT transfer_id AS id, currency, sum(debit_minor - credit_minor) AS net FROM ledger_posting GROUP BY transfer_id, currency HAVING sum(debit_minor - credit_minor) <> 0',
    ids: (row) => [String(row.id)],
    detail: (row) => `${String(row.currency)} debits exceed credits by ${row.net}`,
  },
  {
    check: 'trial balance is zero',
    sql: 'SELECT currency, sum(debit_minor - credit_minor) AS net FROM ledger_posting WHERE NOT pending GROUP BY currency HAVING sum(debit_minor - credit_minor) <> 0',
    ids: () => [],
    detail: (row) => `${String(row.currency)} is off by ${row.net}`,
  },
  {
    check: 'no wallet below zero',
    sql: `SELECT a.id, sum(b.credits_posted - b.debits_posted) AS posted, sum(b.debits_pending) AS pending FROM account a JOIN account_balance b ON b.account_id = a.id
          WHERE a.rule = 'credits_cover_debits' GROUP BY a.id HAVING sum(b.credits_posted - b.debits_posted) < 0 OR sum(b.credits_posted - b.debits_posted - b.debits_pending) < 0`,
    ids: (row) => [String(row.id)],
    detail: (row) => `posted ${row.posted}, pending debits ${row.pending}`,
  },
  {
    check: 'reversals point at a transfer',
    sql: 'SELECT t.id, t.reverses_id AS target FROM transfer t WHERE t.reverses_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM transfer o WHERE o.id = t.reverses_id)',
    ids: (row) => [String(row.id)],
    detail: (row) => `reverses ${String(row.target)}, which does not exist`,
  },
  {
    check: 'resolutions point at a hold',
    sql: "SELECT t.id, t.pending_id AS target FROM transfer t WHERE t.pending_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM transfer o WHERE o.id = t.pending_id AND o.kind = 'hold')",
    ids: (row) => [String(row.id)],
    detail: (row) => `resolves ${String(row.target)}, which is not a hold`,
  },
];

export async function verifyLedger(db: SqlTransaction): Promise<LedgerProblem[]> {
  const problems: LedgerProblem[] = [];
  for (const check of CHECKS) {
    const rows = await db.$queryRawUnsafe<Array<Row>>(check.sql);
    problems.push(...rows.map((row) => ({ check: check.check, ids: check.ids(row), detail: check.detail(row) })));
  }
  return problems;
}
