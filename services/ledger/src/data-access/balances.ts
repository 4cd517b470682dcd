/**
 * Balance rows move in the same transaction as the postings. A hot account's change goes to a
 * random slot row (reads sum the slots); a wallet's single row changes only through a guarded
 * UPDATE that keeps posted and pending debits covered by credits.
 *
 * Lock order: a transaction changes its ruled rows (wallets) first, where the transfer is
 * decided, and its free rows (merchants, clearing, fees: shared by every charge) last, in one
 * statement sorted by (account, slot). A consumer's batch defers every transfer's free rows to
 * that one closing statement (`DeferredBalances`): with one statement per transfer instead, two
 * batches — or a batch and a lone charge's one statement — each took their rows in their own
 * transfers' order and deadlocked (measured: about one a second at 35 orders/s, each holding
 * the merchant's row for PostgreSQL's 1 s deadlock timeout).
 */
import { randomInt } from 'node:crypto';
import { AppError } from '@platform/shared/errors';
import type { Account } from '../domain/ports.ts';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';

export interface BalanceDelta {
  accountId: string;
  debitsPosted?: bigint;
  creditsPosted?: bigint;
  debitsPending?: bigint;
  creditsPending?: bigint;
}

export interface BalanceRow {
  accountId: string;
  slot: number;
  ruled: boolean;
  values: [bigint, bigint, bigint, bigint];
}

/** The balance rows a set of deltas moves, one per (account, slot), in the order they are locked. */
export function balanceRows(deltas: readonly BalanceDelta[], accounts: ReadonlyMap<string, Account>): BalanceRow[] {
  const rows = new Map<string, BalanceRow>();
  for (const delta of deltas) {
    const account = accounts.get(delta.accountId);
    if (!account) throw new AppError('internal', `a balance change for an account that was not opened: ${delta.accountId}`);
    const slot = account.slots > 1 ? randomInt(account.slots) : 0;
    const key = `${account.id}:${slot}`;
    const row = rows.get(key) ?? { accountId: account.id, slot, ruled: account.rule === 'credits_cover_debits', values: [0n, 0n, 0n, 0n] };
    row.values = [row.values[0] + (delta.debitsPosted ?? 0n), row.values[1] + (delta.creditsPosted ?? 0n), row.values[2] + (delta.debitsPending ?? 0n), row.values[3] + (delta.creditsPending ?? 0n)];
    rows.set(key, row);
  }
  return [...rows.values()].sort(byAccountAndSlot);
}

function byAccountAndSlot(a: BalanceRow, b: BalanceRow): number {
  return a.accountId === b.accountId ? a.slot - b.slot : a.accountId < b.accountId ? -1 : 1;
}

/** Adds unruled rows' changes (a row not there yet is inserted), bound through `param`; only where `gate` holds. */
export function freeBalancesUpsert(free: readonly BalanceRow[], param: (value: unknown) => string, gate = 'true'): string {
  const column = (index: number) => param(free.map((row) => row.values[index]!));
  return `INSERT INTO account_balance (account_id, slot, debits_posted, credits_posted, debits_pending, credits_pending)
       SELECT * FROM unnest(${param(free.map((row) => row.accountId))}::uuid[], ${param(free.map((row) => row.slot))}::int[], ${column(0)}::bigint[], ${column(1)}::bigint[], ${column(2)}::bigint[], ${column(3)}::bigint[])
       WHERE ${gate}
       ON CONFLICT (account_id, slot) DO UPDATE SET
         debits_posted = account_balance.debits_posted + EXCLUDED.debits_posted, credits_posted = account_balance.credits_posted + EXCLUDED.credits_posted,
         debits_pending = account_balance.debits_pending + EXCLUDED.debits_pending, credits_pending = account_balance.credits_pending + EXCLUDED.credits_pending`;
}

async function upsertFree(tx: SqlTransaction, free: readonly BalanceRow[]): Promise<void> {
  if (free.length === 0) return;
  const values: unknown[] = [];
  await tx.$executeRawUnsafe(freeBalancesUpsert(free, (value) => `$${values.push(value)}`), ...values);
}

/** Free rows' changes gathered over a transaction, written by one sorted statement at its end. */
export class DeferredBalances {
  private readonly rows = new Map<string, BalanceRow>();

  add(free: readonly BalanceRow[]): void {
    for (const row of free) {
      const key = `${row.accountId}:${row.slot}`;
      const known = this.rows.get(key);
      if (!known) this.rows.set(key, { ...row, values: [...row.values] });
      else known.values = [known.values[0] + row.values[0], known.values[1] + row.values[1], known.values[2] + row.values[2], known.values[3] + row.values[3]];
    }
  }

  async flush(tx: SqlTransaction): Promise<void> {
    const rows = [...this.rows.values()].sort(byAccountAndSlot);
    this.rows.clear();
    await upsertFree(tx, rows);
  }
}

/** Ruled rows now (they may refuse); free rows now, or at the transaction's end when `deferred` is given. */
export async function applyBalanceDeltas(tx: SqlTransaction, deltas: readonly BalanceDelta[], accounts: ReadonlyMap<string, Account>, deferred?: DeferredBalances): Promise<void> {
  const ordered = balanceRows(deltas, accounts);
  for (const row of ordered.filter((item) => item.ruled)) {
    await tx.$executeRawUnsafe('INSERT INTO account_balance (account_id, slot) VALUES ($1::uuid, 0) ON CONFLICT DO NOTHING', row.accountId);
    const [dp, cp, dq, cq] = row.values;
    const applied = await tx.$executeRawUnsafe(
      `UPDATE account_balance SET debits_posted = debits_posted + $2, credits_posted = credits_posted + $3, debits_pending = debits_pending + $4, credits_pending = credits_pending + $5
       WHERE account_id = $1::uuid AND slot = 0 AND (credits_posted + $3) - (debits_posted + $2) - (debits_pending + $4) >= 0`,
      row.accountId,
      dp,
      cp,
      dq,
      cq,
    );
    if (applied === 0) throw new AppError('unprocessable', `insufficient funds in account ${row.accountId}`);
  }
  const free = ordered.filter((row) => !row.ruled);
  if (deferred) deferred.add(free);
  else await upsertFree(tx, free);
}
