import { PaymentRefunded } from '@platform/shared/events/catalog';
import type { PaymentContext } from './ports.ts';

/** Refunds an order's successful payment, once, whichever later failure asks first. */
export async function refundPayment(context: PaymentContext, orderId: string, reason: string): Promise<boolean> {
  const payment = await context.store.findPayment(orderId);
  if (!payment || payment.status !== 'SUCCEEDED' || !payment.chargeId) return false;
  const { refundId } = await context.gateway.refund({ idempotencyKey: `refund:${payment.id}`, chargeId: payment.chargeId, amountMinor: payment.amountMinor, currency: payment.currency });
  if (!(await context.store.markRefunded(payment.id, refundId))) return false;
  await context.publish([
    { definition: PaymentRefunded, subject: orderId, data: { orderId, paymentId: payment.id, refundId, amountMinor: Number(payment.amountMinor), currency: payment.currency, reason, customerId: payment.customerId, merchantId: payment.merchantId } },
  ]);
  return true;
}
