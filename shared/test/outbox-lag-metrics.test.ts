import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { registerOutboxLag } from '../src/metrics.ts';
import { outboxLag } from '../src/outbox/outbox-lag.ts';
import { createTestbedDatabase, type TestbedDatabase } from './support/testbed-db.ts';
import { commitEvents, startRelay } from './support/harness.ts';
import { uniqueCounterEvent } from './support/test-events.ts';
import { waitFor } from './support/wait.ts';

async function gauges(registry: Registry) {
  const text = await registry.metrics();
  const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { unpublished: value('outbox_unpublished_events'), oldest: value('outbox_oldest_unpublished_seconds') };
}

describe('outbox lag metrics', () => {
  let db: TestbedDatabase;
  before(async () => {
    db = await createTestbedDatabase();
  });
  after(async () => db.drop());

  it('when the relay is stopped, then the outbox-lag gauges rise; when it returns, they fall to zero', async () => {
    const registry = new Registry();
    registerOutboxLag(registry, async () => [{ lag: await outboxLag(db.prisma) }]);
    assert.deepEqual(await gauges(registry), { unpublished: 0, oldest: 0 }, 'nothing waits before anything is written');
    const counted = uniqueCounterEvent();
    await commitEvents(db.prisma, counted, [1, 2, 3].map((sequence) => ({ subject: `aggregate-${sequence}`, sequence })));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const behind = await gauges(registry);
    assert.equal(behind.unpublished, 3);
    assert.ok(behind.oldest >= 1, `the oldest row's age counts up while no relay runs: ${behind.oldest}`);
    const relay = await startRelay(db.url);
    try {
      const caughtUp = await waitFor('the relay to drain the outbox', async () => {
        const now = await gauges(registry);
        return now.unpublished === 0 && now;
      });
      assert.equal(caughtUp.oldest, 0);
    } finally {
      await relay.stop();
    }
  });
});
