import type { SqlTransaction } from '@platform/shared/outbox/sql-client';
import type { PrismaClient } from './generated/client.ts';

/** Pending charges whose moment has come: an asynchronous card to confirm, a collect request expired. */
export async function duePendingCharges(client: SqlTransaction, limit: number): Promise<{ id: string; method_type: string }[]> {
  return client.$queryRawUnsafe(
    `SELECT id, method_type FROM charge
     WHERE status = 'pending' AND ((confirm_at IS NOT NULL AND confirm_at <= now()) OR (expires_at IS NOT NULL AND expires_at <= now()))
     ORDER BY created_at LIMIT $1`,
    limit,
  );
}

export interface DueWebhook {
  id: string;
  payload: string;
  attempts: number;
  created_at: Date;
}

/** Claims due deliveries for `leaseMs` (another sender instance skips them meanwhile). */
export async function claimDueWebhooks(client: SqlTransaction, limit: number, leaseMs: number): Promise<DueWebhook[]> {
  return client.$queryRawUnsafe(
    `UPDATE webhook_event SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
     WHERE id IN (SELECT id FROM webhook_event WHERE delivered_at IS NULL AND abandoned_at IS NULL AND next_attempt_at <= now()
                  ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING id, payload, attempts, created_at`,
    limit,
    leaseMs,
  );
}

export async function recordDelivery(client: PrismaClient, id: string, result: { status: number | null; delivered: boolean; nextAttemptAt: Date | null }): Promise<void> {
  await client.webhookEvent.update({
    where: { id },
    data: {
      attempts: { increment: 1 },
      lastStatus: result.status,
      ...(result.delivered ? { deliveredAt: new Date() } : result.nextAttemptAt ? { nextAttemptAt: result.nextAttemptAt } : { abandonedAt: new Date() }),
    },
  });
}

/** Delivered and abandoned events are kept for a while, then forgotten. */
export async function pruneWebhooks(client: PrismaClient, retentionDays: number): Promise<number> {
  return client.$executeRawUnsafe(
    `DELETE FROM webhook_event WHERE (delivered_at IS NOT NULL OR abandoned_at IS NOT NULL) AND created_at < now() - make_interval(days => $1)`,
    retentionDays,
  );
}
