import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runPostgresOutage } from './postgres-outage.ts';
import { needsLocalServers } from '../../shared/test/support/local-servers.ts';

/** About 19 s of retries in all (15 s at least, with jitter): the outage lasts nearly twice that. */
const RETRY_DELAYS_MS = [200, 500, 1_000, 2_000, 5_000, 10_000];

describe('a PostgreSQL outage longer than the retry budget', { skip: needsLocalServers }, () => {
  it('when PostgreSQL is stopped for 35 s under load (retries give up after ~19 s) and started again, then nothing is dead-lettered, clients saw only 503s, and every accepted order ends with the books agreeing', async (t) => {
    const result = await runPostgresOutage({ downMs: 35_000, rate: 2, replicas: 1, retryDelaysMs: RETRY_DELAYS_MS, log: (line) => t.diagnostic(line) });
    assert.ok(result.clients.accepted.length > 30, `orders accepted: ${result.clients.accepted.length}`);
    assert.ok((result.clients.statuses['503+retry-after'] ?? 0) > 0, 'the outage was seen by clients');
    assert.deepEqual(result.checks.filter((check) => !check.passed), []);
    // Only PostgreSQL went away: every process must have ridden it out (the supervisor would hide a crash).
    assert.deepEqual(result.exits, []);
  });
});
