import { decryptNullable, type FieldCipher } from '@platform/shared/crypto/field-cipher';
import type { ClaimedNotice } from '../domain/ports.ts';
import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import { RECIPIENT } from './notification-store.ts';

interface Row {
  id: string;
  order_id: string;
  template: string;
  recipient_encrypted: string | null;
  subject: string;
  body: string;
  attempts: number;
  created_at: Date;
  cause_event_id: string | null;
  correlation_id: string | null;
}

const CLAIMED = 'RETURNING id, order_id, template, recipient_encrypted, subject, body, attempts, created_at, cause_event_id, correlation_id';

/**
 * Claims due PENDING notices with a lease (one sender at a time; a crashed one's lease runs out).
 * Plain SQL on the service's pool: the sender polls every second, and through Prisma's client
 * these statements were most of this service's idle CPU.
 */
export function noticeClaims(client: SqlTransaction, cipher: FieldCipher) {
  const toNotice = (row: Row): ClaimedNotice => ({ id: row.id, orderId: row.order_id, template: row.template, channel: 'email', recipient: decryptNullable(cipher, row.recipient_encrypted, RECIPIENT) ?? '', subject: row.subject, body: row.body, attempts: row.attempts, createdAt: row.created_at, cause: row.cause_event_id && row.correlation_id ? { eventId: row.cause_event_id, correlationId: row.correlation_id } : null });
  const lease = 'next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)';
  return {
    async claim(id: string, leaseMs: number) {
      const rows = await client.$queryRawUnsafe<Row[]>(`UPDATE notification SET ${lease} WHERE id = $1::uuid AND status = 'PENDING' AND next_attempt_at <= now() ${CLAIMED}`, id, leaseMs);
      return rows[0] ? toNotice(rows[0]) : null;
    },
    async claimDue(limit: number, leaseMs: number) {
      const rows = await client.$queryRawUnsafe<Row[]>(
        `UPDATE notification SET ${lease} WHERE id IN (SELECT id FROM notification WHERE status = 'PENDING' AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) ${CLAIMED}`,
        limit,
        leaseMs,
      );
      return rows.map(toNotice);
    },
    async recordFailure(id: string, error: string, nextAttemptAt: Date | null) {
      // No next attempt: it has failed for good.
      await client.$executeRawUnsafe(
        `UPDATE notification SET attempts = attempts + 1, last_error = $2, next_attempt_at = COALESCE($3::timestamptz, next_attempt_at),
           status = CASE WHEN $3::timestamptz IS NULL THEN 'FAILED' ELSE status END
         WHERE id = $1::uuid AND status = 'PENDING'`,
        id,
        error,
        nextAttemptAt,
      );
    },
  };
}
