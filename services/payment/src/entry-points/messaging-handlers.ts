/** Thin: each event payment reacts to, mapped to its use case. */
import { on, type HandlerContext } from '@platform/shared/consumer/handler';
import { InventoryCommitFailed, InventoryReleased, InventoryReserved } from '@platform/shared/events/catalog';
import type { FieldCipher } from '@platform/shared/crypto/field-cipher';
import type { Tx } from '../data-access/database.ts';
import { paymentStore } from '../data-access/payment-store.ts';
import type { CardGateway, PaymentContext } from '../domain/ports.ts';
import { chargeForReservation } from '../domain/charge-for-reservation.ts';
import { refundPayment } from '../domain/refund-payment.ts';

export function paymentHandlers(gateway: CardGateway, cipher: FieldCipher) {
  const contextOf = ({ tx, publish }: HandlerContext<Tx>): PaymentContext => ({ store: paymentStore(tx, cipher), gateway, publish, now: () => new Date() });
  return [
    on<typeof InventoryReserved, Tx>(InventoryReserved, async (data, handler) => {
      if (data.requestedBy === 'direct-api') return; // a hold with no order behind it: nothing to charge
      await chargeForReservation(contextOf(handler), { orderId: data.orderId, amountMinor: data.amountMinor, currency: data.currency, holdExpiresAt: new Date(data.expiresAt) });
    }),
    on<typeof InventoryCommitFailed, Tx>(InventoryCommitFailed, async (data, handler) => {
      await refundPayment(contextOf(handler), data.orderId, `stock could not be committed: ${data.reason}`);
    }),
    on<typeof InventoryReleased, Tx>(InventoryReleased, async (data, handler) => {
      if (data.reason === 'expired') await refundPayment(contextOf(handler), data.orderId, 'stock hold expired');
    }),
  ];
}
