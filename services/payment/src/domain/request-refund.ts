import { randomUUID } from 'node:crypto';
import { AppError } from '@platform/shared/errors';
import type { Payment, PaymentUnitOfWork, Refund, Trace } from './ports.ts';

const REFUNDABLE = new Set(['SUCCEEDED', 'PARTIALLY_REFUNDED']);

/**
 * Reserves a refund of part or all of a payment (PENDING) under the payment's row lock, so
 * refunds together never pass what was captured, however many arrive at once. The gateway is
 * called after this commits (execute-refund.ts). Throws when nothing (or not that much) is left.
 */
export async function requestRefund(unit: PaymentUnitOfWork, paymentId: string, request: { amountMinor: bigint; reason: string; requestedBy: Refund['requestedBy']; trace: Trace }): Promise<Refund> {
  const payment = await unit.store.findPaymentById(paymentId, { lock: true });
  if (!payment) throw new AppError('not-found', `no payment ${paymentId}`);
  // A top-up's money sits in the wallet: giving it back to the card would leave the wallet
  // credited and the ledger unable to journal the refund. It is spent, or refunded from the wallet.
  if (payment.kind === 'TOP_UP') throw new AppError('conflict', 'a wallet top-up is not refunded to the card');
  if (!REFUNDABLE.has(payment.status) || !payment.chargeId) throw new AppError('conflict', `a ${payment.status} payment cannot be refunded`);
  const left = payment.amountMinor - (await unit.store.refundsHeld(payment.id));
  if (request.amountMinor > left) throw new AppError('unprocessable', `the refund exceeds what is left to refund (${left} ${payment.currency})`, { refundableMinor: Number(left) });
  const refund: Refund = { id: randomUUID(), paymentId, amountMinor: request.amountMinor, currency: payment.currency, reason: request.reason, status: 'PENDING', gatewayRefundId: null, requestedBy: request.requestedBy, createdAt: new Date(), trace: request.trace };
  await unit.store.insertRefund(refund);
  return refund;
}

/**
 * A saga's compensation: refunds whatever is left of the order's payment (nothing if it has no
 * successful payment or is refunded already). Returns the refund to execute after commit.
 */
export async function compensatePayment(unit: PaymentUnitOfWork, orderId: string, reason: string, trace: Trace): Promise<Refund | null> {
  const found: Payment | null = await unit.store.findPayment(orderId);
  if (!found || !REFUNDABLE.has(found.status)) return null;
  const payment = await unit.store.findPaymentById(found.id, { lock: true });
  const left = payment ? payment.amountMinor - (await unit.store.refundsHeld(payment.id)) : 0n;
  if (!payment || left <= 0n) return null;
  return requestRefund(unit, payment.id, { amountMinor: left, reason, requestedBy: 'saga', trace });
}
