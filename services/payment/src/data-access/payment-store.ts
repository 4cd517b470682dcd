import { decryptNullable, type FieldCipher } from '@platform/shared/crypto/field-cipher';
import type { Payment, PaymentMethodKind, PaymentStatus, PaymentStore, Refund } from '../domain/ports.ts';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import { insertHistory, insertPaymentOnce, selectPayment, updatePaymentStatus, type PaymentRow } from './payment-sql.ts';
import { CARD_TOKEN, intentInsert, UPI_VPA } from './intent-sql.ts';
const REFUND_SWEEP_GRACE_MS = 30_000;
const REFUND_COLUMNS = `id::text, payment_id::text AS "paymentId", amount_minor AS "amountMinor", currency, reason, status, gateway_refund_id AS "gatewayRefundId",
  requested_by AS "requestedBy", created_at AS "createdAt", cause_event_id AS "causeEventId", correlation_id AS "correlationId"`;

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

/** The payment store on one transaction, in SQL alone (it runs on plain `pg` as well as Prisma). */
export function paymentStore(tx: SqlTransaction, cipher: FieldCipher): PaymentStore {
  const history = (paymentId: string, status: string, detail?: string) => insertHistory(tx, paymentId, status, detail ?? null);
  return {
    async saveIntent(intent) {
      const values: unknown[] = [];
      await tx.$executeRawUnsafe(intentInsert(intent, cipher, (value) => `$${values.push(value)}`), ...values);
    },
    async findIntent(orderId) {
      const rows = await tx.$queryRawUnsafe<Array<{ orderId: string; method: string; customerId: string | null; merchantId: string | null; cardTokenEncrypted: string | null; upiVpaEncrypted: string | null }>>(
        'SELECT order_id::text AS "orderId", method, customer_id::text AS "customerId", merchant_id::text AS "merchantId", card_token_encrypted AS "cardTokenEncrypted", upi_vpa_encrypted AS "upiVpaEncrypted" FROM payment_intent WHERE order_id = $1::uuid',
        orderId,
      );
      const row = rows[0];
      return row ? { orderId: row.orderId, method: row.method as PaymentMethodKind, customerId: row.customerId, merchantId: row.merchantId, cardToken: decryptNullable(cipher, row.cardTokenEncrypted, CARD_TOKEN), upiVpa: decryptNullable(cipher, row.upiVpaEncrypted, UPI_VPA) } : null;
    },
    async eraseIntentSecrets(orderId) {
      await tx.$executeRawUnsafe('UPDATE payment_intent SET card_token_encrypted = NULL, upi_vpa_encrypted = NULL WHERE order_id = $1::uuid', orderId);
    },
    async findPayment(orderId) {
      const row = await selectPayment(tx, 'order_id', orderId);
      return row ? asPayment(row) : null;
    },
    async findPaymentById(paymentId, options) {
      if (options?.lock) await tx.$queryRawUnsafe('SELECT 1 FROM payment WHERE id = $1::uuid FOR UPDATE', paymentId);
      const row = await selectPayment(tx, 'id', paymentId);
      return row ? asPayment(row) : null;
    },
    insertPayment: (payment, nextAttemptAt, intent) => insertPaymentOnce(tx, payment, nextAttemptAt, intent ? (param, gate) => intentInsert(intent, cipher, param, gate) : undefined),
    async transition(paymentId, from, to, change) {
      const moved = await updatePaymentStatus(tx, paymentId, from, to, change);
      if (moved) await history(paymentId, to, change.detail);
      return moved;
    },
    async setMethodSummary(paymentId, summary) {
      await tx.$executeRawUnsafe('UPDATE payment SET method_summary = $2, updated_at = now() WHERE id = $1::uuid', paymentId, summary);
    },
    async scheduleAttempt(paymentId, nextAttemptAt) {
      await tx.$executeRawUnsafe("UPDATE payment SET next_attempt_at = $2, attempts = attempts + 1, updated_at = now() WHERE id = $1::uuid AND status IN ('INITIATED', 'PENDING')", paymentId, nextAttemptAt);
    },
    async recordGatewayCall(paymentId, call) {
      await tx.$executeRawUnsafe('INSERT INTO gateway_call (payment_id, kind, idempotency_key, outcome, reference) VALUES ($1::uuid, $2, $3, $4, $5)', paymentId, call.kind, call.idempotencyKey, call.outcome, call.reference);
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
      await tx.$executeRawUnsafe(
        `INSERT INTO payment_refund (id, payment_id, amount_minor, currency, reason, status, gateway_refund_id, requested_by, cause_event_id, correlation_id, next_attempt_at, created_at, updated_at)
         VALUES ($1::uuid, $2::uuid, $3::bigint, $4, $5, $6, $7, $8, $9, $10, $11, $12, now())`,
        refund.id,
        refund.paymentId,
        refund.amountMinor,
        refund.currency,
        refund.reason,
        refund.status,
        refund.gatewayRefundId,
        refund.requestedBy,
        refund.trace.causeEventId,
        refund.trace.correlationId,
        new Date(Date.now() + REFUND_SWEEP_GRACE_MS),
        refund.createdAt,
      );
    },
    async findRefund(refundId) {
      const rows = await tx.$queryRawUnsafe<Array<Omit<Refund, 'trace'> & { causeEventId: string | null; correlationId: string | null }>>(`SELECT ${REFUND_COLUMNS} FROM payment_refund WHERE id = $1::uuid`, refundId);
      const row = rows[0];
      if (!row) return null;
      const { causeEventId, correlationId, ...fields } = row;
      return { ...fields, trace: { causeEventId, correlationId, traceparent: null } };
    },
    async settleRefund(refundId, outcome) {
      const count = await tx.$executeRawUnsafe(
        "UPDATE payment_refund SET status = $2, next_attempt_at = NULL, gateway_refund_id = COALESCE($3, gateway_refund_id), updated_at = now() WHERE id = $1::uuid AND status = 'PENDING'",
        refundId,
        outcome.status,
        outcome.status === 'SUCCEEDED' ? outcome.gatewayRefundId : null,
      );
      return count === 1;
    },
    async scheduleRefund(refundId, nextAttemptAt) {
      await tx.$executeRawUnsafe("UPDATE payment_refund SET next_attempt_at = $2, updated_at = now() WHERE id = $1::uuid AND status = 'PENDING'", refundId, nextAttemptAt);
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
