import type { LedgerStore } from '../domain/ports.ts';
import type { Tx } from './database.ts';

export function ledgerStore(tx: Tx): LedgerStore {
  return {
    async insertEntry(entry) {
      const inserted = await tx.$executeRawUnsafe(
        'INSERT INTO journal_entry (id, order_id, customer_id, merchant_id, kind, currency) VALUES ($1::uuid, $2::uuid, $3::uuid, $4::uuid, $5, $6) ON CONFLICT (order_id, kind) DO NOTHING',
        entry.id,
        entry.orderId,
        entry.customerId,
        entry.merchantId,
        entry.kind,
        entry.currency,
      );
      if (inserted === 0) return false;
      await tx.posting.createMany({ data: entry.postings.map((line) => ({ ...line, entryId: entry.id, currency: entry.currency })) });
      return true;
    },
  };
}
