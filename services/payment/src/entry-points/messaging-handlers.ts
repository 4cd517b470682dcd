/** Thin: each event payment reacts to, mapped to its use case; gateway calls wait for the commit. */
import { IN_TRANSACTION, onSql, type HandlerContext } from '@platform/shared/consumer/handler';
import type { EventData } from '@platform/shared/events/define-event';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import { InventoryCommitFailed, InventoryReleased, InventoryReserved } from '@platform/shared/events/catalog';
import type { FieldCipher } from '@platform/shared/crypto/field-cipher';
import { paymentStore } from '../data-access/payment-store.ts';
import type { PaymentServices, PaymentUnitOfWork, Trace } from '../domain/ports.ts';
import { planPayment, startPayment } from '../domain/start-payment.ts';
import { paymentInsertChanges } from '../data-access/payment-sql.ts';
import { chargePayment } from '../domain/attempt-charge.ts';
import { compensatePayment } from '../domain/request-refund.ts';
import { executeRefund } from '../domain/execute-refund.ts';
import { activeTraceparent } from '@platform/shared/telemetry/tracing';

export function paymentHandlers(services: PaymentServices, cipher: FieldCipher, firstSweepDelayMs: number) {
  const unitOf = ({ tx, publish }: HandlerContext<SqlTransaction>): PaymentUnitOfWork => ({ store: paymentStore(tx, cipher), publish });
  const traceOf = ({ envelope }: Pick<HandlerContext<SqlTransaction>, 'envelope'>): Trace => ({ causeEventId: envelope.id, correlationId: envelope.correlationid, traceparent: activeTraceparent() ?? envelope.traceparent });
  const compensate = async (handler: HandlerContext<SqlTransaction>, orderId: string, reason: string) => {
    const refund = await compensatePayment(unitOf(handler), orderId, reason, traceOf(handler));
    if (refund) handler.afterCommit(async () => void (await executeRefund(services, refund.id)));
  };
  // When the sweeper may take over if the charge started after the commit never reports back.
  const firstLookAt = () => new Date(services.now().getTime() + firstSweepDelayMs);
  const startCommand = (data: EventData<typeof InventoryReserved>) => ({ orderId: data.orderId, amountMinor: data.amountMinor, currency: data.currency, holdExpiresAt: new Date(data.expiresAt) });
  return [
    onSql(
      InventoryReserved,
      async (data, handler) => {
        if (data.requestedBy === 'direct-api') return; // a hold with no order behind it: nothing to charge
        const started = await startPayment(unitOf(handler), startCommand(data), firstLookAt(), traceOf(handler));
        // As in one statement below: just recorded INITIATED, charged without reading it back.
        if (started) handler.afterCommit(() => chargePayment(services, started.payment, started.intent));
      },
      // The common case in one statement: the payment and its history recorded, the charge after the commit.
      async (data, { envelope, param, admitted }) => {
        if (data.requestedBy === 'direct-api') return null;
        const planned = await services.read((store) => planPayment(store, startCommand(data), traceOf({ envelope })));
        if (!planned) return IN_TRANSACTION;
        // Charged as planned: the payment was just recorded INITIATED, and nothing else moves it before its first look.
        return { ...paymentInsertChanges(planned.payment, firstLookAt(), param, admitted), afterCommit: () => chargePayment(services, planned.payment, planned.intent), onlyIfChanged: true };
      },
    ),
    onSql(InventoryCommitFailed, (data, handler) => compensate(handler, data.orderId, `stock could not be committed: ${data.reason}`)),
    onSql(InventoryReleased, async (data, handler) => {
      if (data.reason === 'expired') await compensate(handler, data.orderId, 'stock hold expired');
      if (data.reason === 'order_cancelled') await compensate(handler, data.orderId, 'the order was cancelled at its deadline');
    }),
  ];
}
