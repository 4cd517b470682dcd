import type { PrismaClient } from './generated/client.ts';

/** Read side: balances and totals derived from postings, never stored. */
export type LedgerQueries = ReturnType<typeof ledgerQueries>;

export function ledgerQueries(client: PrismaClient) {
  return {
    trialBalance: () => trialBalance(client),
    accountBalances: () => accountBalances(client),
    entriesForOrder: (orderId: string, owner: { customerId?: string; merchantId?: string }) => entriesForOrder(client, orderId, owner),
  };
}

interface TotalsRow {
  currency: string;
  debits: bigint;
  credits: bigint;
}

async function trialBalance(client: PrismaClient) {
  const rows = await client.$queryRawUnsafe<TotalsRow[]>(
    'SELECT currency, COALESCE(sum(debit_minor), 0)::bigint AS debits, COALESCE(sum(credit_minor), 0)::bigint AS credits FROM posting GROUP BY currency ORDER BY currency',
  );
  const currencies = rows.map((row) => ({ currency: row.currency, debitsMinor: Number(row.debits), creditsMinor: Number(row.credits), balanced: row.debits === row.credits }));
  return { balanced: currencies.every((row) => row.balanced), currencies };
}

async function accountBalances(client: PrismaClient) {
  const rows = await client.$queryRawUnsafe<Array<TotalsRow & { account: string }>>(
    'SELECT account, currency, sum(debit_minor)::bigint AS debits, sum(credit_minor)::bigint AS credits FROM posting GROUP BY account, currency ORDER BY account, currency',
  );
  return rows.map((row) => ({ account: row.account, currency: row.currency, balanceMinor: Number(row.debits - row.credits) }));
}

async function entriesForOrder(client: PrismaClient, orderId: string, owner: { customerId?: string; merchantId?: string }) {
  const entries = await client.journalEntry.findMany({ where: { orderId, ...owner }, include: { postings: { orderBy: { id: 'asc' } } }, orderBy: { createdAt: 'asc' } });
  return entries.map((entry) => ({
    id: entry.id,
    orderId: entry.orderId,
    kind: entry.kind,
    currency: entry.currency,
    createdAt: entry.createdAt.toISOString(),
    postings: entry.postings.map((posting) => ({ account: posting.account, debitMinor: Number(posting.debitMinor), creditMinor: Number(posting.creditMinor) })),
  }));
}
