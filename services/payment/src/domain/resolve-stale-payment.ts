import { attemptCharge, postpone, resolveWithoutCharging } from './attempt-charge.ts';
import { failPayment, recordGatewayAnswer } from './record-gateway-answer.ts';
import { chargeKeyOf, GatewayUnavailable, type GatewayAnswer, type Payment, type PaymentServices } from './ports.ts';

/**
 * The sweeper's question about a payment left INITIATED or PENDING (a crash, a timeout, an open
 * circuit, a webhook that has not come): it asks the gateway by idempotency key what happened,
 * and never charges again unless the gateway says no charge was made — and then with the same key.
 */
export async function resolveStalePayment(services: PaymentServices, payment: Payment): Promise<void> {
  const now = services.now();
  const givenUp = now.getTime() > payment.holdExpiresAt.getTime() + services.timing.pendingGiveUpMs;
  let answer: GatewayAnswer | null;
  try {
    answer = await services.gatewayFor(payment.method).findCharge(chargeKeyOf(payment.orderId));
  } catch (error) {
    if (!(error instanceof GatewayUnavailable)) throw error;
    if (givenUp) await services.transaction((unit) => failPayment(unit, payment, 'gateway_timeout', `gateway unreachable: ${error.message}`), payment.trace);
    else await postpone(services, payment, error.message);
    return;
  }
  if (!answer) {
    if (payment.status === 'INITIATED' && payment.holdExpiresAt > now) await attemptCharge(services, payment.id);
    else await resolveWithoutCharging(services, payment);
    return;
  }
  if (answer.status === 'pending' && givenUp) {
    await services.transaction((unit) => failPayment(unit, payment, 'gateway_timeout', 'no confirmation before giving up', answer.chargeId), payment.trace);
    return;
  }
  if (answer.status === 'pending' && payment.status === 'PENDING') {
    await services.transaction(({ store }) => store.scheduleAttempt(payment.id, new Date(now.getTime() + services.timing.pendingPollMs)));
    return;
  }
  await services.transaction((unit) => recordGatewayAnswer(unit, payment, answer, 'lookup', now, services.timing.pendingPollMs), payment.trace);
}
