/** What the ledger's use cases need from storage, as plain data. data-access/ implements it. */
import type { NewEvent } from '@platform/shared/envelope';
import type { FeeSchedule } from './fees.ts';
import type { Posting } from './transfers.ts';

export const ACCOUNT_TYPES = ['customer_wallet', 'merchant_payable', 'fee_revenue', 'psp_clearing', 'refunds_payable', 'suspense'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

/** A wallet can never go below zero; the platform's own accounts may go either way. */
export type BalanceRule = 'credits_cover_debits' | 'none';

export interface AccountKey {
  type: AccountType;
  /** The customer or merchant id; "" for the platform's own accounts. */
  ownerKey: string;
  currency: string;
}

export interface Account extends AccountKey {
  id: string;
  rule: BalanceRule;
  slots: number;
}

export interface NewTransfer {
  id: string;
  kind: 'charge' | 'refund';
  reversesId: string | null;
  orderId: string | null;
  customerId: string | null;
  merchantId: string | null;
  eventId: string | null;
  correlationId: string | null;
  postings: Posting[];
}

/** A recorded charge, as much as a refund needs to know of it. */
export interface RecordedCharge {
  id: string;
  currency: string;
  amount: bigint;
  fee: bigint;
  payableAccountId: string;
  clearingAccountId: string;
  feeAccountId: string;
}

export interface LedgerStore {
  /** Opens the account if it is not open yet; either way returns it. */
  openAccount(key: AccountKey): Promise<Account>;
  feeSchedule(merchantId: string | null): Promise<FeeSchedule>;
  /**
   * Writes the transfer, its postings and the balance changes, or nothing: false when a transfer
   * with this id exists already; throws when a balance rule would be broken.
   */
  recordTransfer(transfer: NewTransfer, accounts: ReadonlyMap<string, Account>): Promise<boolean>;
  /** Serializes refunds of one charge for the rest of the transaction. */
  lockCharge(chargeId: string): Promise<void>;
  findCharge(chargeId: string): Promise<RecordedCharge | null>;
  /** What the refunds recorded so far gave back, in total. */
  refundedSoFar(chargeId: string): Promise<bigint>;
}

export interface LedgerContext {
  store: LedgerStore;
  publish(events: readonly NewEvent[]): Promise<void>;
  /** The event being recorded: its id and correlation id are kept on the transfer. */
  cause: { eventId: string; correlationId: string };
}
