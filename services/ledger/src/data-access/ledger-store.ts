/**
 * The ledger on one transaction. A transfer is one INSERT that does nothing when its id exists
 * (so recording twice is a no-op and concurrent duplicates wait for the first), then its
 * postings, then the balance rows (balances.ts).
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '@platform/shared/errors';
import type { Account, AccountKey, BalanceRule, LedgerStore } from '../domain/ports.ts';
import type { FeeSchedule } from '../domain/fees.ts';
import { assertBalanced } from '../domain/transfers.ts';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import { applyBalanceDeltas, type DeferredBalances } from './balances.ts';
import { accountKeyOf, type AccountCache } from './account-cache.ts';

export interface LedgerSettings {
  defaultFee: FeeSchedule;
  /** Balance rows of a hot account (fee revenue, clearing). */
  hotAccountSlots: number;
  /** Accounts known committed, shared by the process's transactions (none: every open reads). */
  accounts?: AccountCache;
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

/** `deferred`: free balance rows are written at the transaction's end (balances.ts), not per transfer. */
export function ledgerStore(tx: SqlTransaction, settings: LedgerSettings, deferred?: DeferredBalances): LedgerStore {
  // Accounts this transaction inserted: a later read in it finds them, uncommitted.
  const openedHere = new Set<string>();
  return {
    // Nearly always open already: remembered, or one read. Only a first use inserts (racing openers do nothing).
    async openAccount(key) {
      const known = settings.accounts?.get(key);
      if (known) return known;
      const find = () => tx.$queryRawUnsafe<AccountRow[]>('SELECT id, type, owner_key, currency, rule, slots FROM account WHERE type = $1 AND owner_key = $2 AND currency = $3', key.type, key.ownerKey, key.currency);
      const [open] = await find();
      if (open) {
        const account = toAccount(open);
        // Not inserted by this transaction: committed by another, so it can be remembered.
        if (!openedHere.has(accountKeyOf(key))) settings.accounts?.rememberCommitted(account);
        return account;
      }
      openedHere.add(accountKeyOf(key));
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
      const [row] = await find();
      if (!row) throw new AppError('internal', 'an account vanished after it was opened');
      return toAccount(row);
    },
    async feeSchedule(merchantId) {
      // Read for every charge: raw SQL (Prisma compiles each model query anew).
      const rows = merchantId ? await tx.$queryRawUnsafe<Array<{ bps: number; fixedMinor: bigint }>>('SELECT bps, fixed_minor AS "fixedMinor" FROM merchant_fee WHERE merchant_id = $1::uuid', merchantId) : [];
      return rows[0] ? { bps: rows[0].bps, fixedMinor: BigInt(rows[0].fixedMinor) } : settings.defaultFee;
    },
    async recordTransfer(transfer, accounts) {
      assertBalanced(transfer.postings);
      const { postings } = transfer;
      // The transfer and its postings in one statement; nothing when the transfer is already there.
      const [row] = await tx.$queryRawUnsafe<Array<{ inserted: number }>>(
        `WITH inserted AS (
           INSERT INTO transfer (id, kind, reverses_id, order_id, customer_id, merchant_id, event_id, correlation_id)
           VALUES ($1, $2, $3, $4::uuid, $5::uuid, $6::uuid, $7, $8) ON CONFLICT (id) DO NOTHING RETURNING id),
         posted AS (
           INSERT INTO ledger_posting (transfer_id, account_id, currency, debit_minor, credit_minor)
           SELECT inserted.id, posting.* FROM inserted, unnest($9::uuid[], $10::text[], $11::bigint[], $12::bigint[]) AS posting RETURNING 1)
         SELECT count(*)::int AS inserted FROM inserted`,
        transfer.id,
        transfer.kind,
        transfer.reversesId,
        transfer.orderId,
        transfer.customerId,
        transfer.merchantId,
        transfer.eventId,
        transfer.correlationId,
        postings.map((posting) => posting.accountId),
        postings.map((posting) => posting.currency),
        postings.map((posting) => posting.debitMinor),
        postings.map((posting) => posting.creditMinor),
      );
      if (row?.inserted !== 1) return false;
      await applyBalanceDeltas(tx, postings.map((posting) => ({ accountId: posting.accountId, debitsPosted: posting.debitMinor, creditsPosted: posting.creditMinor })), accounts, deferred);
      return true;
    },
    async lockCharge(chargeId) {
      await tx.$executeRawUnsafe("SELECT pg_advisory_xact_lock(hashtextextended('charge:' || $1, 0))", chargeId);
    },
    async findTransfer(id) {
      const [transfer] = await tx.$queryRawUnsafe<Array<{ kind: string; orderId: string | null; customerId: string | null; merchantId: string | null }>>(
        'SELECT kind, order_id::text AS "orderId", customer_id::text AS "customerId", merchant_id::text AS "merchantId" FROM transfer WHERE id = $1',
        id,
      );
      if (!transfer) return null;
      const postings = await tx.$queryRawUnsafe<Array<{ accountId: string; currency: string; debitMinor: bigint; creditMinor: bigint }>>(
        'SELECT account_id::text AS "accountId", currency, debit_minor AS "debitMinor", credit_minor AS "creditMinor" FROM ledger_posting WHERE transfer_id = $1 AND NOT pending ORDER BY id',
        id,
      );
      const rows = await tx.$queryRawUnsafe<AccountRow[]>('SELECT id, type, owner_key, currency, rule, slots FROM account WHERE id = ANY($1::uuid[])', postings.map((posting) => posting.accountId));
      return { ...transfer, postings: postings.map((posting) => ({ ...posting, debitMinor: BigInt(posting.debitMinor), creditMinor: BigInt(posting.creditMinor) })), accounts: rows.map(toAccount) };
    },
    async refundedSoFar(chargeId, returnedTo = 'psp_clearing') {
      const [row] = await tx.$queryRawUnsafe<Array<{ total: bigint }>>(
        `SELECT COALESCE(sum(p.credit_minor), 0)::bigint AS total FROM transfer t JOIN ledger_posting p ON p.transfer_id = t.id JOIN account a ON a.id = p.account_id
         WHERE t.reverses_id = $1 AND t.kind = 'refund' AND a.type = $2`,
        chargeId,
        returnedTo,
      );
      return row?.total ?? 0n;
    },
  };
}
