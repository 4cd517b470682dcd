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
  kind: 'charge' | 'refund' | 'top_up' | 'reversal' | 'suspense';
  reversesId: string | null;
  orderId: string | null;
  customerId: string | null;
  merchantId: string | null;
  eventId: string | null;
  correlationId: string | null;
  postings: Posting[];
}

/** A recorded transfer's posted postings and the accounts they moved. */
export interface RecordedTransfer {
  kind: string;
  orderId: string | null;
  customerId: string | null;
  merchantId: string | null;
  postings: Posting[];
  accounts: Account[];
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
  /** What the refunds recorded so far gave back, in total. */
  refundedSoFar(chargeId: string, returnedTo?: 'psp_clearing' | 'customer_wallet'): Promise<bigint>;
  /** A recorded transfer's posted postings and their accounts, or null if there is none. */
  findTransfer(id: string): Promise<RecordedTransfer | null>;
}

export interface LedgerContext {
  store: LedgerStore;
  publish(events: readonly NewEvent[]): Promise<void>;
  /** The event being recorded: its id and correlation id are kept on the transfer. */
  cause: { eventId: string; correlationId: string };
}

/** A pending (two-phase) transfer between two accounts, as recorded. */
export interface Hold {
  id: string;
  debitAccount: Account;
  creditAccount: Account;
  currency: string;
  amount: bigint;
  timeoutAt: Date;
  /** The transfer that resolved it (post, void or expire), if any. */
  resolvedBy: string | null;
}

export interface HoldStore {
  /** false when a transfer with this id exists; throws when the debit account cannot cover it. */
  recordHold(hold: Omit<Hold, 'resolvedBy'>, cause: LedgerContext['cause']): Promise<boolean>;
  findHold(id: string): Promise<Hold | null>;
  /**
   * Resolves a hold once: posts `postAmount` (0 for a void or an expiry) and releases the rest.
   * false when something else resolved it first.
   */
  resolveHold(hold: Hold, resolution: { id: string; kind: 'post' | 'void' | 'expire'; postAmount: bigint }, cause: LedgerContext['cause']): Promise<boolean>;
  /** Unresolved holds past their timeout, locked for this transaction (others skip them). */
  claimExpired(now: Date, limit: number): Promise<Hold[]>;
}
