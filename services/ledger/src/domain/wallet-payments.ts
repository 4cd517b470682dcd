/**
 * Paying from a wallet, with the ledger as the "gateway": a hold reserves the funds when stock is
 * held (never overdrawn: the wallet's rule is checked on the hold), is posted when stock is
 * committed, voided by a compensation, and expires by itself as a last resort. A refund of a
 * posted wallet payment moves the money back from the merchant's payable to the wallet.
 */
import { AppError } from '@platform/shared/errors';
import { holdFunds, postHold, voidHold } from './holds.ts';
import type { HoldStore, LedgerContext } from './ports.ts';
import { credit, debit } from './transfers.ts';

export type HoldStatus = 'pending' | 'posted' | 'voided' | 'expired';

/** The hold that pays for an order: named by the payment's idempotency key. */
export const walletHoldId = (paymentKey: string) => `hold:${paymentKey}`;

export async function holdWalletPayment(context: LedgerContext, holds: HoldStore, command: { id: string; customerId: string; merchantId: string | null; amount: bigint; currency: string; timeoutAt: Date }): Promise<boolean> {
  const wallet = await context.store.openAccount({ type: 'customer_wallet', ownerKey: command.customerId, currency: command.currency });
  const payable = command.merchantId ? await context.store.openAccount({ type: 'merchant_payable', ownerKey: command.merchantId, currency: command.currency }) : await context.store.openAccount({ type: 'suspense', ownerKey: '', currency: command.currency });
  return holdFunds(holds, context.cause, { id: command.id, debitAccount: wallet, creditAccount: payable, amount: command.amount, timeoutAt: command.timeoutAt });
}

export async function walletHoldStatus(holds: HoldStore, id: string): Promise<{ status: HoldStatus; amount: bigint } | null> {
  const hold = await holds.findHold(id);
  if (!hold) return null;
  const kind = hold.resolvedBy?.split(':')[0];
  const status: HoldStatus = kind === 'post' ? 'posted' : kind === 'void' ? 'voided' : kind === 'expire' ? 'expired' : 'pending';
  return { status, amount: hold.amount };
}

/** Stock is committed: the order's wallet hold (if it was paid that way) becomes a transfer. */
export async function captureWalletPayment(context: LedgerContext, holds: HoldStore, id: string): Promise<boolean> {
  if (!(await holds.findHold(id))) return false; // paid another way
  return postHold(holds, context.cause, id);
}

/**
 * Gives a wallet payment back, once per refund id: a pending hold is voided (only in full: it was
 * never captured), a posted one is refunded from the merchant's payable, never beyond the hold.
 */
export async function refundWalletPayment(context: LedgerContext, holds: HoldStore, command: { holdId: string; refundId: string; amount: bigint }): Promise<'voided' | 'refunded' | 'duplicate'> {
  const hold = await holds.findHold(command.holdId);
  if (!hold) throw new AppError('not-found', `no wallet payment ${command.holdId}`);
  const status = (await walletHoldStatus(holds, command.holdId))!.status;
  if (status === 'voided' || status === 'expired') return 'duplicate';
  if (status === 'pending') {
    if (command.amount !== hold.amount) throw new AppError('conflict', 'a payment not yet captured is given back in full or not at all');
    return (await voidHold(holds, context.cause, command.holdId)) ? 'voided' : 'duplicate';
  }
  await context.store.lockCharge(command.holdId);
  const id = `refund:${command.refundId}`;
  if (await context.store.findTransfer(id)) return 'duplicate';
  const refunded = await context.store.refundedSoFar(command.holdId, 'customer_wallet');
  if (refunded + command.amount > hold.amount) throw new AppError('unprocessable', 'the refund exceeds what is left of the wallet payment');
  const postings = [debit(hold.creditAccount.id, hold.currency, command.amount), credit(hold.debitAccount.id, hold.currency, command.amount)];
  await context.store.recordTransfer(
    { id, kind: 'refund', reversesId: command.holdId, orderId: null, customerId: hold.debitAccount.ownerKey, merchantId: null, ...context.cause, postings },
    new Map([hold.debitAccount, hold.creditAccount].map((account) => [account.id, account])),
  );
  return 'refunded';
}

/** A card top-up the gateway confirmed: the processor owes us the money, the wallet is credited. */
export async function recordTopUp(context: LedgerContext, command: { topUpId: string; customerId: string; amount: bigint; currency: string }): Promise<boolean> {
  const clearing = await context.store.openAccount({ type: 'psp_clearing', ownerKey: '', currency: command.currency });
  const wallet = await context.store.openAccount({ type: 'customer_wallet', ownerKey: command.customerId, currency: command.currency });
  return context.store.recordTransfer(
    { id: `top_up:${command.topUpId}`, kind: 'top_up', reversesId: null, orderId: null, customerId: command.customerId, merchantId: null, ...context.cause, postings: [debit(clearing.id, command.currency, command.amount), credit(wallet.id, command.currency, command.amount)] },
    new Map([clearing, wallet].map((account) => [account.id, account])),
  );
}
