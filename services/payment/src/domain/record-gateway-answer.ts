import { PaymentFailed, PaymentSucceeded, WalletToppedUp } from '@platform/shared/events/catalog';
import { chargeKeyOf, type FailureReason, type GatewayAnswer, type Payment, type PaymentUnitOfWork } from './ports.ts';

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
    if (!(await store.transition(payment.id, ['INITIATED', 'PENDING'], 'SUCCEEDED', { chargeId: answer.chargeId, nextAttemptAt: null, detail: via }))) return false;
    await store.eraseIntentSecrets(payment.orderId);
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

/** Ends a waiting payment as FAILED and announces it (the saga releases the stock). */
export async function failPayment(unit: PaymentUnitOfWork, payment: Payment, reason: FailureReason, detail: string, chargeId: string | null = null): Promise<boolean> {
  if (!(await unit.store.transition(payment.id, ['INITIATED', 'PENDING'], 'FAILED', { failureReason: reason, chargeId, nextAttemptAt: null, detail }))) return false;
  await unit.store.eraseIntentSecrets(payment.orderId);
  // A failed top-up has no saga to tell: its caller reads the outcome.
  if (payment.kind === 'ORDER') await unit.publish([{ definition: PaymentFailed, subject: payment.orderId, data: { orderId: payment.orderId, reason } }]);
  return true;
}
