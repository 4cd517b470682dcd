/**
 * Read side: balances (summed over a hot account's slot rows), statements with a running
 * balance, transfers per order, and the trial balance from the immutable postings.
 */
import type { PrismaClient } from './generated/client.ts';

export type LedgerQueries = ReturnType<typeof ledgerQueries>;

interface BalanceRow {
  id: string;
  type: string;
  owner_key: string;
  currency: string;
  debits_posted: bigint;
  credits_posted: bigint;
  debits_pending: bigint;
}

/** Posted = credits − debits (what the account holds, seen from its owner); available = posted − pending debits. */
const accountView = (row: BalanceRow) => {
  const posted = row.credits_posted - row.debits_posted;
  return {
    id: row.id,
    type: row.type,
    ownerId: row.owner_key || null,
    currency: row.currency,
    posted: Number(posted),
    pending: Number(row.debits_pending),
    available: Number(posted - row.debits_pending),
    debitsPosted: Number(row.debits_posted),
    creditsPosted: Number(row.credits_posted),
  };
};

const BALANCES = `SELECT a.id, a.type, a.owner_key, a.currency,
    COALESCE(sum(b.debits_posted), 0)::bigint AS debits_posted, COALESCE(sum(b.credits_posted), 0)::bigint AS credits_posted,
    COALESCE(sum(b.debits_pending), 0)::bigint AS debits_pending
  FROM account a LEFT JOIN account_balance b ON b.account_id = a.id`;

export function ledgerQueries(client: PrismaClient) {
  return {
    /** What each named transfer moved (its posted debits) and in which currency; unknown ids are absent. */
    async transferAmounts(ids: readonly string[]) {
      const rows = await client.$queryRawUnsafe<Array<{ transfer_id: string; currency: string; moved: bigint }>>(
        'SELECT transfer_id, min(currency) AS currency, sum(debit_minor)::bigint AS moved FROM ledger_posting WHERE transfer_id = ANY($1::text[]) AND NOT pending GROUP BY transfer_id',
        ids,
      );
      return rows.map((row) => ({ id: row.transfer_id, amountMinor: Number(row.moved), currency: row.currency }));
    },
    async trialBalance() {
      const rows = await client.$queryRawUnsafe<Array<{ currency: string; debits: bigint; credits: bigint }>>(
        'SELECT currency, COALESCE(sum(debit_minor), 0)::bigint AS debits, COALESCE(sum(credit_minor), 0)::bigint AS credits FROM ledger_posting WHERE NOT pending GROUP BY currency ORDER BY currency',
      );
      const currencies = rows.map((row) => ({ currency: row.currency, debitsMinor: Number(row.debits), creditsMinor: Number(row.credits), balanced: row.debits === row.credits }));
      return { balanced: currencies.every((row) => row.balanced), currencies };
    },
    async accounts(filter: { type?: string | undefined; ownerKey?: string | undefined }) {
      const rows = await client.$queryRawUnsafe<BalanceRow[]>(
        `${BALANCES} WHERE ($1::text IS NULL OR a.type = $1) AND ($2::text IS NULL OR a.owner_key = $2) GROUP BY a.id ORDER BY a.type, a.owner_key, a.currency LIMIT 500`,
        filter.type ?? null,
        filter.ownerKey ?? null,
      );
      return rows.map(accountView);
    },
    async account(id: string) {
      const [row] = await client.$queryRawUnsafe<BalanceRow[]>(`${BALANCES} WHERE a.id = $1::uuid GROUP BY a.id`, id);
      return row ? accountView(row) : null;
    },
    /** Newest first; `running` is the posted balance right after each posting. */
    async statement(id: string, page: { limit: number; before?: bigint | undefined }) {
      const rows = await client.$queryRawUnsafe<Array<{ id: bigint; transfer_id: string; kind: string; debit_minor: bigint; credit_minor: bigint; running: bigint; created_at: Date }>>(
        `SELECT * FROM (
           SELECT p.id, p.transfer_id, t.kind, p.debit_minor, p.credit_minor, t.created_at,
                  sum(p.credit_minor - p.debit_minor) OVER (ORDER BY p.id)::bigint AS running
           FROM ledger_posting p JOIN transfer t ON t.id = p.transfer_id WHERE p.account_id = $1::uuid AND NOT p.pending) AS lines
         WHERE $2::bigint IS NULL OR id < $2 ORDER BY id DESC LIMIT $3`,
        id,
        page.before ?? null,
        page.limit,
      );
      const lines = rows.map((row) => ({ postingId: String(row.id), transferId: row.transfer_id, kind: row.kind, debitMinor: Number(row.debit_minor), creditMinor: Number(row.credit_minor), runningBalance: Number(row.running), at: row.created_at.toISOString() }));
      return { lines, nextBefore: lines.length === page.limit ? lines.at(-1)!.postingId : null };
    },
    async transfersForOrder(orderId: string, owner: { customerId?: string; merchantId?: string }) {
      const transfers = await client.transfer.findMany({ where: { orderId, ...owner }, include: { postings: { orderBy: { id: 'asc' } } }, orderBy: { createdAt: 'asc' } });
      const accountIds = [...new Set(transfers.flatMap((transfer) => transfer.postings.map((posting) => posting.accountId)))];
      const accounts = new Map((await client.account.findMany({ where: { id: { in: accountIds } } })).map((account) => [account.id, account]));
      return transfers.map((transfer) => ({
        id: transfer.id,
        kind: transfer.kind,
        orderId: transfer.orderId,
        reversesId: transfer.reversesId,
        eventId: transfer.eventId,
        correlationId: transfer.correlationId,
        createdAt: transfer.createdAt.toISOString(),
        postings: transfer.postings.map((posting) => {
          const account = accounts.get(posting.accountId);
          return { accountId: posting.accountId, account: account ? [account.type, account.ownerKey].filter(Boolean).join(':') : posting.accountId, currency: posting.currency, debitMinor: Number(posting.debitMinor), creditMinor: Number(posting.creditMinor) };
        }),
      }));
    },
    async setFee(merchantId: string, bps: number, fixedMinor: bigint) {
      await client.merchantFee.upsert({ where: { merchantId }, create: { merchantId, bps, fixedMinor }, update: { bps, fixedMinor } });
    },
  };
}
