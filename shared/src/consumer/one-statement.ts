/**
 * A message applied in one statement, outside any transaction: the parking check, the inbox row,
 * the handler's change and the events it causes are CTEs of a single statement, which PostgreSQL
 * commits as a whole. A transaction of the same work costs five round trips (BEGIN, admission,
 * change, outbox, COMMIT), and each round trip costs both processes a system call and a wake-up:
 * once Prisma was gone, that was the largest item in the services' profiles and PostgreSQL's.
 *
 * Same guarantees as the transaction: the change and the events happen only if the inbox row is
 * written now (a duplicate, even a concurrent one, waits on the inbox key and then changes
 * nothing); a failed statement leaves nothing; a subject with something parked changes nothing
 * here and goes through the parking rules in a transaction instead (answer `parked`).
 *
 * A plan marked `onlyIfChanged` is the happy path of a handler whose other outcomes are decided in
 * its transaction (a hold that expired meanwhile must announce the failure): the inbox row is
 * written only if the change happened, and nothing at all otherwise (answer `unchanged`: the
 * caller applies the message in a transaction). Its change must guard itself (a conditional
 * UPDATE of a state, a unique key): two copies racing both pass the "not seen yet" check, and the
 * change is what lets one of them through. The inbox insert then has no ON CONFLICT: if a copy
 * was recorded meanwhile, the statement fails and undoes its change.
 */
import type { Envelope } from '../envelope.ts';
import { AppError } from '../errors.ts';
import { asUnavailableWhenSaturated } from '../dependency-outage.ts';
import { envelopesOf, outboxInsert, OUTBOX_RETURNING, WAKE_RELAY } from '../outbox/write-events.ts';
import type { SqlTransaction } from '../outbox/sql-client.ts';
import { IN_TRANSACTION, type EventHandler, type StatementPlan } from './handler.ts';
import { ADMISSION, MESSAGES_AND_PARKED } from './inbox.ts';
import { causeOf, type AfterCommitRunner } from './apply-steps.ts';

/** Applied (the change may have matched nothing), a duplicate, a parked subject, or nothing done (`onlyIfChanged`, IN_TRANSACTION). */
export type StatementOutcome = 'applied' | 'duplicate' | 'parked' | 'unchanged';

/** What a handler writes in its change; replaced by the condition of the plan's mode. */
const ADMITTED = 'EXISTS (SELECT 1 FROM recorded)';
const UNSEEN = '(NOT EXISTS (SELECT 1 FROM parked) AND NOT EXISTS (SELECT 1 FROM seen))';

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
  if (plan === IN_TRANSACTION) return 'unchanged';
  const [row] = await db
    .$queryRawUnsafe<Array<{ parked: boolean; seen: boolean; admitted: boolean; changed: boolean }>>(statementOf(plan, consumer.source, envelope, values), ...values)
    .then(
      (rows) => rows,
      // A racing copy (or another path) took the row's unique key first: nothing was written, the transaction decides.
      (error: unknown) => (plan?.onlyIfChanged && isUniqueViolation(error) ? [] : asUnavailableWhenSaturated(error)),
    );
  if (!row && plan?.onlyIfChanged) return 'unchanged';
  if (!row) throw new AppError('internal', 'the one-statement apply returned no row');
  if (row.parked) return 'parked';
  if (row.seen || !(row.admitted || plan?.onlyIfChanged)) return 'duplicate';
  if (!row.changed) return plan?.onlyIfChanged ? 'unchanged' : 'applied';
  if (plan) {
    plan.whenChanged?.();
    if (plan.afterCommit) runAfterCommit([plan.afterCommit]);
  }
  return 'applied';
}

/** The statement for this plan; binds the outbox rows' values after the handler's own. */
function statementOf(plan: StatementPlan | null, source: string, envelope: Envelope, values: unknown[]): string {
  const changes = plan ? [plan.change, ...(plan.alsoChanges ?? [])] : [];
  // A change not gated on admission would be applied again by every redelivery: refused outright.
  if (changes.some((change) => !change.includes(ADMITTED))) throw new AppError('internal', `a one-statement change for ${envelope.type} is not gated on admission`);
  const gated = (change: string) => (plan?.onlyIfChanged ? change.replaceAll(ADMITTED, UNSEEN) : change);
  const changeCtes = [`changed AS (${gated(changes[0] ?? 'SELECT 1 WHERE false')})`, ...changes.slice(1).map((also, index) => `also_${index} AS (${gated(also)})`)].join(',\n    ');
  const admission = plan?.onlyIfChanged
    ? `${MESSAGES_AND_PARKED},
     seen AS (SELECT 1 FROM inbox WHERE consumer = $1 AND message_id IN (SELECT message_id FROM m)),
     ${changeCtes},
     recorded AS (
       INSERT INTO inbox (consumer, message_id, event_type, attempt)
       SELECT $1, message_id, event_type, attempt FROM m WHERE EXISTS (SELECT 1 FROM changed) RETURNING message_id)`
    : `${ADMISSION}, ${changeCtes}`;
  const envelopes = plan?.events?.length ? envelopesOf({ source, cause: causeOf(envelope) })(plan.events) : [];
  const outcome = `EXISTS (SELECT 1 FROM parked) AS parked, ${plan?.onlyIfChanged ? 'EXISTS (SELECT 1 FROM seen)' : 'false'} AS seen,
    EXISTS (SELECT 1 FROM recorded) AS admitted, EXISTS (SELECT 1 FROM changed) AS changed`;
  if (envelopes.length === 0) return `WITH ${admission} SELECT ${outcome}`;
  const insert = outboxInsert(envelopes, values.length + 1);
  values.push(...insert.values);
  // The relay is woken only when rows were written (NOTIFY is delivered at commit).
  return `WITH ${admission},
    announced AS (${insert.sql} WHERE EXISTS (SELECT 1 FROM changed) ${OUTBOX_RETURNING})
    SELECT ${outcome}, ${WAKE_RELAY} AS woken`;
}

/** SQLSTATE 23505, as `pg` reports it, or inside Prisma's raw-query error (P2010). */
function isUniqueViolation(error: unknown): boolean {
  const { code, meta } = error as { code?: string; meta?: { code?: string } };
  return code === '23505' || meta?.code === '23505';
}
