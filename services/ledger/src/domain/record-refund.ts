import { AppError } from '@platform/shared/errors';
import { LedgerEntryRecorded } from '@platform/shared/events/catalog';
import { splitRefund } from './fees.ts';
import type { LedgerContext } from './ports.ts';
import { byId, chargeAccounts } from './record-charge.ts';
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
  const charge = await context.store.findCharge(chargeId);
  // Payment announces a refund only after the charge: not recorded yet means not yet delivered.
  if (!charge) throw new AppError('unavailable', `charge ${chargeId} is not recorded yet`);
  const amount = BigInt(command.amountMinor);
  const split = splitRefund(charge, await context.store.refundedSoFar(chargeId), amount);
  const { clearing, fees, payable } = await chargeAccounts(context, command.merchantId, charge.currency);
  const id = `refund:${command.refundId ?? command.paymentId}`;
  const postings = [
    ...(split.fromMerchant > 0n ? [debit(charge.payableAccountId, charge.currency, split.fromMerchant)] : []),
    ...(split.fromFees > 0n ? [debit(charge.feeAccountId, charge.currency, split.fromFees)] : []),
    credit(charge.clearingAccountId, charge.currency, amount),
  ];
  const recorded = await context.store.recordTransfer(
    { id, kind: 'refund', reversesId: chargeId, orderId: command.orderId, customerId: command.customerId, merchantId: command.merchantId, ...context.cause, postings },
    byId(clearing, fees, payable),
  );
  if (recorded) {
    await context.publish([{ definition: LedgerEntryRecorded, subject: command.orderId, data: { orderId: command.orderId, transferId: id, kind: 'refund', amountMinor: command.amountMinor, currency: charge.currency } }]);
  }
  return recorded;
}
