import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runPostgresOutage } from './postgres-outage.ts';
import { needsLocalServers } from '../../shared/test/support/local-servers.ts';

describe('a PostgreSQL outage longer than the retry budget', { skip: needsLocalServers }, () => {
  it('when PostgreSQL is stopped for 90 s under load and started again, then nothing is dead-lettered, clients saw only 503s, and every accepted order ends with the books agreeing', async (t) => {
    const result = await runPostgresOutage({ downMs: 90_000, rate: 2, replicas: 1, log: (line) => t.diagnostic(line) });
    assert.ok(result.clients.accepted.length > 30, `orders accepted: ${result.clients.accepted.length}`);
    assert.ok((result.clients.statuses['503+retry-after'] ?? 0) > 0, 'the outage was seen by clients');
    assert.deepEqual(result.checks.filter((check) => !check.passed), []);
  });
});
