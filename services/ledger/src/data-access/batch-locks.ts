/**
 * A consumer batch's wallet balance rows, locked first and in one order (ConsumerOptions.
 * lockBatchRows). A wallet's row is moved where a transfer is decided (balances.ts), so in
 * arrival order: two batches holding top-ups or captures for the same two customers in opposite
 * orders each locked one wallet and waited for the other's — a deadlock PostgreSQL breaks after
 * 1 s by failing a batch. Locked here in one sorted statement, they queue instead. The shared
 * free rows need no lock here: they are written last, sorted, already (DeferredBalances).
 * A wallet with no balance row yet (its first top-up) is not locked: its row is inserted by the
 * handler, as before.
 */
import type { Envelope } from '@platform/shared/envelope';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import { uuidsNamed } from '@platform/shared/consumer/batch-rows';
import { InventoryCommitted, WalletToppedUp } from '@platform/shared/events/catalog';
import { walletHoldId } from '../domain/wallet-payments.ts';

export async function lockWalletsOfBatch(tx: SqlTransaction, envelopes: readonly Envelope[]): Promise<void> {
  // A top-up names its customer; a wallet order's stock committed names the order, whose hold
  // names the wallet. Nothing else moves a wallet's row first: a card's payment.succeeded, say,
  // names an order too, but looking for its hold would only find none.
  const customers = uuidsNamed(envelopes, 'customerId', WalletToppedUp.type);
  const holds = uuidsNamed(envelopes, 'orderId', InventoryCommitted.type).map((orderId) => walletHoldId(`charge:${orderId}`));
  if (customers.length === 0 && holds.length === 0) return;
  await tx.$queryRawUnsafe(
    `SELECT 1 FROM account_balance WHERE account_id IN (
        SELECT id FROM account WHERE type = 'customer_wallet' AND owner_key = ANY($1::text[])
        UNION SELECT p.account_id FROM ledger_posting p JOIN account a ON a.id = p.account_id WHERE p.transfer_id = ANY($2::text[]) AND a.type = 'customer_wallet')
      ORDER BY account_id, slot FOR UPDATE`,
    customers,
    holds,
  );
}
