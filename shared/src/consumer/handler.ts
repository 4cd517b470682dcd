import type { Envelope, NewEvent } from '../envelope.ts';
import type { EventData, EventDefinition } from '../events/define-event.ts';
import type { SqlTransaction } from '../outbox/sql-client.ts';
import { AppError } from '../errors.ts';

export interface HandlerContext<Tx extends SqlTransaction> {
  /** The transaction the inbox row was written in: every effect belongs in it. */
  tx: Tx;
  envelope: Envelope;
  /** Writes events caused by this one to the outbox, in the same transaction. */
  publish: (events: readonly NewEvent[]) => Promise<void>;
  /**
   * Work to start once this transaction has committed (a call to the outside world, which must
   * never run inside it). Not awaited and lost in a crash: whatever it does, a sweeper must be
   * able to finish from the committed state.
   */
  afterCommit: (task: () => Promise<void>) => void;
  /**
   * Work in this same transaction once every handler of it has run (a batch's, or this one's
   * alone), in the order given, before its outbox rows are written. For row locks best taken
   * last and in one order across the batch: a batch whose handlers each lock shared rows in
   * their own order can deadlock with another (see the ledger's balance rows). Absent when
   * the caller runs the handler on its own (tests): then the handler does that work itself.
   */
  beforeCommit?: (task: () => Promise<void>) => void;
}

/** What a handler's one-statement form is given (see one-statement.ts). */
export interface StatementContext {
  envelope: Envelope;
  /** The database outside any transaction, for reading before the statement what never changes. */
  db: SqlTransaction;
  /** Binds a value to the statement and returns its placeholder (`$7`). */
  param: (value: unknown) => string;
  /** A condition true only when this message was admitted: the change must be gated on it. */
  admitted: string;
}

/** What a one-statement form answers when this message is for its transaction (`handle`) to decide. */
export const IN_TRANSACTION = 'in-transaction';

/** A handler's effect as one data-modifying statement, committed with the message's admission. */
export interface StatementPlan {
  /** e.g. `UPDATE … WHERE … AND ${admitted} RETURNING 1`: it changed something if it returned a row. */
  change: string;
  /** Further data-modifying statements of the same effect, each gated on `admitted` as well. */
  alsoChanges?: readonly string[];
  /** Written to the outbox only if the change returned a row. */
  events?: readonly NewEvent[];
  /** After the commit, only if the change returned a row (a metric, say). */
  whenChanged?: () => void;
  /** Started after the commit, only if the change returned a row: as `HandlerContext.afterCommit`. */
  afterCommit?: () => Promise<void>;
  /**
   * The message is recorded only if the change happened; otherwise nothing is written and it is
   * applied by `handle` in a transaction (the change must guard itself: see one-statement.ts).
   */
  onlyIfChanged?: true;
}

export interface EventHandler<Tx extends SqlTransaction> {
  definition: EventDefinition;
  handle(data: unknown, context: HandlerContext<Tx>): Promise<void>;
  /** Needs nothing but SQL from its transaction (made by `onSql`): may run on plain `pg`. */
  sqlOnly?: true;
  /**
   * The same effect as `handle`, planned as one statement (null: nothing to change). A message
   * that arrives alone, with nothing of its subject parked, is applied this way, outside any
   * transaction; batches and the parking rules use `handle`. Both must do the same thing.
   */
  inOneStatement?: (data: unknown, context: StatementContext) => Promise<StatementPlan | null | typeof IN_TRANSACTION>;
}

/** Pairs an event definition with its handler, typed by the definition's schema. */
export function on<D extends EventDefinition, Tx extends SqlTransaction>(
  definition: D,
  handle: (data: EventData<D>, context: HandlerContext<Tx>) => Promise<void>,
): EventHandler<Tx> {
  return { definition, handle: (data, context) => handle(data as EventData<D>, context) };
}

/**
 * A handler that needs only SQL from its transaction (its stores take a `SqlTransaction`, which
 * the compiler holds them to). A batch of such handlers runs on plain `pg` instead of Prisma.
 */
export function onSql<D extends EventDefinition>(
  definition: D,
  handle: (data: EventData<D>, context: HandlerContext<SqlTransaction>) => Promise<void>,
  inOneStatement?: (data: EventData<D>, context: StatementContext) => Promise<StatementPlan | null | typeof IN_TRANSACTION>,
): EventHandler<SqlTransaction> & { sqlOnly: true } {
  return {
    definition,
    sqlOnly: true,
    handle: (data, context) => handle(data as EventData<D>, context),
    ...(inOneStatement ? { inOneStatement: (data: unknown, context: StatementContext) => inOneStatement(data as EventData<D>, context) } : {}),
  };
}

/** An upgrade that does not give valid data of the new version never will: a validation error (the DLQ at once). */
function upgraded(definition: EventDefinition, data: unknown): unknown {
  const parsed = definition.schema.safeParse(data);
  if (!parsed.success) throw new AppError('validation', `upgrading to ${definition.type} gave invalid data: ${parsed.error.message}`);
  return parsed.data;
}

/**
 * The handlers with one more for every earlier version their events replace (define-event.ts):
 * an old message is validated by its own schema, upgraded, then given to the current handler.
 */
export function withPreviousVersions<Tx extends SqlTransaction>(handlers: readonly EventHandler<Tx>[]): EventHandler<Tx>[] {
  const expanded: EventHandler<Tx>[] = [];
  for (const handler of handlers) {
    expanded.push(handler);
    let current = handler;
    while (current.definition.previous) {
      const { definition, upgrade } = current.definition.previous;
      const newer = current;
      // The newer handler may itself be an upgrade: each step upgrades one version.
      current = { definition, ...(newer.sqlOnly ? { sqlOnly: true as const } : {}), handle: (data, context) => newer.handle(upgraded(newer.definition, upgrade(data)), context) };
      expanded.push(current);
    }
  }
  return expanded;
}
