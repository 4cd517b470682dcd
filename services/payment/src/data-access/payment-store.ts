import { decryptNullable, type FieldCipher } from '@platform/shared/crypto/field-cipher';
import type { Payment, PaymentStatus, PaymentStore } from '../domain/ports.ts';
import type { Tx } from './database.ts';

const CARD_TOKEN = 'payment_intent.card_token';

export function paymentStore(tx: Tx, cipher: FieldCipher): PaymentStore {
  return {
    async saveIntent(intent) {
      await tx.$executeRawUnsafe(
        'INSERT INTO payment_intent (order_id, card_token_encrypted, customer_id, merchant_id) VALUES ($1::uuid, $2, $3::uuid, $4::uuid) ON CONFLICT DO NOTHING',
        intent.orderId,
        intent.cardToken === null ? null : cipher.encrypt(intent.cardToken, CARD_TOKEN),
        intent.customerId,
        intent.merchantId,
      );
    },
    async findIntent(orderId) {
      const row = await tx.paymentIntent.findUnique({ where: { orderId } });
      return row && { orderId: row.orderId, customerId: row.customerId, merchantId: row.merchantId, cardToken: decryptNullable(cipher, row.cardTokenEncrypted, CARD_TOKEN) };
    },
    async eraseCardToken(orderId) {
      await tx.paymentIntent.updateMany({ where: { orderId }, data: { cardTokenEncrypted: null } });
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
