/**
 * The append-only audit trail every service database has (audit_log; a trigger refuses
 * UPDATE, DELETE and TRUNCATE). Written by the service that acts, in the same transaction as
 * the action when there is one. Actors and targets are ids, never personal data or secrets.
 */
import { currentLogContext } from '../logger.ts';
import type { SqlTransaction } from '../outbox/sql-client.ts';

export interface AuditEntry {
  /** `customer:<id>`, `merchant:<id>`, `admin:<id>`, `client:<id>`, `service:<name>`, `anonymous`. */
  actor: string;
  action: string;
  target?: string | null;
  outcome: 'success' | 'failure';
  details?: Record<string, unknown>;
}

export async function recordAudit(db: SqlTransaction, entry: AuditEntry): Promise<void> {
  await db.$executeRawUnsafe(
    'INSERT INTO audit_log (actor, action, target, outcome, correlation_id, details) VALUES ($1, $2, $3, $4, $5, $6)',
    entry.actor,
    entry.action,
    entry.target ?? null,
    entry.outcome,
    currentLogContext().correlationId ?? null,
    entry.details ? JSON.stringify(entry.details) : null,
  );
}

export interface AuditRow {
  id: string;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  outcome: string;
  correlationId: string | null;
  details: unknown;
}

/** The newest entries first, optionally since a time; bounded. */
export async function readAudit(db: SqlTransaction, options: { since?: Date | undefined; limit: number }): Promise<AuditRow[]> {
  const rows = await db.$queryRawUnsafe<Array<{ id: bigint; at: Date; actor: string; action: string; target: string | null; outcome: string; correlation_id: string | null; details: string | null }>>(
    'SELECT id, at, actor, action, target, outcome, correlation_id, details FROM audit_log WHERE at >= $1 ORDER BY at DESC, id DESC LIMIT $2',
    options.since ?? new Date(0),
    options.limit,
  );
  return rows.map((row) => ({
    id: String(row.id),
    at: row.at.toISOString(),
    actor: row.actor,
    action: row.action,
    target: row.target,
    outcome: row.outcome,
    correlationId: row.correlation_id,
    details: row.details ? (JSON.parse(row.details) as unknown) : null,
  }));
}
