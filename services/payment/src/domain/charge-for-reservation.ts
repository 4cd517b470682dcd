import { randomUUID } from 'node:crypto';
import { AppError } from '@platform/shared/errors';
import { PaymentFailed, PaymentSucceeded } from '@platform/shared/events/catalog';
import type { Payment, PaymentContext } from './ports.ts';

export interface ChargeCommand {
  orderId: string;
  amountMinor: number;
  currency: string;
  holdExpiresAt: Date;
}

/**
 * Charges once per order when its stock is held. The gateway call is keyed by the order, so a
 * redelivery after a crash between the charge and our commit cannot charge twice. A hold that
 * has already expired is not charged at all.
 */
export async function chargeForReservation(context: PaymentContext, command: ChargeCommand): Promise<Payment> {
  const existing = await context.store.findPayment(command.orderId);
  if (existing) return existing;
  const intent = await context.store.findIntent(command.orderId);
  // The order service files the intent before it announces the order, so it is always there
  // for an order placed through it; anything else is a hold with nothing to charge (DLQ).
  if (!intent?.cardToken) throw new AppError('unprocessable', `no payment intent for order ${command.orderId}`);
  const cardToken = intent.cardToken;

  const payment: Payment = {
    id: randomUUID(),
    orderId: command.orderId,
    customerId: intent.customerId,
    merchantId: intent.merchantId,
    amountMinor: BigInt(command.amountMinor),
    currency: command.currency,
    status: 'FAILED',
    failureReason: null,
    chargeId: null,
    refundId: null,
  };
  const idempotencyKey = `charge:${command.orderId}`;
  // An earlier attempt may have charged the card and then failed to commit: its charge stands
  // whatever the hold does now, and must be recorded (a refund follows if stock is gone).
  const earlier = await context.gateway.findCharge(idempotencyKey);
  if (!earlier && command.holdExpiresAt <= context.now()) {
    payment.failureReason = 'reservation_expired';
  } else {
    const result = earlier ?? (await context.gateway.charge({ idempotencyKey, cardToken, amountMinor: payment.amountMinor, currency: payment.currency }));
    if (result.outcome === 'succeeded') {
      payment.status = 'SUCCEEDED';
      payment.chargeId = result.chargeId;
    } else {
      payment.failureReason = result.reason;
    }
  }
  await context.store.insertPayment(payment);
  await context.store.eraseCardToken(payment.orderId);
  if (payment.status === 'SUCCEEDED') {
    const data = { orderId: payment.orderId, paymentId: payment.id, amountMinor: command.amountMinor, currency: payment.currency, customerId: payment.customerId, merchantId: payment.merchantId };
    await context.publish([{ definition: PaymentSucceeded, subject: payment.orderId, data }]);
  } else {
    const reason = payment.failureReason as 'card_declined' | 'insufficient_funds' | 'reservation_expired';
    await context.publish([{ definition: PaymentFailed, subject: payment.orderId, data: { orderId: payment.orderId, reason } }]);
  }
  return payment;
}
