import { LedgerEntryRecorded } from '@platform/shared/events/catalog';
import { feeFor } from './fees.ts';
import type { NewEvent } from '@platform/shared/envelope';
import type { Account, LedgerContext, LedgerStore, NewTransfer } from './ports.ts';
import { assertBalanced, credit, debit } from './transfers.ts';

export interface ChargeCommand {
  paymentId: string;
  orderId: string;
  customerId: string | null;
  merchantId: string | null;
  amountMinor: number;
  currency: string;
}

/** The platform's own accounts in a currency, and the merchant's payable (suspense if unknown). */
async function chargeAccounts(store: Pick<LedgerStore, 'openAccount'>, merchantId: string | null, currency: string) {
  const clearing = await store.openAccount({ type: 'psp_clearing', ownerKey: '', currency });
  const fees = await store.openAccount({ type: 'fee_revenue', ownerKey: '', currency });
  const payable = merchantId ? await store.openAccount({ type: 'merchant_payable', ownerKey: merchantId, currency }) : await store.openAccount({ type: 'suspense', ownerKey: '', currency });
  return { clearing, fees, payable };
}

const byId = (...accounts: Account[]) => new Map(accounts.map((account) => [account.id, account]));

/** A charge's transfer, the accounts it moves and what announces it, as `recordCharge` records them. */
export interface ChargePlan {
  transfer: NewTransfer;
  accounts: Map<string, Account>;
  announcement: NewEvent;
}

/**
 * A card charge, once per payment (`charge:<paymentId>`): the card processor owes us the amount
 * (clearing debited), the merchant is owed it less the platform fee, the fee is revenue. A
 * charge for a merchant the ledger cannot name goes to suspense for reconciliation.
 */
export async function planCharge(store: Pick<LedgerStore, 'openAccount' | 'feeSchedule'>, cause: LedgerContext['cause'], command: ChargeCommand): Promise<ChargePlan> {
  const amount = BigInt(command.amountMinor);
  const { clearing, fees, payable } = await chargeAccounts(store, command.merchantId, command.currency);
  const fee = command.merchantId ? feeFor(amount, await store.feeSchedule(command.merchantId)) : 0n;
  const id = `charge:${command.paymentId}`;
  const postings = [debit(clearing.id, command.currency, amount), ...(amount > fee ? [credit(payable.id, command.currency, amount - fee)] : []), ...(fee > 0n ? [credit(fees.id, command.currency, fee)] : [])];
  assertBalanced(postings);
  return {
    transfer: { id, kind: 'charge', reversesId: null, orderId: command.orderId, customerId: command.customerId, merchantId: command.merchantId, ...cause, postings },
    accounts: byId(clearing, fees, payable),
    announcement: { definition: LedgerEntryRecorded, subject: command.orderId, data: { orderId: command.orderId, transferId: id, kind: 'charge', amountMinor: command.amountMinor, currency: command.currency } },
  };
}

export async function recordCharge(context: LedgerContext, command: ChargeCommand): Promise<boolean> {
  const plan = await planCharge(context.store, context.cause, command);
  const recorded = await context.store.recordTransfer(plan.transfer, plan.accounts);
  if (recorded) await context.publish([plan.announcement]);
  return recorded;
}
