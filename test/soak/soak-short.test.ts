import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runSoak } from './run-soak.ts';

describe('a short soak with short retention windows', () => {
  it('when 400 orders have gone through and the windows have passed, then the queues are empty and the outbox, inbox, idempotency and parking tables hold only rows inside their windows', async (t) => {
    const result = await runSoak({ orders: 400, rate: 12, windowSeconds: 20, log: (line) => t.diagnostic(line) });
    assert.ok(result.accepted > 350, `orders accepted: ${result.accepted}`);
    assert.deepEqual(result.checks.filter((check) => !check.passed), []);
  });
});
