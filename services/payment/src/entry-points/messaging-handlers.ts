/** Thin: each event payment reacts to, mapped to its use case; gateway calls wait for the commit. */
import { onSql, type HandlerContext } from '@platform/shared/consumer/handler';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import { InventoryCommitFailed, InventoryReleased, InventoryReserved } from '@platform/shared/events/catalog';
import type { FieldCipher } from '@platform/shared/crypto/field-cipher';
import { paymentStore } from '../data-access/payment-store.ts';
import type { PaymentServices, PaymentUnitOfWork, Trace } from '../domain/ports.ts';
import { startPayment } from '../domain/start-payment.ts';
import { attemptCharge } from '../domain/attempt-charge.ts';
import { compensatePayment } from '../domain/request-refund.ts';
import { executeRefund } from '../domain/execute-refund.ts';
import { activeTraceparent } from '@platform/shared/telemetry/tracing';

export function paymentHandlers(services: PaymentServices, cipher: FieldCipher, firstSweepDelayMs: number) {
  const unitOf = ({ tx, publish }: HandlerContext<SqlTransaction>): PaymentUnitOfWork => ({ store: paymentStore(tx, cipher), publish });
  const traceOf = ({ envelope }: HandlerContext<SqlTransaction>): Trace => ({ causeEventId: envelope.id, correlationId: envelope.correlationid, traceparent: activeTraceparent() ?? envelope.traceparent });
  const compensate = async (handler: HandlerContext<SqlTransaction>, orderId: string, reason: string) => {
    const refund = await compensatePayment(unitOf(handler), orderId, reason, traceOf(handler));
    if (refund) handler.afterCommit(async () => void (await executeRefund(services, refund.id)));
  };
  return [
    onSql(InventoryReserved, async (data, handler) => {
      if (data.requestedBy === 'direct-api') return; // a hold with no order behind it: nothing to charge
      const firstLookAt = new Date(services.now().getTime() + firstSweepDelayMs);
      const payment = await startPayment(unitOf(handler), { orderId: data.orderId, amountMinor: data.amountMinor, currency: data.currency, holdExpiresAt: new Date(data.expiresAt) }, firstLookAt, traceOf(handler));
      if (payment) handler.afterCommit(() => attemptCharge(services, payment.id));
    }),
    onSql(InventoryCommitFailed, (data, handler) => compensate(handler, data.orderId, `stock could not be committed: ${data.reason}`)),
    onSql(InventoryReleased, async (data, handler) => {
      if (data.reason === 'expired') await compensate(handler, data.orderId, 'stock hold expired');
      if (data.reason === 'order_cancelled') await compensate(handler, data.orderId, 'the order was cancelled at its deadline');
    }),
  ];
}
