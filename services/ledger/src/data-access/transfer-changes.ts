/**
 * A transfer as the changes of a one-statement apply (shared/src/consumer/one-statement.ts,
 * `onlyIfChanged`): the same rows `recordTransfer` writes in a transaction — the transfer, its
 * postings, the balance rows — in one round trip instead of six. The transfer's id is its guard:
 * a copy, or a repair that recorded it first, inserts nothing and so moves nothing.
 */
import type { Account, NewTransfer } from '../domain/ports.ts';
import { assertBalanced } from '../domain/transfers.ts';
import { balanceRows, freeBalancesUpsert } from './balances.ts';

type Param = (value: unknown) => string;

/** null when an account has a balance rule: its guarded update must be able to refuse, which only the transaction does. */
export function transferChanges(transfer: NewTransfer, accounts: ReadonlyMap<string, Account>, param: Param, admitted: string): { change: string; alsoChanges: string[] } | null {
  assertBalanced(transfer.postings);
  const rows = balanceRows(
    transfer.postings.map((posting) => ({ accountId: posting.accountId, debitsPosted: posting.debitMinor, creditsPosted: posting.creditMinor })),
    accounts,
  );
  if (rows.some((row) => row.ruled)) return null;
  const uuid = (value: string | null) => `${param(value)}::uuid`;
  const { postings } = transfer;
  return {
    change: `INSERT INTO transfer (id, kind, reverses_id, order_id, customer_id, merchant_id, event_id, correlation_id)
      SELECT ${param(transfer.id)}, ${param(transfer.kind)}, ${param(transfer.reversesId)}, ${uuid(transfer.orderId)}, ${uuid(transfer.customerId)}, ${uuid(transfer.merchantId)}, ${param(transfer.eventId)}, ${param(transfer.correlationId)}
      WHERE ${admitted} ON CONFLICT (id) DO NOTHING RETURNING id`,
    alsoChanges: [
      `INSERT INTO ledger_posting (transfer_id, account_id, currency, debit_minor, credit_minor)
       SELECT changed.id, posting.* FROM changed, unnest(${param(postings.map((posting) => posting.accountId))}::uuid[], ${param(postings.map((posting) => posting.currency))}::text[],
         ${param(postings.map((posting) => posting.debitMinor))}::bigint[], ${param(postings.map((posting) => posting.creditMinor))}::bigint[]) AS posting
       WHERE ${admitted} RETURNING 1`,
      `${freeBalancesUpsert(rows, param, `EXISTS (SELECT 1 FROM changed) AND ${admitted}`)} RETURNING 1`,
    ],
  };
}
