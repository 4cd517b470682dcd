/**
 * Platform fees, in integer minor units.
 *
 * Charge: fee = floor(amount × bps / 10 000) + fixed, never more than the amount.
 *
 * Refunds give back fee in proportion to what is refunded, by one rule that cannot create or
 * lose a unit over any number of partial refunds: the fee returned *so far* after refunding R of
 * an amount A is floor(fee × R / A); each refund returns the difference from the previous total.
 * When everything is refunded (R = A) exactly the whole fee has come back; before that, never more
 * than the proportional share. The merchant gives back the rest of each refund.
 */
import { AppError } from '@platform/shared/errors';

export interface FeeSchedule {
  /** Basis points of the amount (1 bp = 0.01 %). */
  bps: number;
  /** A fixed part per charge, in the charge's minor units. */
  fixedMinor: bigint;
}

export function feeFor(amount: bigint, schedule: FeeSchedule): bigint {
  if (amount <= 0n) throw new AppError('validation', 'a charge moves a positive amount');
  const fee = (amount * BigInt(schedule.bps)) / 10_000n + schedule.fixedMinor;
  return fee > amount ? amount : fee;
}

export interface RefundSplit {
  /** Taken back from the merchant's payable. */
  fromMerchant: bigint;
  /** Taken back from fee revenue. */
  fromFees: bigint;
}

/** How a refund of `refund` splits, given the charge and what was refunded before it. */
export function splitRefund(charge: { amount: bigint; fee: bigint }, refundedBefore: bigint, refund: bigint): RefundSplit {
  if (refund <= 0n) throw new AppError('validation', 'a refund moves a positive amount');
  const refundedAfter = refundedBefore + refund;
  if (refundedAfter > charge.amount) throw new AppError('unprocessable', `refunds would exceed the charge (${refundedAfter} > ${charge.amount})`);
  const feeBack = (charge.fee * refundedAfter) / charge.amount - (charge.fee * refundedBefore) / charge.amount;
  return { fromMerchant: refund - feeBack, fromFees: feeBack };
}
