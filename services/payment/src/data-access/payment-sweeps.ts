import type { SqlTransaction } from '@platform/shared/outbox/sql-client';

// Plain SQL on the service's pool (the sweeper polls every second; Prisma's client was most of
// this service's idle CPU).

/**
 * Claims unfinished payments whose time to look has come, for `leaseMs` (another instance's
 * sweeper skips them meanwhile; a crash hands them back when the lease ends).
 */
export async function claimStalePayments(client: SqlTransaction, limit: number, leaseMs: number): Promise<string[]> {
  const rows = await client.$queryRawUnsafe<{ id: string }[]>(
    `UPDATE payment SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
     WHERE id IN (SELECT id FROM payment WHERE status IN ('INITIATED', 'PENDING') AND next_attempt_at <= now()
                  ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING id`,
    limit,
    leaseMs,
  );
  return rows.map((row) => row.id);
}

export async function claimPendingRefunds(client: SqlTransaction, limit: number, leaseMs: number): Promise<string[]> {
  const rows = await client.$queryRawUnsafe<{ id: string }[]>(
    `UPDATE payment_refund SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
     WHERE id IN (SELECT id FROM payment_refund WHERE status = 'PENDING' AND next_attempt_at <= now()
                  ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING id`,
    limit,
    leaseMs,
  );
  return rows.map((row) => row.id);
}

/** Gateway event ids are remembered 30 days (the gateway gives up retrying after three). */
export async function pruneWebhookEvents(client: SqlTransaction): Promise<number> {
  return client.$executeRawUnsafe(`DELETE FROM gateway_webhook_event WHERE received_at < now() - interval '30 days'`);
}
