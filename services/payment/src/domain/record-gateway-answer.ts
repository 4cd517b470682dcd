import { PaymentFailed, PaymentSucceeded, WalletToppedUp } from '@platform/shared/events/catalog';
import { randomUUID } from 'node:crypto';
import { chargeKeyOf, type FailureReason, type GatewayAnswer, type Payment, type PaymentUnitOfWork, type Refund } from './ports.ts';

const KNOWN_REASONS: ReadonlySet<string> = new Set<FailureReason>(['card_declined', 'insufficient_funds', 'reservation_expired', 'payer_declined', 'collect_expired', 'gateway_timeout', 'payment_method_unavailable']);

/** The gateway's words for why, in the platform's. */
export function failureReasonOf(gatewayReason: string): FailureReason {
  if (gatewayReason === 'expired') return 'collect_expired';
  return KNOWN_REASONS.has(gatewayReason) ? (gatewayReason as FailureReason) : 'card_declined';
}

/**
 * Records what the gateway said about a payment's charge, in one transaction with the event
 * that announces it. Conditional on the payment still waiting, so a second report of the same
 * outcome (the sweeper and a webhook, two instances) changes nothing.
 */
export async function recordGatewayAnswer(unit: PaymentUnitOfWork, payment: Payment, answer: GatewayAnswer, via: string, now: Date, pendingPollMs: number): Promise<boolean> {
  const { store } = unit;
  await store.recordGatewayCall(payment.id, { kind: via, idempotencyKey: chargeKeyOf(payment.orderId), outcome: answer.status, reference: answer.chargeId });
  if (answer.status === 'pending') {
    return store.transition(payment.id, ['INITIATED'], 'PENDING', { chargeId: answer.chargeId, nextAttemptAt: new Date(now.getTime() + pendingPollMs), detail: `awaiting confirmation (${via})` });
  }
  if (answer.status === 'succeeded') {
    if (!(await store.transition(payment.id, ['INITIATED', 'PENDING'], 'SUCCEEDED', { chargeId: answer.chargeId, nextAttemptAt: null, detail: via }))) return refundLateSuccess(unit, payment.id, answer.chargeId);
    await store.eraseIntentSecrets(payment.orderId);
    unit.finished?.(payment.kind, payment.method, 'succeeded');
    if (payment.kind === 'TOP_UP') {
      const data = { topUpId: payment.orderId, customerId: payment.customerId ?? '', amountMinor: Number(payment.amountMinor), currency: payment.currency };
      await unit.publish([{ definition: WalletToppedUp, subject: payment.orderId, data }]);
      return true;
    }
    const data = { orderId: payment.orderId, paymentId: payment.id, amountMinor: Number(payment.amountMinor), currency: payment.currency, method: payment.method, customerId: payment.customerId, merchantId: payment.merchantId };
    await unit.publish([{ definition: PaymentSucceeded, subject: payment.orderId, data }]);
    return true;
  }
  return failPayment(unit, payment, failureReasonOf(answer.reason), via, answer.chargeId);
}

/**
 * The gateway took the money for a payment already given up (a confirmation after the hold, or
 * after giving up on it): the order is cancelled, so the charge is refunded — once, whatever
 * reports it again. Nothing is announced: the saga ended, and the books never held this charge
 * (the gateway's settlement shows it and its refund).
 */
async function refundLateSuccess(unit: PaymentUnitOfWork, paymentId: string, chargeId: string): Promise<boolean> {
  const current = await unit.store.findPaymentById(paymentId, { lock: true });
  if (current?.status !== 'FAILED' || (await unit.store.refundsHeld(paymentId)) > 0n) return false;
  await unit.store.transition(paymentId, ['FAILED'], 'FAILED', { chargeId, detail: 'charged after it failed: refunding' });
  const refund: Refund = { id: randomUUID(), paymentId, amountMinor: current.amountMinor, currency: current.currency, reason: 'late_success', status: 'PENDING', gatewayRefundId: null, requestedBy: 'saga', createdAt: new Date(), trace: current.trace };
  await unit.store.insertRefund(refund); // executed by the sweeper
  return true;
}

/** Ends a waiting payment as FAILED and announces it (the saga releases the stock). */
export async function failPayment(unit: PaymentUnitOfWork, payment: Payment, reason: FailureReason, detail: string, chargeId: string | null = null): Promise<boolean> {
  if (!(await unit.store.transition(payment.id, ['INITIATED', 'PENDING'], 'FAILED', { failureReason: reason, chargeId, nextAttemptAt: null, detail }))) return false;
  await unit.store.eraseIntentSecrets(payment.orderId);
  unit.finished?.(payment.kind, payment.method, 'failed');
  // A failed top-up has no saga to tell: its caller reads the outcome.
  if (payment.kind === 'ORDER') await unit.publish([{ definition: PaymentFailed, subject: payment.orderId, data: { orderId: payment.orderId, reason, customerId: payment.customerId, merchantId: payment.merchantId } }]);
  return true;
}
