import { PaymentRefunded } from '@platform/shared/events/catalog';
import { GatewayUnavailable, refundKeyOf, type PaymentServices } from './ports.ts';

/**
 * Sends a PENDING refund to the gateway (outside any transaction, keyed by the refund so a
 * retry never refunds twice) and records the outcome with its event in a new transaction. The
 * ledger journals the announced refund with its share of the fee. Returns the refund's status.
 */
export async function executeRefund(services: PaymentServices, refundId: string): Promise<'PENDING' | 'SUCCEEDED' | 'FAILED'> {
  const loaded = await services.transaction(async ({ store }) => {
    const refund = await store.findRefund(refundId);
    return refund && { refund, payment: await store.findPaymentById(refund.paymentId) };
  });
  if (!loaded?.payment) return 'FAILED';
  const { refund, payment } = loaded;
  if (refund.status !== 'PENDING') return refund.status;
  let result: { refundId: string } | { refused: string };
  try {
    result = await services.gatewayFor(payment.method).refund({ idempotencyKey: refundKeyOf(refund.id), chargeId: payment.chargeId ?? '', amountMinor: refund.amountMinor });
  } catch (error) {
    if (!(error instanceof GatewayUnavailable)) throw error;
    await services.transaction(({ store }) => store.scheduleRefund(refund.id, new Date(services.now().getTime() + services.timing.retryDelayMs(1))));
    return 'PENDING';
  }
  return services.transaction(async (unit) => {
    const { store } = unit;
    const outcome = 'refused' in result ? 'failed' : 'succeeded';
    await store.recordGatewayCall(payment.id, { kind: 'refund', idempotencyKey: refundKeyOf(refund.id), outcome, reference: 'refused' in result ? result.refused.slice(0, 200) : result.refundId });
    if ('refused' in result) {
      await store.settleRefund(refund.id, { status: 'FAILED' });
      return 'FAILED';
    }
    if (!(await store.settleRefund(refund.id, { status: 'SUCCEEDED', gatewayRefundId: result.refundId }))) return 'SUCCEEDED';
    // A late charge on a failed payment was never announced or journaled: its refund is not either.
    if (payment.status === 'FAILED') return 'SUCCEEDED';
    await store.addRefunded(payment.id, refund.amountMinor, refund.id);
    await unit.publish([
      {
        definition: PaymentRefunded,
        subject: payment.orderId,
        data: { orderId: payment.orderId, paymentId: payment.id, refundId: refund.id, amountMinor: Number(refund.amountMinor), currency: payment.currency, reason: refund.reason, initiatedBy: refund.requestedBy, method: payment.method, customerId: payment.customerId, merchantId: payment.merchantId },
      },
    ]);
    return 'SUCCEEDED';
  }, refund.trace);
}
