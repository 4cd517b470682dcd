import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Platform } from '../../scripts/platform.ts';
import { waitFor } from '../../shared/test/support/wait.ts';

describe('gateway rate limit (real Redis)', () => {
  // Only the gateway: its upstreams are absent, which is fine for counting refusals.
  const platform = new Platform({ basePort: 18180, databasePrefix: 'e2e', amqpUrl: 'amqp://unused', env: { gateway: { RATE_LIMIT_PER_SECOND: '5' } } });
  before(async () => {
    platform.start('gateway');
    await waitFor('the gateway', async () => (await fetch(`${platform.url('gateway')}/health`).catch(() => null))?.ok);
  });
  after(async () => platform.stop('gateway'));

  it('when a client sends more than its budget in a second, then the excess gets 429 problem+json with Retry-After', async () => {
    const answers = await Promise.all(Array.from({ length: 12 }, () => fetch(`${platform.url('gateway')}/orders/00000000-0000-4000-8000-000000000000`)));
    const limited = answers.filter((answer) => answer.status === 429);
    assert.ok(limited.length >= 12 - 5, `${limited.length} of 12 refused`);
    assert.ok(answers.some((answer) => answer.status !== 429), 'the budget itself was served');
    assert.match(limited[0]!.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.ok(Number(limited[0]!.headers.get('retry-after')) >= 1);
    const spoofed = await fetch(`${platform.url('gateway')}/orders/00000000-0000-4000-8000-000000000000`, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    assert.equal(spoofed.status, 429, 'a spoofed X-Forwarded-For does not buy a fresh budget');
  });
});
