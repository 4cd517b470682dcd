/**
 * The ledger on one transaction. A transfer is one INSERT that does nothing when its id exists
 * (so recording twice is a no-op and concurrent duplicates wait for the first), then its
 * postings, then the balance rows. A hot account's balance is spread over several slot rows and
 * each transfer adds to a random one, so concurrent payments do not queue on one row lock; a
 * rule-bound account (a wallet) has one row, changed only by a conditional UPDATE that keeps it
 * covered. Balance rows are touched in (account, slot) order, so transfers cannot deadlock.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { AppError } from '@platform/shared/errors';
import type { Account, AccountKey, BalanceRule, LedgerStore } from '../domain/ports.ts';
import type { FeeSchedule } from '../domain/fees.ts';
import { assertBalanced } from '../domain/transfers.ts';
import type { Tx } from './database.ts';

export interface LedgerSettings {
  defaultFee: FeeSchedule;
  /** Balance rows of a hot account (fee revenue, clearing). */
  hotAccountSlots: number;
}

const HOT: ReadonlySet<string> = new Set(['fee_revenue', 'psp_clearing']);
const RULES: Record<AccountKey['type'], BalanceRule> = {
  customer_wallet: 'credits_cover_debits',
  merchant_payable: 'none',
  fee_revenue: 'none',
  psp_clearing: 'none',
  refunds_payable: 'none',
  suspense: 'none',
};

interface AccountRow {
  id: string;
  type: string;
  owner_key: string;
  currency: string;
  rule: string;
  slots: number;
}

const toAccount = (row: AccountRow): Account => ({ id: row.id, type: row.type as Account['type'], ownerKey: row.owner_key, currency: row.currency, rule: row.rule as BalanceRule, slots: row.slots });

export function ledgerStore(tx: Tx, settings: LedgerSettings): LedgerStore {
  return {
    async openAccount(key) {
      const slots = HOT.has(key.type) ? settings.hotAccountSlots : 1;
      await tx.$executeRawUnsafe(
        'INSERT INTO account (id, type, owner_key, currency, rule, slots) VALUES ($1::uuid, $2, $3, $4, $5, $6) ON CONFLICT (type, owner_key, currency) DO NOTHING',
        randomUUID(),
        key.type,
        key.ownerKey,
        key.currency,
        RULES[key.type],
        slots,
      );
      const [row] = await tx.$queryRawUnsafe<AccountRow[]>('SELECT id, type, owner_key, currency, rule, slots FROM account WHERE type = $1 AND owner_key = $2 AND currency = $3', key.type, key.ownerKey, key.currency);
      if (!row) throw new AppError('internal', 'an account vanished after it was opened');
      return toAccount(row);
    },
    async feeSchedule(merchantId) {
      const row = merchantId ? await tx.merchantFee.findUnique({ where: { merchantId } }) : null;
      return row ? { bps: row.bps, fixedMinor: row.fixedMinor } : settings.defaultFee;
    },
    async recordTransfer(transfer, accounts) {
      assertBalanced(transfer.postings);
      const inserted = await tx.$executeRawUnsafe(
        `INSERT INTO transfer (id, kind, reverses_id, order_id, customer_id, merchant_id, event_id, correlation_id)
         VALUES ($1, $2, $3, $4::uuid, $5::uuid, $6::uuid, $7, $8) ON CONFLICT (id) DO NOTHING`,
        transfer.id,
        transfer.kind,
        transfer.reversesId,
        transfer.orderId,
        transfer.customerId,
        transfer.merchantId,
        transfer.eventId,
        transfer.correlationId,
      );
      if (inserted === 0) return false;
      const { postings } = transfer;
      await tx.$executeRawUnsafe(
        'INSERT INTO ledger_posting (transfer_id, account_id, currency, debit_minor, credit_minor) SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::bigint[], $5::bigint[])',
        transfer.id,
        postings.map((posting) => posting.accountId),
        postings.map((posting) => posting.currency),
        postings.map((posting) => posting.debitMinor),
        postings.map((posting) => posting.creditMinor),
      );
      await applyToBalances(tx, postings, accounts);
      return true;
    },
    async lockCharge(chargeId) {
      await tx.$executeRawUnsafe("SELECT pg_advisory_xact_lock(hashtextextended('charge:' || $1, 0))", chargeId);
    },
    async findCharge(chargeId) {
      const rows = await tx.$queryRawUnsafe<Array<{ account_id: string; type: string; currency: string; debit_minor: bigint; credit_minor: bigint }>>(
        'SELECT p.account_id, a.type, p.currency, p.debit_minor, p.credit_minor FROM ledger_posting p JOIN account a ON a.id = p.account_id WHERE p.transfer_id = $1',
        chargeId,
      );
      const clearing = rows.find((row) => row.type === 'psp_clearing');
      if (!clearing) return null;
      const fee = rows.find((row) => row.type === 'fee_revenue');
      const payable = rows.find((row) => row.type === 'merchant_payable' || row.type === 'suspense');
      return {
        id: chargeId,
        currency: clearing.currency,
        amount: clearing.debit_minor,
        fee: fee?.credit_minor ?? 0n,
        clearingAccountId: clearing.account_id,
        feeAccountId: fee?.account_id ?? '',
        payableAccountId: payable?.account_id ?? '',
      };
    },
    async refundedSoFar(chargeId) {
      const [row] = await tx.$queryRawUnsafe<Array<{ total: bigint }>>(
        `SELECT COALESCE(sum(p.credit_minor), 0)::bigint AS total FROM transfer t JOIN ledger_posting p ON p.transfer_id = t.id JOIN account a ON a.id = p.account_id
         WHERE t.reverses_id = $1 AND t.kind = 'refund' AND a.type = 'psp_clearing'`,
        chargeId,
      );
      return row?.total ?? 0n;
    },
  };
}

/** Adds the postings to balance rows: one statement for free accounts, a guarded UPDATE for ruled ones. */
async function applyToBalances(tx: Tx, postings: NewTransferPostings, accounts: ReadonlyMap<string, Account>): Promise<void> {
  const changes = new Map<string, { accountId: string; slot: number; debit: bigint; credit: bigint; ruled: boolean }>();
  for (const posting of postings) {
    const account = accounts.get(posting.accountId);
    if (!account) throw new AppError('internal', `posting to an account that was not opened: ${posting.accountId}`);
    const slot = account.slots > 1 ? randomInt(account.slots) : 0;
    const key = `${account.id}:${slot}`;
    const change = changes.get(key) ?? { accountId: account.id, slot, debit: 0n, credit: 0n, ruled: account.rule === 'credits_cover_debits' };
    change.debit += posting.debitMinor;
    change.credit += posting.creditMinor;
    changes.set(key, change);
  }
  const ordered = [...changes.values()].sort((a, b) => (a.accountId === b.accountId ? a.slot - b.slot : a.accountId < b.accountId ? -1 : 1));
  const free = ordered.filter((change) => !change.ruled);
  if (free.length > 0) {
    await tx.$executeRawUnsafe(
      `INSERT INTO account_balance (account_id, slot, debits_posted, credits_posted)
       SELECT * FROM unnest($1::uuid[], $2::int[], $3::bigint[], $4::bigint[])
       ON CONFLICT (account_id, slot) DO UPDATE SET debits_posted = account_balance.debits_posted + EXCLUDED.debits_posted,
                                                   credits_posted = account_balance.credits_posted + EXCLUDED.credits_posted`,
      free.map((change) => change.accountId),
      free.map((change) => change.slot),
      free.map((change) => change.debit),
      free.map((change) => change.credit),
    );
  }
  for (const change of ordered.filter((item) => item.ruled)) {
    await tx.$executeRawUnsafe('INSERT INTO account_balance (account_id, slot) VALUES ($1::uuid, 0) ON CONFLICT DO NOTHING', change.accountId);
    const applied = await tx.$executeRawUnsafe(
      `UPDATE account_balance SET debits_posted = debits_posted + $2, credits_posted = credits_posted + $3
       WHERE account_id = $1::uuid AND slot = 0 AND credits_posted + $3 - debits_posted - debits_pending - $2 >= 0`,
      change.accountId,
      change.debit,
      change.credit,
    );
    if (applied === 0) throw new AppError('unprocessable', `insufficient funds in account ${change.accountId}`);
  }
}

type NewTransferPostings = Parameters<LedgerStore['recordTransfer']>[0]['postings'];
