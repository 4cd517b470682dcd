/**
 * A gateway's answer recorded in one statement, outside any transaction: the status change, its
 * history row, the gateway call, the secrets' erasure and the outbox rows are CTEs gated on the
 * conditional UPDATE, so PostgreSQL commits all of them or, when the payment was no longer
 * waiting, none. The transaction it replaces took eight round trips (BEGIN … COMMIT), each a
 * system call and a wake-up on both sides: on the saga's path, that was most of its cost.
 */
import type { Envelope } from '@platform/shared/envelope';
import { outboxInsert, OUTBOX_RETURNING, WAKE_RELAY } from '@platform/shared/outbox/write-events';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import type { Payment, Settlement } from '../domain/ports.ts';
import { paymentStatusUpdate } from './payment-sql.ts';

export async function settleInOneStatement(db: SqlTransaction, payment: Payment, settlement: Settlement, methodSummary: string, envelopes: readonly Envelope[]): Promise<boolean> {
  const values: unknown[] = [];
  const param = (value: unknown) => `$${values.push(value)}`;
  const moved = paymentStatusUpdate(payment.id, settlement.from, settlement.to, settlement.change, param, [`method_summary = ${param(methodSummary)}`]);
  const ctes = [
    `moved AS (${moved} RETURNING id)`,
    `history AS (INSERT INTO payment_state_change (payment_id, status, detail) SELECT id, ${param(settlement.to)}, ${param(settlement.change.detail ?? null)} FROM moved RETURNING 1)`,
  ];
  const { call } = settlement;
  if (call) {
    ctes.push(`called AS (INSERT INTO gateway_call (payment_id, kind, idempotency_key, outcome, reference)
      SELECT id, ${param(call.kind)}, ${param(call.idempotencyKey)}, ${param(call.outcome)}, ${param(call.reference)} FROM moved RETURNING 1)`);
  }
  if (settlement.ended) {
    ctes.push(`erased AS (UPDATE payment_intent SET card_token_encrypted = NULL, upi_vpa_encrypted = NULL WHERE order_id = ${param(payment.orderId)}::uuid AND EXISTS (SELECT 1 FROM moved) RETURNING 1)`);
  }
  let woken = '';
  if (envelopes.length > 0) {
    const insert = outboxInsert(envelopes, values.length + 1);
    values.push(...insert.values);
    ctes.push(`announced AS (${insert.sql} WHERE EXISTS (SELECT 1 FROM moved) ${OUTBOX_RETURNING})`);
    // The relay is woken only when rows were written (NOTIFY is delivered at commit).
    woken = `, ${WAKE_RELAY} AS woken`;
  }
  const [row] = await db.$queryRawUnsafe<Array<{ moved: boolean }>>(`WITH ${ctes.join(',\n  ')} SELECT EXISTS (SELECT 1 FROM moved) AS moved${woken}`, ...values);
  return row?.moved === true;
}
