import { decryptNullable, type FieldCipher } from '@platform/shared/crypto/field-cipher';
import type { Payment, PaymentMethodKind, PaymentStatus, PaymentStore, Refund } from '../domain/ports.ts';
import type { Tx } from './database.ts';

const CARD_TOKEN = 'payment_intent.card_token';
const UPI_VPA = 'payment_intent.upi_vpa';
const REFUND_SWEEP_GRACE_MS = 30_000;

type PaymentRow = Awaited<ReturnType<Tx['payment']['findUniqueOrThrow']>>;
const asPayment = (row: PaymentRow): Payment => ({
  id: row.id,
  orderId: row.orderId,
  kind: row.kind as Payment['kind'],
  customerId: row.customerId,
  merchantId: row.merchantId,
  method: row.method as PaymentMethodKind,
  methodSummary: row.methodSummary,
  amountMinor: row.amountMinor,
  refundedMinor: row.refundedMinor,
  currency: row.currency,
  status: row.status as PaymentStatus,
  failureReason: row.failureReason,
  chargeId: row.chargeId,
  holdExpiresAt: row.holdExpiresAt,
  attempts: row.attempts,
  trace: { causeEventId: row.causeEventId, correlationId: row.correlationId, traceparent: row.traceparent },
});

export function paymentStore(tx: Tx, cipher: FieldCipher): PaymentStore {
  const history = (paymentId: string, status: string, detail?: string) => tx.paymentStateChange.create({ data: { paymentId, status, detail: detail ?? null } });
  return {
    async saveIntent(intent) {
      await tx.$executeRawUnsafe(
        'INSERT INTO payment_intent (order_id, method, card_token_encrypted, upi_vpa_encrypted, customer_id, merchant_id) VALUES ($1::uuid, $2, $3, $4, $5::uuid, $6::uuid) ON CONFLICT DO NOTHING',
        intent.orderId,
        intent.method,
        intent.cardToken === null ? null : cipher.encrypt(intent.cardToken, CARD_TOKEN),
        intent.upiVpa === null ? null : cipher.encrypt(intent.upiVpa, UPI_VPA),
        intent.customerId,
        intent.merchantId,
      );
    },
    async findIntent(orderId) {
      const row = await tx.paymentIntent.findUnique({ where: { orderId } });
      return row && { orderId: row.orderId, method: row.method as PaymentMethodKind, customerId: row.customerId, merchantId: row.merchantId, cardToken: decryptNullable(cipher, row.cardTokenEncrypted, CARD_TOKEN), upiVpa: decryptNullable(cipher, row.upiVpaEncrypted, UPI_VPA) };
    },
    async eraseIntentSecrets(orderId) {
      await tx.paymentIntent.updateMany({ where: { orderId }, data: { cardTokenEncrypted: null, upiVpaEncrypted: null } });
    },
    async findPayment(orderId) {
      const row = await tx.payment.findUnique({ where: { orderId } });
      return row && asPayment(row);
    },
    async findPaymentById(paymentId, options) {
      if (options?.lock) await tx.$queryRawUnsafe('SELECT 1 FROM payment WHERE id = $1::uuid FOR UPDATE', paymentId);
      const row = await tx.payment.findUnique({ where: { id: paymentId } });
      return row && asPayment(row);
    },
    async insertPayment(payment, nextAttemptAt) {
      const { trace, ...fields } = payment;
      await tx.payment.create({ data: { ...fields, ...trace, nextAttemptAt } });
      await history(payment.id, payment.status);
    },
    async transition(paymentId, from, to, change) {
      const { count } = await tx.payment.updateMany({
        where: { id: paymentId, status: { in: [...from] } },
        data: {
          status: to,
          ...(change.chargeId !== undefined && change.chargeId !== null ? { chargeId: change.chargeId } : {}),
          ...(change.failureReason !== undefined ? { failureReason: change.failureReason } : {}),
          ...(change.nextAttemptAt !== undefined ? { nextAttemptAt: change.nextAttemptAt } : {}),
        },
      });
      if (count === 1) await history(paymentId, to, change.detail);
      return count === 1;
    },
    async setMethodSummary(paymentId, summary) {
      await tx.payment.update({ where: { id: paymentId }, data: { methodSummary: summary } });
    },
    async scheduleAttempt(paymentId, nextAttemptAt) {
      await tx.payment.updateMany({ where: { id: paymentId, status: { in: ['INITIATED', 'PENDING'] } }, data: { nextAttemptAt, attempts: { increment: 1 } } });
    },
    async recordGatewayCall(paymentId, call) {
      await tx.gatewayCall.create({ data: { paymentId, ...call } });
    },
    async rememberWebhookEvent(id, type) {
      return (await tx.$executeRawUnsafe('INSERT INTO gateway_webhook_event (id, type) VALUES ($1, $2) ON CONFLICT DO NOTHING', id, type)) === 1;
    },
    async refundsHeld(paymentId) {
      const rows = await tx.$queryRawUnsafe<{ held: bigint | null }[]>("SELECT sum(amount_minor) AS held FROM payment_refund WHERE payment_id = $1::uuid AND status IN ('PENDING', 'SUCCEEDED')", paymentId);
      return BigInt(rows[0]?.held ?? 0);
    },
    async insertRefund(refund) {
      // Executed right after commit; the sweeper takes over only if that is lost.
      const { trace, ...fields } = refund;
      await tx.paymentRefund.create({ data: { ...fields, causeEventId: trace.causeEventId, correlationId: trace.correlationId, nextAttemptAt: new Date(Date.now() + REFUND_SWEEP_GRACE_MS) } });
    },
    async findRefund(refundId) {
      const row = await tx.paymentRefund.findUnique({ where: { id: refundId } });
      if (!row) return null;
      const { causeEventId, correlationId, nextAttemptAt: _next, updatedAt: _updated, ...fields } = row;
      return { ...fields, status: row.status as Refund['status'], requestedBy: row.requestedBy as Refund['requestedBy'], trace: { causeEventId, correlationId, traceparent: null } };
    },
    async settleRefund(refundId, outcome) {
      const { count } = await tx.paymentRefund.updateMany({ where: { id: refundId, status: 'PENDING' }, data: { status: outcome.status, nextAttemptAt: null, ...(outcome.status === 'SUCCEEDED' ? { gatewayRefundId: outcome.gatewayRefundId } : {}) } });
      return count === 1;
    },
    async scheduleRefund(refundId, nextAttemptAt) {
      await tx.paymentRefund.updateMany({ where: { id: refundId, status: 'PENDING' }, data: { nextAttemptAt } });
    },
    async addRefunded(paymentId, amountMinor, refundId) {
      const rows = await tx.$queryRawUnsafe<{ status: string }[]>(
        `UPDATE payment SET refunded_minor = refunded_minor + $2,
           status = CASE WHEN refunded_minor + $2 >= amount_minor THEN 'REFUNDED' ELSE 'PARTIALLY_REFUNDED' END, updated_at = now()
         WHERE id = $1::uuid RETURNING status`,
        paymentId,
        amountMinor,
      );
      const status = rows[0]!.status as PaymentStatus;
      await history(paymentId, status, `refund ${refundId}`);
      return status;
    },
  };
}
