import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { on } from '../src/consumer/handler.ts';
import { acceptedTypes, defineEvent } from '../src/events/define-event.ts';
import { writeEvents } from '../src/outbox/write-events.ts';
import { commitEvents, consume, effectsOf, SOURCE, testbedForSuite } from './support/harness.ts';
import { uniqueCounterEvent } from './support/test-events.ts';
import { uniqueName } from './support/env.ts';
import { waitFor } from './support/wait.ts';
import { peekDlq } from './support/dlq-reader.ts';

describe('a bumped event type while both versions are in flight', () => {
  const suite = testbedForSuite();

  it('when a consumer handles v2 and a v1 message arrives, then it is upgraded and applied by the same handler', async () => {
    const v1 = uniqueCounterEvent();
    // v2 renames the field and adds a required one: incompatible, hence the bump.
    const v2 = defineEvent(v1.type.replace(/\.v1$/, '.v2'), z.object({ count: z.number().int(), origin: z.enum(['v1', 'v2']) }), { definition: v1, upgrade: (old) => ({ count: old.sequence, origin: 'v1' as const }) });
    assert.deepEqual(acceptedTypes(v2), [v2.type, v1.type]);
    const queue = uniqueName('q_versions');
    const seen: string[] = [];
    type Tx = Parameters<Parameters<typeof suite.db.prisma.$transaction>[0]>[0];
    const handler = on<typeof v2, Tx>(v2, async (data, { tx, envelope }) => {
      seen.push(`${envelope.type}:${data.origin}`);
      await tx.appliedEffect.create({ data: { consumer: queue, aggregateId: envelope.subject, eventId: envelope.id, sequence: data.count } });
    });
    const consumer = await consume(suite.db, queue, [handler]);
    try {
      await commitEvents(suite.db.prisma, v1, [{ subject: 'old-order', sequence: 7 }]);
      await suite.db.prisma.$transaction((tx) => writeEvents(tx, [{ definition: v2, subject: 'new-order', data: { count: 9, origin: 'v2' } }], { source: SOURCE }));
      const effects = await waitFor('both versions applied', async () => {
        const rows = await effectsOf(suite.db.prisma, queue);
        return rows.length === 2 && rows;
      });
      assert.deepEqual(effects.map((row) => row.sequence).sort(), [7, 9]);
      assert.deepEqual(seen.sort(), [`${v1.type}:v1`, `${v2.type}:v2`]);
    } finally {
      await consumer.stop();
    }
  });

  it('when an upgrade gives data the new version refuses, then the old message goes to the DLQ at once, not round the retries', async () => {
    const v1 = uniqueCounterEvent();
    const v2 = defineEvent(v1.type.replace(/\.v1$/, '.v2'), z.object({ count: z.number().int().min(100) }), { definition: v1, upgrade: (old) => ({ count: old.sequence }) });
    const queue = uniqueName('q_bad_upgrade');
    type Tx = Parameters<Parameters<typeof suite.db.prisma.$transaction>[0]>[0];
    const consumer = await consume(suite.db, queue, [on<typeof v2, Tx>(v2, async () => undefined)]);
    try {
      const [id] = await commitEvents(suite.db.prisma, v1, [{ subject: 'old-order', sequence: 7 }]);
      const [dead] = await peekDlq(queue, 1);
      assert.equal(dead!.properties.messageId, id);
      assert.equal(dead!.properties.headers!['x-attempt'], 1, 'a deterministic failure is not retried');
    } finally {
      await consumer.stop();
    }
  });

  it('when a type names as its previous version anything but an earlier version of itself, then it is refused', () => {
    const v1 = uniqueCounterEvent();
    assert.throws(() => defineEvent('testbed.other.counted.v2', z.object({}), { definition: v1, upgrade: () => ({}) }), /earlier version of itself/);
    assert.throws(() => defineEvent(v1.type, z.object({}), { definition: v1, upgrade: () => ({}) }), /earlier version of itself/);
  });
});
