import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runChaos } from './run-chaos.ts';
import { needsLocalServers } from '../../shared/test/support/local-servers.ts';

describe('the short seeded chaos run', { skip: needsLocalServers }, () => {
  it('when processes are killed, connections cut and the gateway simulator is down under load, then every order ends, nothing is lost or charged twice, and the books agree', async (t) => {
    const result = await runChaos({ seed: Number(process.env.CHAOS_SEED ?? 1), rate: 6, durationMs: 40_000, log: (line) => t.diagnostic(line) });
    assert.ok(result.clients.accepted.length > 100, `orders accepted: ${result.clients.accepted.length}`);
    assert.ok(result.schedule.some((fault) => fault.kind === 'kill'));
    assert.deepEqual(result.checks.filter((check) => !check.passed), []);
  });
});
