/**
 * What reconciliation may judge: only what has been still for a while. A payment captured a
 * second ago has not reached the ledger yet, a cancelled order's refund may be on its way; judged
 * now they would look broken and be "repaired" twice. Everything touched within the window is
 * left for the next run (and counted, so a run that skips everything is visible).
 */
import type { GatewayCharge, GatewayRefund, OurPayment, OurRefund, ReconciliationInput } from './reconcile.ts';

type Dated<T> = T & { changedAt: Date };

export interface RawInputs {
  gateway: { charges: Array<Dated<GatewayCharge>>; refunds: Array<Dated<GatewayRefund>> };
  payments: Array<Dated<OurPayment>>;
  refunds: Array<Dated<OurRefund>>;
  ledger: ReadonlyMap<string, number>;
  orders: ReadonlyMap<string, { status: string; changedAt: Date }>;
}

export function settledOnly(raw: RawInputs, cutoff: Date): { input: ReconciliationInput; inFlight: number } {
  const moving = (item: { changedAt: Date }) => item.changedAt > cutoff;
  const busyPayments = new Set(raw.payments.filter(moving).map((payment) => payment.paymentId));
  for (const refund of raw.refunds) if (moving(refund)) busyPayments.add(refund.paymentId);
  const busyKeys = new Set(raw.payments.filter((payment) => busyPayments.has(payment.paymentId)).map((payment) => `charge:${payment.orderId}`));
  const busyOrders = new Set(raw.payments.filter((payment) => busyPayments.has(payment.paymentId)).map((payment) => payment.orderId));
  for (const [orderId, order] of raw.orders) if (moving(order)) busyOrders.add(orderId);

  const charges = raw.gateway.charges.filter((charge) => !moving(charge) && !busyKeys.has(charge.idempotencyKey));
  const busyCharges = new Set(raw.gateway.charges.filter((charge) => !charges.includes(charge)).map((charge) => charge.id));
  const gatewayRefunds = raw.gateway.refunds.filter((refund) => !moving(refund) && !busyCharges.has(refund.chargeId));
  const payments = raw.payments.filter((payment) => !busyPayments.has(payment.paymentId) && !busyOrders.has(payment.orderId));
  const refunds = raw.refunds.filter((refund) => !busyPayments.has(refund.paymentId));
  const orders = new Map([...raw.orders].filter(([orderId]) => !busyOrders.has(orderId)).map(([orderId, order]) => [orderId, order.status]));
  const inFlight = raw.gateway.charges.length - charges.length + raw.payments.length - payments.length + raw.orders.size - orders.size;
  return { input: { gateway: { charges, refunds: gatewayRefunds }, payments, refunds, ledger: raw.ledger, orders }, inFlight };
}
