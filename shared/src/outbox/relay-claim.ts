/**
 * A relay round's one statement: take ownership of up to $2 partitions that have unsent rows,
 * and mark (uncommitted) and return their oldest $4 unsent rows.
 *
 * - Only partitions with unsent rows are tried (a wake-up for one row must not claim half the
 *   partitions at random and miss it), in a shuffled order so relays share them; one index probe
 *   per partition, however long the backlog. A scalar subquery, not EXISTS: PostgreSQL turns
 *   EXISTS into a hash semi-join over a bitmap scan of every unsent-looking index entry, and a
 *   bitmap scan never marks the entries of rows already published as dead, so they pile up until
 *   vacuum and every round visits them all (0.2–0.4 ms a round under load). The probes are plain
 *   index scans, which mark them, so the next round skips them.
 * - `owned` is MATERIALIZED and its array computed once: unnest() is a function scan feeding
 *   LIMIT directly, so locks are tried one partition at a time and stop at the limit. (With a
 *   sort or a join in between, PostgreSQL may evaluate the lock call on every row first and take
 *   every partition.) A partition another relay holds is skipped, not waited for.
 * - The statement's snapshot is taken before its locks, so `pending` may list a row that the
 *   partition's previous owner published and committed in between. The UPDATE re-checks
 *   `published_at IS NULL` on the row's newest version (READ COMMITTED), so such a row is
 *   neither marked nor returned: it is not published twice.
 * - The rows come back in no particular order; the relay sorts them by seq.
 * - Its numbers are fixed per relay and written into the text, not passed as parameters: the
 *   statement is then planned once per connection with the real numbers. (Planned on every round
 *   it cost more than it ran, 0.36 ms against 0.2; a generic plan, blind to the numbers, ran
 *   slower than both.)
 */
export interface ClaimShape {
  lockNamespace: number;
  partitions: number;
  partitionsPerClaim: number;
  batchSize: number;
}

export function claimAndMarkStatement(shape: ClaimShape): { name: string; text: string } {
  const { lockNamespace, partitions, partitionsPerClaim, batchSize } = shape;
  for (const value of [lockNamespace, partitions, partitionsPerClaim, batchSize]) {
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`relay claim: ${value} is not a whole number`);
  }
  const text = CLAIM_AND_MARK.replaceAll('$1', String(lockNamespace)).replaceAll('$2', String(partitionsPerClaim)).replaceAll('$3', String(partitions)).replaceAll('$4', String(batchSize));
  return { name: `outbox-claim-and-mark-${lockNamespace}-${partitions}-${partitionsPerClaim}-${batchSize}`, text };
}

const CLAIM_AND_MARK = `
WITH owned AS MATERIALIZED (
  SELECT p::smallint AS p FROM unnest(ARRAY(
    SELECT p FROM generate_series(0, $3 - 1) AS p
    WHERE (SELECT true FROM outbox WHERE published_at IS NULL AND partition_key = p LIMIT 1) ORDER BY random())) AS p
  WHERE pg_try_advisory_xact_lock($1, p) LIMIT $2),
pending AS (
  SELECT seq FROM outbox WHERE published_at IS NULL AND partition_key = ANY(ARRAY(SELECT p FROM owned))
  ORDER BY seq LIMIT $4)
UPDATE outbox SET published_at = now() FROM pending
WHERE outbox.seq = pending.seq AND outbox.published_at IS NULL
RETURNING outbox.seq, outbox.partition_key, outbox.event_id, outbox.exchange, outbox.routing_key, outbox.envelope, outbox.created_at`;
