/**
 * The outbox relay for one service database. Each round, in one transaction:
 *   1. one statement takes ownership of up to `partitionsPerClaim` partitions that have unsent
 *      rows (pg_try_advisory_xact_lock: a partition another relay holds is skipped, not waited
 *      for), and marks and returns their oldest unsent rows (relay-claim.ts);
 *   2. publish them all, persistent, in seq order, and wait for the broker's confirms once;
 *   3. commit, which records the mark and releases the partitions (the commit does not wait for
 *      its WAL flush: see RELAY_SESSION_SETTINGS).
 * A crash or a failed publish anywhere before the commit rolls the mark back, so the rows are
 * published again: delivery is at least once and consumers deduplicate by event id. Owning whole
 * partitions, rather than skip-locking single rows, is what keeps one aggregate's events in
 * commit order with several relays: a relay can never publish a later event of an aggregate
 * while another still holds an earlier one.
 */
import pg from 'pg';
import type { Logger } from '../logger.ts';
import { CLOUDEVENTS_CONTENT_TYPE } from '../envelope.ts';
import type { ConfirmPublisher, OutgoingMessage } from '../amqp/confirm-publisher.ts';
import { startPublishSpans } from '../telemetry/tracing.ts';
import { describeError } from '../errors.ts';
import { outboxLag, type OutboxLag } from './outbox-lag.ts';
import { claimAndMarkStatement } from './relay-claim.ts';
import { hearConnectionErrors } from '../service/sql-transaction.ts';

/**
 * The relay's connections: no JIT (it compiles for milliseconds to save microseconds on these
 * short queries), and commits that do not wait for the WAL flush. A round's commit only makes
 * "these rows were sent" durable, after the broker confirmed them; if a database crash loses it
 * (the last fraction of a second of commits, never a torn one), the rows are simply sent again
 * and consumers skip them by event id, which is the relay's contract for every failure anyway.
 * The commits that carry the saga's effects and their outbox rows stay synchronous. Waiting for
 * the flush cost a round ~70-90 µs of PostgreSQL CPU and ~250 µs of wall time, measured here.
 */
const RELAY_SESSION_SETTINGS = '-c jit=off -c synchronous_commit=off';

/** Advisory-lock namespace (first key) for outbox partitions. */
const PARTITION_LOCK_NAMESPACE = 0x0b0c;
/** While commits are notified, polls are this many intervals apart. */
const LISTENING_POLL_FACTOR = 5;

export interface RelayOptions {
  databaseUrl: string;
  publisher: ConfirmPublisher;
  logger: Logger;
  batchSize?: number;
  partitionsPerClaim?: number;
  pollIntervalMs?: number;
  /** Concurrent claim rounds in this process, each on its own partitions and connection. */
  lanes?: number;
  /** Test hook: sleep this long after confirms and before marking rows sent. */
  pauseBeforeMarkMs?: number;
  /** The publisher's broker user, stamped as `user_id` (RabbitMQ checks it; consumers trust it). */
  userId?: string | undefined;
  /** Test hook: publish every event twice, as a redelivery storm would. */
  publishEachTwice?: boolean;
  /** Events no queue consumes are marked sent without being sent (they stay in the outbox for the timeline). */
  isConsumed?: (eventType: string) => boolean;
  /** Told after each committed round (metrics). */
  onRound?: (outcome: { published: number } | { failed: true }) => void;
}

interface OutboxRow {
  seq: string;
  partition_key: number;
  event_id: string;
  exchange: string;
  routing_key: string;
  envelope: string;
  created_at: Date;
}

export class OutboxRelay {
  private readonly pool: pg.Pool;
  private listener: pg.Client | null = null;
  private stopped = false;
  private readonly batchSize: number;
  private readonly partitionsPerClaim: number;
  private readonly pollIntervalMs: number;
  private readonly lanes: number;
  private readonly claimStatement: { name: string; text: string };
  private readonly idlers = new Set<() => void>();
  private readonly lanesInRound = new Set<{ recheck: boolean }>();
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly options: RelayOptions) {
    this.lanes = options.lanes ?? 2;
    this.pool = hearConnectionErrors(new pg.Pool({ connectionString: options.databaseUrl, max: this.lanes + 1, options: RELAY_SESSION_SETTINGS }));
    this.pool.on('error', (error) => options.logger.warn({ err: error.message }, 'relay pool error'));
    this.batchSize = options.batchSize ?? 1_000;
    this.partitionsPerClaim = options.partitionsPerClaim ?? 16;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.claimStatement = claimAndMarkStatement({ lockNamespace: PARTITION_LOCK_NAMESPACE, partitionsPerClaim: this.partitionsPerClaim, batchSize: this.batchSize });
  }

  /** Runs until stop(); never throws (errors are logged and the round retried after a pause). */
  async run(): Promise<void> {
    this.listenForCommits();
    this.running = Promise.all(Array.from({ length: this.lanes }, () => this.runLane())).then(() => undefined);
    await this.running;
  }

  /**
   * A lane runs a round when woken (a commit's NOTIFY, the poll interval, a full batch elsewhere)
   * and runs another at once only if there may be more: its batch was full, or a commit was
   * notified while its round ran (that commit may be newer than the round's snapshot, or sit in a
   * partition the lane held). Otherwise a round per event would be three: the woken one, the
   * lane's own "anything left?", and the other lane's, woken by the same NOTIFY, finding nothing.
   * Lanes never share a partition (each owns its own for the round), so order is kept.
   */
  private async runLane(): Promise<void> {
    const lane = { recheck: false };
    let failures = 0;
    while (!this.stopped) {
      lane.recheck = false;
      this.lanesInRound.add(lane);
      try {
        const { published, more } = await this.relayOnce();
        this.lanesInRound.delete(lane);
        this.options.onRound?.({ published });
        failures = 0;
        if (more) this.wakeOne(); // a backlog: another lane takes partitions this one did not
        if (more || lane.recheck) continue;
        // Nothing more known: sleep until a commit notifies, or the poll interval. Polling only
        // covers what no notification announces: commits while the listener reconnects (then
        // every interval) and rows a dead relay left unsent (then a few intervals late: twelve
        // empty rounds a second across six databases were the relay's whole idle cost).
        await this.idle(this.listener ? this.pollIntervalMs * LISTENING_POLL_FACTOR : this.pollIntervalMs);
      } catch (error) {
        this.lanesInRound.delete(lane);
        failures += 1;
        this.options.onRound?.({ failed: true });
        this.options.logger.warn({ err: describeError(error), failures }, 'relay round failed; will retry');
        await this.idle(Math.min(5_000, 100 * 2 ** Math.min(failures, 6)));
      }
    }
  }

  /** A commit wrote outbox rows: lanes in a round look again after it; if none is in one, one wakes. */
  private notified(): void {
    if (this.lanesInRound.size === 0) return this.wakeOne();
    for (const lane of this.lanesInRound) lane.recheck = true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeAll();
    await this.running; // a round in progress finishes (or rolls back) before its pool closes
    await this.listener?.end().catch(() => undefined);
    await this.pool.end();
  }

  /** How far behind this database's outbox is (for the relay's metrics). */
  lag(): Promise<OutboxLag> {
    return outboxLag({
      $queryRawUnsafe: async <T>(query: string, ...values: unknown[]) => (await this.pool.query(query, values)).rows as T,
      $executeRawUnsafe: async (query: string, ...values: unknown[]) => (await this.pool.query(query, values)).rowCount ?? 0,
    });
  }

  /** One claim-publish-commit round. Exposed for tests and the benchmark. */
  async relayOnce(): Promise<{ published: number; more: boolean }> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const claimed = await client.query<OutboxRow>(this.claimStatement);
      // RETURNING does not keep the scan's order: publish in seq order (one aggregate's events in commit order).
      const rows = claimed.rows.sort((a, b) => (BigInt(a.seq) < BigInt(b.seq) ? -1 : 1));
      const consumed = this.options.isConsumed ? rows.filter((row) => this.options.isConsumed!(row.routing_key)) : rows;
      const spans = startPublishSpans(consumed);
      const messages = consumed.map((row, index) => toMessage(row, this.options.userId, spans.headers(index)));
      try {
        await this.options.publisher.publishAll(this.options.publishEachTwice ? messages.flatMap((message) => [message, message]) : messages);
        spans.end();
      } catch (error) {
        spans.end(error);
        throw error;
      }
      if (this.options.pauseBeforeMarkMs) {
        this.options.logger.info({ count: rows.length }, 'relay.paused-before-mark');
        await new Promise((resolve) => setTimeout(resolve, this.options.pauseBeforeMarkMs));
      }
      // The mark is recorded only now: a crash or a failed publish before this rolls it back.
      await client.query('COMMIT');
      if (rows.length > 0) this.options.logger.debug({ count: rows.length }, 'relayed');
      // Full: the batch, or every partition a round may own (others may hold unsent rows too).
      const more = rows.length >= this.batchSize || new Set(rows.map((row) => row.partition_key)).size >= this.partitionsPerClaim;
      return { published: rows.length, more };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.idlers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.idlers.add(done);
    });
  }

  private wakeAll(): void {
    for (const wake of [...this.idlers]) wake();
  }

  private wakeOne(): void {
    const [wake] = this.idlers;
    wake?.();
  }

  /** LISTEN for commits that wrote outbox rows; polling covers any gap while it reconnects. */
  private listenForCommits(): void {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.options.databaseUrl });
    const retry = () => {
      if (this.listener === client) this.listener = null;
      client.end().catch(() => undefined);
      if (!this.stopped) setTimeout(() => this.listenForCommits(), 1_000);
    };
    client.on('notification', () => this.notified());
    client.on('error', (error) => {
      this.options.logger.warn({ err: error.message }, 'outbox listener lost; polling until it is back');
      retry();
    });
    client
      .connect()
      .then(() => client.query('LISTEN outbox'))
      .then(() => {
        this.listener = client;
      })
      .catch(retry);
  }
}

function toMessage(row: OutboxRow, userId: string | undefined, headers: Record<string, string>): OutgoingMessage {
  return {
    exchange: row.exchange,
    routingKey: row.routing_key,
    body: Buffer.from(row.envelope, 'utf8'),
    options: {
      persistent: true,
      messageId: row.event_id,
      type: row.routing_key,
      contentType: CLOUDEVENTS_CONTENT_TYPE,
      timestamp: Math.floor(row.created_at.getTime() / 1000),
      ...(userId ? { userId } : {}),
      // The producer span's trace context (W3C), when tracing is on.
      ...(headers.traceparent ? { headers } : {}),
    },
  };
}
