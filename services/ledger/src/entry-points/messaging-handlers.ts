/** Thin: each money event mapped to the transfer that records it. */
import { on, type HandlerContext } from '@platform/shared/consumer/handler';
import { PaymentRefunded, PaymentSucceeded } from '@platform/shared/events/catalog';
import type { Tx } from '../data-access/database.ts';
import { ledgerStore, type LedgerSettings } from '../data-access/ledger-store.ts';
import type { LedgerContext } from '../domain/ports.ts';
import { recordCharge } from '../domain/record-charge.ts';
import { recordRefund } from '../domain/record-refund.ts';

export function ledgerHandlers(settings: LedgerSettings) {
  const contextOf = ({ tx, publish, envelope }: HandlerContext<Tx>): LedgerContext => ({ store: ledgerStore(tx, settings), publish, cause: { eventId: envelope.id, correlationId: envelope.correlationid } });
  return [
    on<typeof PaymentSucceeded, Tx>(PaymentSucceeded, async (data, handler) => {
      await recordCharge(contextOf(handler), { paymentId: data.paymentId, orderId: data.orderId, customerId: data.customerId, merchantId: data.merchantId, amountMinor: data.amountMinor, currency: data.currency });
    }),
    on<typeof PaymentRefunded, Tx>(PaymentRefunded, async (data, handler) => {
      await recordRefund(contextOf(handler), { paymentId: data.paymentId, refundId: data.refundId, orderId: data.orderId, customerId: data.customerId, merchantId: data.merchantId, amountMinor: data.amountMinor, currency: data.currency });
    }),
  ];
}
