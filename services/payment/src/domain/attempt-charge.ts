import { failPayment, recordGatewayAnswer, settlementOf } from './record-gateway-answer.ts';
import { chargeKeyOf, GatewayUnavailable, type GatewayAnswer, type Payment, type PaymentIntent, type PaymentServices } from './ports.ts';

/**
 * Calls the gateway for an INITIATED payment, outside any transaction, and records the answer
 * afterwards (in one statement; in a transaction if the payment moved meanwhile). The
 * idempotency key is the order's, so however often this runs (the handler's after-commit call,
 * the sweeper, two instances) the gateway charges at most once. When the gateway cannot be
 * asked now, the payment waits for the sweeper — within its hold's lifetime.
 */
export async function attemptCharge(services: PaymentServices, paymentId: string): Promise<void> {
  const loaded = await services.read(async (store) => {
    const payment = await store.findPaymentById(paymentId);
    return payment && { payment, intent: await store.findIntent(payment.orderId) };
  });
  if (loaded) await chargePayment(services, loaded.payment, loaded.intent);
}

/**
 * `attemptCharge` for a payment and intent in hand: the one just recorded is charged right after
 * its commit without reading both back. Were it moved meanwhile, the gateway's answer under the
 * same key would change nothing but be refunded if it took money (`recordGatewayAnswer`).
 */
export async function chargePayment(services: PaymentServices, payment: Payment, intent: PaymentIntent | null): Promise<void> {
  if (payment.status !== 'INITIATED') return;
  if (payment.holdExpiresAt <= services.now()) {
    await resolveWithoutCharging(services, payment);
    return;
  }
  const prepared = intent && (await services.methodFor(intent, payment.holdExpiresAt));
  if (!prepared) {
    await services.transaction((unit) => failPayment(unit, payment, 'payment_method_unavailable', 'no usable payment method'), payment.trace);
    return;
  }
  let answer: GatewayAnswer;
  try {
    answer = await services.gatewayFor(payment.method).charge({ idempotencyKey: chargeKeyOf(payment.orderId), amountMinor: payment.amountMinor, currency: payment.currency, method: prepared.method, reference: payment.orderId });
  } catch (error) {
    if (!(error instanceof GatewayUnavailable)) throw error;
    await postpone(services, payment, error.message);
    return;
  }
  // The common answer in one statement; a payment no longer waiting (given up meanwhile: a late
  // success is refunded) is decided in a transaction, as every other report of an answer is.
  if (await services.settle(payment, settlementOf(payment, answer, 'charge', services.now(), services.timing.pendingPollMs), prepared.summary)) return;
  await services.transaction(async (unit) => {
    await unit.store.setMethodSummary(payment.id, prepared.summary);
    await recordGatewayAnswer(unit, payment, answer, 'charge', services.now(), services.timing.pendingPollMs);
  }, payment.trace);
}

/** The hold is over: whatever the gateway did under our key stands; if it did nothing, the payment fails. */
export async function resolveWithoutCharging(services: PaymentServices, payment: Payment): Promise<void> {
  let answer: GatewayAnswer | null;
  try {
    answer = await services.gatewayFor(payment.method).findCharge(chargeKeyOf(payment.orderId));
  } catch (error) {
    if (!(error instanceof GatewayUnavailable)) throw error;
    await postpone(services, payment, error.message);
    return;
  }
  await services.transaction((unit) =>
    answer ? recordGatewayAnswer(unit, payment, answer, 'lookup', services.now(), services.timing.pendingPollMs) : failPayment(unit, payment, 'reservation_expired', 'hold expired before a charge was made'),
  payment.trace);
}

export async function postpone(services: PaymentServices, payment: Payment, why: string): Promise<void> {
  await services.transaction(async ({ store }) => {
    await store.recordGatewayCall(payment.id, { kind: 'charge', idempotencyKey: chargeKeyOf(payment.orderId), outcome: 'unavailable', reference: why.slice(0, 200) });
    await store.scheduleAttempt(payment.id, new Date(services.now().getTime() + services.timing.retryDelayMs(payment.attempts + 1)));
  });
}
