/**
 * A message applied in one statement, outside any transaction: the parking check, the inbox row,
 * the handler's change and the events it causes are CTEs of a single statement, which PostgreSQL
 * commits as a whole. A transaction of the same work costs five round trips (BEGIN, admission,
 * change, outbox, COMMIT), and each round trip costs both processes a system call and a wake-up:
 * once Prisma was gone, that was the largest item in the services' profiles and PostgreSQL's.
 *
 * Same guarantees as the transaction: the change and the events happen only if the inbox row was
 * written now (a duplicate, even a concurrent one, waits on the inbox key and then changes
 * nothing); a failed statement leaves nothing; a subject with something parked changes nothing
 * here and goes through the parking rules in a transaction instead (answer `parked`).
 */
import type { Envelope } from '../envelope.ts';
import { AppError } from '../errors.ts';
import { asUnavailableWhenSaturated } from '../dependency-outage.ts';
import { envelopesOf, outboxInsert } from '../outbox/write-events.ts';
import type { SqlTransaction } from '../outbox/sql-client.ts';
import type { EventHandler, StatementPlan } from './handler.ts';
import { ADMISSION } from './inbox.ts';
import { causeOf, type AfterCommitRunner } from './apply-steps.ts';

/** What the statement found: applied (the change may still have matched nothing), a duplicate, or a parked subject. */
export type StatementOutcome = 'applied' | 'duplicate' | 'parked';

const ADMITTED = 'EXISTS (SELECT 1 FROM recorded)';

export async function applyInOneStatement(
  db: SqlTransaction,
  consumer: { queue: string; source: string },
  envelope: Envelope,
  attempt: number,
  planOf: NonNullable<EventHandler<SqlTransaction>['inOneStatement']>,
  data: unknown,
  runAfterCommit: AfterCommitRunner,
): Promise<StatementOutcome> {
  const values: unknown[] = [consumer.queue, [envelope.id], [envelope.type], [attempt], [envelope.subject]];
  const param = (value: unknown) => `$${values.push(value)}`;
  const plan = await planOf(data, { envelope, db, param, admitted: ADMITTED });
  const [row] = await db
    .$queryRawUnsafe<Array<{ parked: boolean; admitted: boolean; changed: boolean }>>(statementOf(plan, consumer.source, envelope, values), ...values)
    .then((rows) => rows, asUnavailableWhenSaturated);
  if (!row) throw new AppError('internal', 'the one-statement apply returned no row');
  if (row.parked) return 'parked';
  if (!row.admitted) return 'duplicate';
  if (row.changed && plan) {
    plan.whenChanged?.();
    if (plan.afterCommit) runAfterCommit([plan.afterCommit]);
  }
  return 'applied';
}

/** The statement for this plan; binds the outbox rows' values after the handler's own. */
function statementOf(plan: StatementPlan | null, source: string, envelope: Envelope, values: unknown[]): string {
  // A change not gated on admission would be applied again by every redelivery: refused outright.
  const changes = plan ? [plan.change, ...(plan.alsoChanges ?? [])] : [];
  if (changes.some((change) => !change.includes(ADMITTED))) throw new AppError('internal', `a one-statement change for ${envelope.type} is not gated on admission`);
  const changeCtes = [`changed AS (${changes[0] ?? 'SELECT 1 WHERE false'})`, ...changes.slice(1).map((also, index) => `also_${index} AS (${also})`)].join(',\n    ');
  const envelopes = plan?.events?.length ? envelopesOf({ source, cause: causeOf(envelope) })(plan.events) : [];
  const outcome = 'EXISTS (SELECT 1 FROM parked) AS parked, EXISTS (SELECT 1 FROM recorded) AS admitted, EXISTS (SELECT 1 FROM changed) AS changed';
  if (envelopes.length === 0) return `WITH ${ADMISSION}, ${changeCtes} SELECT ${outcome}`;
  const insert = outboxInsert(envelopes, values.length + 1);
  values.push(...insert.values);
  // The relay is woken only when rows were written (NOTIFY is delivered at commit).
  return `WITH ${ADMISSION}, ${changeCtes},
    announced AS (${insert.sql} WHERE EXISTS (SELECT 1 FROM changed) RETURNING 1)
    SELECT ${outcome}, (SELECT pg_notify('outbox', '') FROM announced LIMIT 1) AS woken`;
}
