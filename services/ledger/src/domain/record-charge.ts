import { LedgerEntryRecorded } from '@platform/shared/events/catalog';
import { feeFor } from './fees.ts';
import type { Account, LedgerContext } from './ports.ts';
import { credit, debit } from './transfers.ts';

export interface ChargeCommand {
  paymentId: string;
  orderId: string;
  customerId: string | null;
  merchantId: string | null;
  amountMinor: number;
  currency: string;
}

/** The platform's own accounts in a currency, and the merchant's payable (suspense if unknown). */
async function chargeAccounts(context: LedgerContext, merchantId: string | null, currency: string) {
  const clearing = await context.store.openAccount({ type: 'psp_clearing', ownerKey: '', currency });
  const fees = await context.store.openAccount({ type: 'fee_revenue', ownerKey: '', currency });
  const payable = merchantId ? await context.store.openAccount({ type: 'merchant_payable', ownerKey: merchantId, currency }) : await context.store.openAccount({ type: 'suspense', ownerKey: '', currency });
  return { clearing, fees, payable };
}

const byId = (...accounts: Account[]) => new Map(accounts.map((account) => [account.id, account]));

/**
 * A card charge, once per payment (`charge:<paymentId>`): the card processor owes us the amount
 * (clearing debited), the merchant is owed it less the platform fee, the fee is revenue. A
 * charge for a merchant the ledger cannot name goes to suspense for reconciliation.
 */
export async function recordCharge(context: LedgerContext, command: ChargeCommand): Promise<boolean> {
  const amount = BigInt(command.amountMinor);
  const { clearing, fees, payable } = await chargeAccounts(context, command.merchantId, command.currency);
  const fee = command.merchantId ? feeFor(amount, await context.store.feeSchedule(command.merchantId)) : 0n;
  const id = `charge:${command.paymentId}`;
  const postings = [debit(clearing.id, command.currency, amount), ...(amount > fee ? [credit(payable.id, command.currency, amount - fee)] : []), ...(fee > 0n ? [credit(fees.id, command.currency, fee)] : [])];
  const recorded = await context.store.recordTransfer(
    { id, kind: 'charge', reversesId: null, orderId: command.orderId, customerId: command.customerId, merchantId: command.merchantId, ...context.cause, postings },
    byId(clearing, fees, payable),
  );
  if (recorded) {
    await context.publish([{ definition: LedgerEntryRecorded, subject: command.orderId, data: { orderId: command.orderId, transferId: id, kind: 'charge', amountMinor: command.amountMinor, currency: command.currency } }]);
  }
  return recorded;
}
