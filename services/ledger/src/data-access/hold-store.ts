/**
 * Holds on one transaction. A hold is a transfer whose postings are marked pending and move
 * pending balances; its resolution is another transfer that names it in `pending_id` (unique,
 * so a post racing a void or an expiry resolves it once: the loser's insert does nothing).
 */
import type { Account, Hold, HoldStore } from '../domain/ports.ts';
import { applyBalanceDeltas, type DeferredBalances } from './balances.ts';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';

interface HoldRow {
  id: string;
  timeout_at: Date;
  resolved_by: string | null;
  account_id: string;
  debit_minor: bigint;
  credit_minor: bigint;
  type: string;
  owner_key: string;
  currency: string;
  rule: string;
  slots: number;
}

function toHold(rows: HoldRow[]): Hold | null {
  const debit = rows.find((row) => row.debit_minor > 0n);
  const credit = rows.find((row) => row.credit_minor > 0n);
  if (!debit || !credit) return null;
  const account = (row: HoldRow): Account => ({ id: row.account_id, type: row.type as Account['type'], ownerKey: row.owner_key, currency: row.currency, rule: row.rule as Account['rule'], slots: row.slots });
  return { id: debit.id, debitAccount: account(debit), creditAccount: account(credit), currency: debit.currency, amount: debit.debit_minor, timeoutAt: debit.timeout_at, resolvedBy: debit.resolved_by };
}

const HOLD_ROWS = `SELECT t.id, t.timeout_at, r.id AS resolved_by, p.account_id, p.debit_minor, p.credit_minor, a.type, a.owner_key, a.currency, a.rule, a.slots
  FROM transfer t JOIN ledger_posting p ON p.transfer_id = t.id JOIN account a ON a.id = p.account_id
  LEFT JOIN transfer r ON r.pending_id = t.id`;

/** `deferred`: free balance rows are written at the transaction's end (balances.ts), not per hold move. */
export function holdStore(tx: SqlTransaction, deferred?: DeferredBalances): HoldStore {
  const accountsOf = (hold: Pick<Hold, 'debitAccount' | 'creditAccount'>) => new Map([hold.debitAccount, hold.creditAccount].map((account) => [account.id, account]));
  return {
    async recordHold(hold, cause) {
      const inserted = await tx.$executeRawUnsafe(
        "INSERT INTO transfer (id, kind, timeout_at, event_id, correlation_id) VALUES ($1, 'hold', $2, $3, $4) ON CONFLICT (id) DO NOTHING",
        hold.id,
        hold.timeoutAt,
        cause.eventId,
        cause.correlationId,
      );
      if (inserted === 0) return false;
      await tx.$executeRawUnsafe(
        'INSERT INTO ledger_posting (transfer_id, account_id, currency, debit_minor, credit_minor, pending) VALUES ($1, $2::uuid, $4, $5, 0, true), ($1, $3::uuid, $4, 0, $5, true)',
        hold.id,
        hold.debitAccount.id,
        hold.creditAccount.id,
        hold.currency,
        hold.amount,
      );
      await applyBalanceDeltas(tx, [{ accountId: hold.debitAccount.id, debitsPending: hold.amount }, { accountId: hold.creditAccount.id, creditsPending: hold.amount }], accountsOf(hold), deferred);
      return true;
    },
    async findHold(id) {
      return toHold(await tx.$queryRawUnsafe<HoldRow[]>(`${HOLD_ROWS} WHERE t.id = $1 AND t.kind = 'hold'`, id));
    },
    async resolveHold(hold, resolution, cause) {
      const inserted = await tx.$executeRawUnsafe(
        'INSERT INTO transfer (id, kind, pending_id, event_id, correlation_id) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
        resolution.id,
        resolution.kind,
        hold.id,
        cause.eventId,
        cause.correlationId,
      );
      if (inserted === 0) return false;
      const posted = resolution.postAmount;
      if (posted > 0n) {
        await tx.$executeRawUnsafe(
          'INSERT INTO ledger_posting (transfer_id, account_id, currency, debit_minor, credit_minor) VALUES ($1, $2::uuid, $4, $5, 0), ($1, $3::uuid, $4, 0, $5)',
          resolution.id,
          hold.debitAccount.id,
          hold.creditAccount.id,
          hold.currency,
          posted,
        );
      }
      await applyBalanceDeltas(
        tx,
        [
          { accountId: hold.debitAccount.id, debitsPending: -hold.amount, debitsPosted: posted },
          { accountId: hold.creditAccount.id, creditsPending: -hold.amount, creditsPosted: posted },
        ],
        accountsOf(hold),
        deferred,
      );
      return true;
    },
    async claimExpired(now, limit) {
      const ids = await tx.$queryRawUnsafe<Array<{ id: string }>>(
        `SELECT t.id FROM transfer t WHERE t.kind = 'hold' AND t.timeout_at <= $1
           AND NOT EXISTS (SELECT 1 FROM transfer r WHERE r.pending_id = t.id)
         ORDER BY t.timeout_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        now,
        limit,
      );
      if (ids.length === 0) return [];
      const rows = await tx.$queryRawUnsafe<HoldRow[]>(`${HOLD_ROWS} WHERE t.id = ANY($1::text[])`, ids.map((row) => row.id));
      return [...new Set(rows.map((row) => row.id))].map((id) => toHold(rows.filter((row) => row.id === id))).filter((hold): hold is Hold => hold !== null);
    },
  };
}
