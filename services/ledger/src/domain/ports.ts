import type { NewEvent } from '@platform/shared/envelope';
import type { EntryKind, PostingLine } from './journal.ts';

export interface NewJournalEntry {
  id: string;
  orderId: string;
  customerId: string | null;
  merchantId: string | null;
  kind: EntryKind;
  currency: string;
  postings: PostingLine[];
}

export interface LedgerStore {
  /** False when the order already has an entry of this kind (entries are never changed). */
  insertEntry(entry: NewJournalEntry): Promise<boolean>;
}

export interface LedgerContext {
  store: LedgerStore;
  publish(events: readonly NewEvent[]): Promise<void>;
}
