/** Thin: each event payment reacts to, mapped to its use case; gateway calls wait for the commit. */
import { IN_TRANSACTION, onSql, type HandlerContext } from '@platform/shared/consumer/handler';
import type { EventData } from '@platform/shared/events/define-event';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import { InventoryCommitFailed, InventoryReleased, InventoryReserved } from '@platform/shared/events/catalog';
import type { FieldCipher } from '@platform/shared/crypto/field-cipher';
import { paymentStore } from '../data-access/payment-store.ts';
import type { PaymentIntent, PaymentServices, PaymentUnitOfWork, Trace } from '../domain/ports.ts';
import { AppError } from '@platform/shared/errors';
import { planPayment, startPayment } from '../domain/start-payment.ts';
import { paymentInsertChanges } from '../data-access/payment-sql.ts';
import { intentInsert } from '../data-access/intent-sql.ts';
import { openPaymentChoice } from '@platform/shared/events/payment-choice';
import { chargePayment } from '../domain/attempt-charge.ts';
import { compensatePayment } from '../domain/request-refund.ts';
import { executeRefund } from '../domain/execute-refund.ts';
import { activeTraceparent } from '@platform/shared/telemetry/tracing';

/** `choices`: the keyring shared with the order service alone; without it a sealed choice cannot open (DLQ). */
export function paymentHandlers(services: PaymentServices, cipher: FieldCipher, firstSweepDelayMs: number, choices?: FieldCipher) {
  const unitOf = ({ tx, publish }: HandlerContext<SqlTransaction>): PaymentUnitOfWork => ({ store: paymentStore(tx, cipher), publish });
  const traceOf = ({ envelope }: Pick<HandlerContext<SqlTransaction>, 'envelope'>): Trace => ({ causeEventId: envelope.id, correlationId: envelope.correlationid, traceparent: activeTraceparent() ?? envelope.traceparent });
  const compensate = async (handler: HandlerContext<SqlTransaction>, orderId: string, reason: string) => {
    const refund = await compensatePayment(unitOf(handler), orderId, reason, traceOf(handler));
    if (refund) handler.afterCommit(async () => void (await executeRefund(services, refund.id)));
  };
  // When the sweeper may take over if the charge started after the commit never reports back.
  const firstLookAt = () => new Date(services.now().getTime() + firstSweepDelayMs);
  // The payment choice the order service sealed for us; null on events from before it travelled.
  const intentOf = ({ orderId, paymentChoiceSealed }: EventData<typeof InventoryReserved>): PaymentIntent | null => {
    if (!paymentChoiceSealed) return null;
    if (!choices) throw new AppError('unprocessable', `order ${orderId} brought a sealed payment choice and this service holds no key for it`);
    const choice = openPaymentChoice(choices, orderId, paymentChoiceSealed);
    return { orderId, method: choice.method, customerId: choice.customerId, merchantId: choice.merchantId, cardToken: choice.method === 'CARD' ? choice.cardToken : null, upiVpa: choice.method === 'UPI' ? choice.upiVpa : null };
  };
  const startCommand = (data: EventData<typeof InventoryReserved>) => ({ orderId: data.orderId, amountMinor: data.amountMinor, currency: data.currency, holdExpiresAt: new Date(data.expiresAt), intent: intentOf(data) });
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
        const command = startCommand(data);
        const planned = await services.read((store) => planPayment(store, command, traceOf({ envelope })));
        if (!planned) return IN_TRANSACTION;
        const changes = paymentInsertChanges(planned.payment, firstLookAt(), param, admitted);
        // An intent that came with the event is kept in the same statement (see startPayment).
        if (command.intent) changes.alsoChanges.push(`${intentInsert(command.intent, cipher, param, admitted)} RETURNING 1`);
        // Charged as planned: the payment was just recorded INITIATED, and nothing else moves it before its first look.
        return { ...changes, afterCommit: () => chargePayment(services, planned.payment, planned.intent), onlyIfChanged: true };
      },
    ),
    onSql(InventoryCommitFailed, (data, handler) => compensate(handler, data.orderId, `stock could not be committed: ${data.reason}`)),
    onSql(InventoryReleased, async (data, handler) => {
      if (data.reason === 'expired') await compensate(handler, data.orderId, 'stock hold expired');
      if (data.reason === 'order_cancelled') await compensate(handler, data.orderId, 'the order was cancelled at its deadline');
    }),
  ];
}
