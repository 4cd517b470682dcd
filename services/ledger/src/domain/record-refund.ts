import { AppError } from '@platform/shared/errors';
import { LedgerEntryRecorded } from '@platform/shared/events/catalog';
import { splitRefund } from './fees.ts';
import type { LedgerContext } from './ports.ts';
import type { RecordedTransfer } from './ports.ts';
import { credit, debit } from './transfers.ts';

export interface RefundCommand {
  paymentId: string;
  /** The gateway's refund id; one refund per payment until partial refunds exist. */
  refundId: string | null;
  orderId: string;
  customerId: string | null;
  merchantId: string | null;
  amountMinor: number;
  currency: string;
}

/**
 * A refund reverses its charge in proportion (fees.ts has the rounding rule): the merchant and
 * fee revenue give back their shares, clearing is credited. Refunds of one charge are recorded
 * one at a time, and together never exceed it.
 */
export async function recordRefund(context: LedgerContext, command: RefundCommand): Promise<boolean> {
  const chargeId = `charge:${command.paymentId}`;
  await context.store.lockCharge(chargeId);
  // The accounts the charge itself moved, whatever the refund event says about its merchant.
  const recorded = await context.store.findTransfer(chargeId);
  // Payment announces a refund only after the charge: not recorded yet means not yet delivered.
  if (!recorded) throw new AppError('unavailable', `charge ${chargeId} is not recorded yet`);
  const charge = chargeOf(recorded);
  const amount = BigInt(command.amountMinor);
  const split = splitRefund(charge, await context.store.refundedSoFar(chargeId), amount);
  const id = `refund:${command.refundId ?? command.paymentId}`;
  const postings = [
    ...(split.fromMerchant > 0n ? [debit(charge.payableAccountId, charge.currency, split.fromMerchant)] : []),
    ...(split.fromFees > 0n ? [debit(charge.feeAccountId, charge.currency, split.fromFees)] : []),
    credit(charge.clearingAccountId, charge.currency, amount),
  ];
  const written = await context.store.recordTransfer(
    { id, kind: 'refund', reversesId: chargeId, orderId: command.orderId, customerId: command.customerId, merchantId: command.merchantId, ...context.cause, postings },
    new Map(recorded.accounts.map((account) => [account.id, account])),
  );
  if (written) {
    await context.publish([{ definition: LedgerEntryRecorded, subject: command.orderId, data: { orderId: command.orderId, transferId: id, kind: 'refund', amountMinor: command.amountMinor, currency: charge.currency } }]);
  }
  return written;
}

/** What a refund needs of its charge: amount, fee, and the three accounts it moved. */
function chargeOf(transfer: RecordedTransfer) {
  const typeOf = new Map(transfer.accounts.map((account) => [account.id, account.type]));
  const posting = (...types: string[]) => transfer.postings.find((item) => types.includes(typeOf.get(item.accountId) ?? ''));
  const clearing = posting('psp_clearing');
  if (transfer.kind !== 'charge' || !clearing) throw new AppError('unprocessable', 'only a charge can be refunded');
  const fee = posting('fee_revenue');
  return { currency: clearing.currency, amount: clearing.debitMinor, fee: fee?.creditMinor ?? 0n, clearingAccountId: clearing.accountId, feeAccountId: fee?.accountId ?? '', payableAccountId: posting('merchant_payable', 'suspense')?.accountId ?? '' };
}
