import { randomUUID } from 'node:crypto';
import { LedgerEntryRecorded } from '@platform/shared/events/catalog';
import { postingsFor, type EntryKind } from './journal.ts';
import type { LedgerContext } from './ports.ts';

export interface RecordEntryCommand {
  orderId: string;
  customerId: string | null;
  merchantId: string | null;
  kind: EntryKind;
  amountMinor: number;
  currency: string;
}

/** Journals a charge or a refund once per order. */
export async function recordEntry(context: LedgerContext, command: RecordEntryCommand): Promise<void> {
  const entry = { id: randomUUID(), orderId: command.orderId, customerId: command.customerId, merchantId: command.merchantId, kind: command.kind, currency: command.currency, postings: postingsFor(command.kind, BigInt(command.amountMinor)) };
  if (!(await context.store.insertEntry(entry))) return;
  await context.publish([
    { definition: LedgerEntryRecorded, subject: command.orderId, data: { orderId: command.orderId, entryId: entry.id, kind: command.kind, amountMinor: command.amountMinor, currency: command.currency } },
  ]);
}
