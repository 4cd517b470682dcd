/**
 * The payment rows the saga touches on every order, in raw SQL: Prisma compiles each model query
 * anew, about a fifth of this service's CPU under load (measured with --cpu-prof). Cold paths
 * (refunds, reports, sweeps) keep Prisma's models.
 */
import type { Payment, PaymentChange } from '../domain/ports.ts';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';

export interface PaymentRow extends Omit<Payment, 'trace' | 'kind' | 'method' | 'status'> {
  kind: string;
  method: string;
  status: string;
  causeEventId: string | null;
  correlationId: string | null;
  traceparent: string | null;
}

const PAYMENT_COLUMNS = `id::text, order_id::text AS "orderId", customer_id::text AS "customerId", merchant_id::text AS "merchantId", kind, method,
  method_summary AS "methodSummary", amount_minor AS "amountMinor", refunded_minor AS "refundedMinor", currency, status,
  failure_reason AS "failureReason", charge_id AS "chargeId", hold_expires_at AS "holdExpiresAt", attempts,
  cause_event_id AS "causeEventId", correlation_id AS "correlationId", traceparent`;

export async function selectPayment(tx: SqlTransaction, by: 'id' | 'order_id', value: string): Promise<PaymentRow | undefined> {
  const rows = await tx.$queryRawUnsafe<PaymentRow[]>(`SELECT ${PAYMENT_COLUMNS} FROM payment WHERE ${by} = $1::uuid`, value);
  return rows[0];
}

/**
 * A new payment with its first history row, and whatever `alsoInsert` adds (the intent that came
 * with the event), in one statement; nothing at all when the order already has a payment (false).
 */
export async function insertPaymentOnce(tx: SqlTransaction, payment: Payment, nextAttemptAt: Date, alsoInsert?: (param: (value: unknown) => string, gate: string) => string): Promise<boolean> {
  const values: unknown[] = [];
  const param = (value: unknown) => `$${values.push(value)}`;
  const also = alsoInsert ? `, also AS (${alsoInsert(param, 'EXISTS (SELECT 1 FROM inserted)')} RETURNING 1)` : '';
  const rows = await tx.$queryRawUnsafe<Array<{ inserted: number }>>(
    `WITH inserted AS (${paymentInsert(payment, nextAttemptAt, param)} ON CONFLICT (order_id) DO NOTHING RETURNING id),
       history AS (INSERT INTO payment_state_change (payment_id, status, detail) SELECT id, ${param(payment.status)}, NULL FROM inserted RETURNING 1)${also}
     SELECT count(*)::int AS inserted FROM inserted`,
    ...values,
  );
  return rows[0]?.inserted === 1;
}

/** The payment's INSERT, bound through `param`; only when `gate` holds, if given. */
function paymentInsert(payment: Payment, nextAttemptAt: Date, param: (value: unknown) => string, gate = 'true'): string {
  const uuid = (value: string | null) => `${param(value)}::uuid`;
  const values = [uuid(payment.id), uuid(payment.orderId), uuid(payment.customerId), uuid(payment.merchantId), param(payment.kind), param(payment.method), param(payment.methodSummary),
    `${param(payment.amountMinor)}::bigint`, `${param(payment.refundedMinor)}::bigint`, param(payment.currency), param(payment.status), param(payment.failureReason), param(payment.chargeId),
    `${param(payment.holdExpiresAt)}::timestamptz`, `${param(nextAttemptAt)}::timestamptz`, `${param(payment.attempts)}::int`, param(payment.trace.causeEventId), param(payment.trace.correlationId), param(payment.trace.traceparent)];
  return `INSERT INTO payment (id, order_id, customer_id, merchant_id, kind, method, method_summary, amount_minor, refunded_minor, currency, status,
       failure_reason, charge_id, hold_expires_at, next_attempt_at, attempts, cause_event_id, correlation_id, traceparent, updated_at)
     SELECT ${values.join(', ')}, now() WHERE ${gate}`;
}

/**
 * A new payment and its first history row as the changes of a one-statement apply (`onlyIfChanged`:
 * the order's unique payment makes a racing copy's statement fail whole).
 */
export function paymentInsertChanges(payment: Payment, nextAttemptAt: Date, param: (value: unknown) => string, admitted: string): { change: string; alsoChanges: string[] } {
  return {
    change: `${paymentInsert(payment, nextAttemptAt, param, admitted)} RETURNING id`,
    alsoChanges: [`INSERT INTO payment_state_change (payment_id, status, detail) SELECT id, ${param(payment.status)}, NULL FROM changed WHERE ${admitted} RETURNING 1`],
  };
}

/** Moves a payment from one of `from` to `to`; a field is changed only when the change names it. */
export async function updatePaymentStatus(tx: SqlTransaction, paymentId: string, from: readonly string[], to: string, change: PaymentChange): Promise<boolean> {
  const values: unknown[] = [];
  return (await tx.$executeRawUnsafe(paymentStatusUpdate(paymentId, from, to, change, (value) => `$${values.push(value)}`), ...values)) === 1;
}

/** The conditional UPDATE of a status change, bound through `param`; `alsoSet` adds assignments. */
export function paymentStatusUpdate(paymentId: string, from: readonly string[], to: string, change: PaymentChange, param: (value: unknown) => string, alsoSet: readonly string[] = []): string {
  const sets = [`status = ${param(to)}`, ...alsoSet, 'updated_at = now()'];
  if (change.chargeId) sets.push(`charge_id = ${param(change.chargeId)}`);
  if (change.failureReason !== undefined) sets.push(`failure_reason = ${param(change.failureReason)}`);
  if (change.nextAttemptAt !== undefined) sets.push(`next_attempt_at = ${param(change.nextAttemptAt)}::timestamptz`);
  return `UPDATE payment SET ${sets.join(', ')} WHERE id = ${param(paymentId)}::uuid AND status = ANY(${param([...from])}::text[])`;
}

export async function insertHistory(tx: SqlTransaction, paymentId: string, status: string, detail: string | null): Promise<void> {
  await tx.$executeRawUnsafe('INSERT INTO payment_state_change (payment_id, status, detail) VALUES ($1::uuid, $2, $3)', paymentId, status, detail);
}
