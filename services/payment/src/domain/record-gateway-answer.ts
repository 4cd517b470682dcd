import { PaymentFailed, PaymentSucceeded, WalletToppedUp } from '@platform/shared/events/catalog';
import { randomUUID } from 'node:crypto';
import type { NewEvent } from '@platform/shared/envelope';
import { chargeKeyOf, type FailureReason, type GatewayAnswer, type Payment, type PaymentUnitOfWork, type Refund, type Settlement } from './ports.ts';

const KNOWN_REASONS: ReadonlySet<string> = new Set<FailureReason>(['card_declined', 'insufficient_funds', 'reservation_expired', 'payer_declined', 'collect_expired', 'gateway_timeout', 'payment_method_unavailable']);

/** The gateway's words for why, in the platform's. */
export function failureReasonOf(gatewayReason: string): FailureReason {
  if (gatewayReason === 'expired') return 'collect_expired';
  return KNOWN_REASONS.has(gatewayReason) ? (gatewayReason as FailureReason) : 'card_declined';
}

/** What the gateway's answer changes, if the payment is still waiting for it. */
export function settlementOf(payment: Payment, answer: GatewayAnswer, via: string, now: Date, pendingPollMs: number): Settlement {
  const call = { kind: via, idempotencyKey: chargeKeyOf(payment.orderId), outcome: answer.status, reference: answer.chargeId };
  if (answer.status === 'pending') {
    return { call, from: ['INITIATED'], to: 'PENDING', change: { chargeId: answer.chargeId, nextAttemptAt: new Date(now.getTime() + pendingPollMs), detail: `awaiting confirmation (${via})` }, ended: null, events: [] };
  }
  if (answer.status === 'failed') return { ...failureOf(payment, failureReasonOf(answer.reason), via, answer.chargeId), call };
  const events: NewEvent[] =
    payment.kind === 'TOP_UP'
      ? [{ definition: WalletToppedUp, subject: payment.orderId, data: { topUpId: payment.orderId, customerId: payment.customerId ?? '', amountMinor: Number(payment.amountMinor), currency: payment.currency } }]
      : [{ definition: PaymentSucceeded, subject: payment.orderId, data: { orderId: payment.orderId, paymentId: payment.id, amountMinor: Number(payment.amountMinor), currency: payment.currency, method: payment.method, customerId: payment.customerId, merchantId: payment.merchantId } }];
  return { call, from: ['INITIATED', 'PENDING'], to: 'SUCCEEDED', change: { chargeId: answer.chargeId, nextAttemptAt: null, detail: via }, ended: 'succeeded', events };
}

/** A waiting payment ended as FAILED; announced to the saga (which releases the stock), not for a top-up: its caller reads the outcome. */
function failureOf(payment: Payment, reason: FailureReason, detail: string, chargeId: string | null): Settlement {
  const events: NewEvent[] = payment.kind === 'ORDER' ? [{ definition: PaymentFailed, subject: payment.orderId, data: { orderId: payment.orderId, reason, customerId: payment.customerId, merchantId: payment.merchantId } }] : [];
  return { call: null, from: ['INITIATED', 'PENDING'], to: 'FAILED', change: { failureReason: reason, chargeId, nextAttemptAt: null, detail }, ended: 'failed', events };
}

/** A settlement in a transaction: conditional on the payment still waiting, so a second report of the same outcome changes nothing. */
async function applySettlement(unit: PaymentUnitOfWork, payment: Payment, settlement: Settlement): Promise<boolean> {
  if (settlement.call) await unit.store.recordGatewayCall(payment.id, settlement.call);
  if (!(await unit.store.transition(payment.id, settlement.from, settlement.to, settlement.change))) return false;
  if (settlement.ended) {
    await unit.store.eraseIntentSecrets(payment.orderId);
    unit.finished?.(payment.kind, payment.method, settlement.ended);
  }
  if (settlement.events.length > 0) await unit.publish(settlement.events);
  return true;
}

/**
 * Records what the gateway said about a payment's charge, in one transaction with the event
 * that announces it (the sweeper and a webhook, two instances: the first report wins). A success
 * for a payment already given up is refunded.
 */
export async function recordGatewayAnswer(unit: PaymentUnitOfWork, payment: Payment, answer: GatewayAnswer, via: string, now: Date, pendingPollMs: number): Promise<boolean> {
  if (await applySettlement(unit, payment, settlementOf(payment, answer, via, now, pendingPollMs))) return true;
  return answer.status === 'succeeded' ? refundLateSuccess(unit, payment.id, answer.chargeId) : false;
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
export function failPayment(unit: PaymentUnitOfWork, payment: Payment, reason: FailureReason, detail: string, chargeId: string | null = null): Promise<boolean> {
  return applySettlement(unit, payment, failureOf(payment, reason, detail, chargeId));
}
