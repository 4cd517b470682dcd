import type { Payment, PaymentStatus, PaymentStore } from '../domain/ports.ts';
import type { Tx } from './database.ts';

export function paymentStore(tx: Tx): PaymentStore {
  return {
    async saveIntent(orderId, cardToken) {
      await tx.$executeRawUnsafe('INSERT INTO payment_intent (order_id, card_token) VALUES ($1::uuid, $2) ON CONFLICT DO NOTHING', orderId, cardToken);
    },
    async findCardToken(orderId) {
      return (await tx.paymentIntent.findUnique({ where: { orderId } }))?.cardToken ?? null;
    },
    async findPayment(orderId) {
      const row = await tx.payment.findUnique({ where: { orderId } });
      return row && { ...row, status: row.status as PaymentStatus };
    },
    async insertPayment(payment: Payment) {
      await tx.payment.create({ data: payment });
    },
    async markRefunded(paymentId, refundId) {
      const { count } = await tx.payment.updateMany({ where: { id: paymentId, status: 'SUCCEEDED' }, data: { status: 'REFUNDED', refundId } });
      return count === 1;
    },
  };
}
