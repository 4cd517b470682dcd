import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { pruneMessaging } from '../src/outbox/retention.ts';
import { createTestbedDatabase, type TestbedDatabase } from './support/testbed-db.ts';

describe('messaging retention', () => {
  let db: TestbedDatabase;
  before(async () => {
    db = await createTestbedDatabase();
  });
  after(async () => db.drop());

  const sql = { $executeRawUnsafe: async (text: string, ...values: unknown[]) => (await db.pool.query(text, values)).rowCount ?? 0 };
  const outboxRow = (publishedHoursAgo: number | null, label: string) => {
    const id = randomUUID();
    const envelope = { specversion: '1.0', id, source: '/services/testbed', type: 'test.v1', time: '2026-10-01T10:00:00.000Z', subject: label, correlationid: 'c-1', causationid: 'e-0', data: { amountMinor: 700, cardToken: 'tok_secret', customerEmailSealed: 'sealed' } };
    return db.pool.query(
      `INSERT INTO outbox (event_id, aggregate_id, partition_key, exchange, routing_key, envelope, created_at, published_at)
       VALUES ($1, $2, 0, 'events', 'test.v1', $4, now() - interval '40 days', CASE WHEN $3::int IS NULL THEN NULL ELSE now() - make_interval(hours => $3::int) END)`,
      [id, label, publishedHoursAgo, JSON.stringify(envelope)],
    );
  };
  const inboxRow = (hoursAgo: number, label: string) => db.pool.query(`INSERT INTO inbox (consumer, message_id, event_type, processed_at) VALUES ('test', $1, 'test.v1', now() - make_interval(hours => $2::int))`, [label, hoursAgo]);

  it('when rows are past their retention, then published outbox rows and old inbox rows go, and unpublished or recent ones stay', async () => {
    await outboxRow(800, 'published-long-ago');
    await outboxRow(2, 'published-recently');
    await outboxRow(null, 'never-published');
    await inboxRow(200, 'handled-long-ago');
    await inboxRow(1, 'handled-recently');

    assert.deepEqual(await pruneMessaging(sql, { outboxHours: 720, inboxHours: 168 }), { outbox: 1, inbox: 1, history: 0 });
    const outbox = (await db.pool.query<{ aggregate_id: string }>('SELECT aggregate_id FROM outbox ORDER BY aggregate_id')).rows.map((row) => row.aggregate_id);
    const inbox = (await db.pool.query<{ message_id: string }>('SELECT message_id FROM inbox')).rows.map((row) => row.message_id);
    assert.deepEqual(outbox, ['never-published', 'published-recently']);
    assert.deepEqual(inbox, ['handled-recently']);
    assert.deepEqual(await pruneMessaging(sql, { outboxHours: 720, inboxHours: 168 }), { outbox: 0, inbox: 0, history: 0 }, 'nothing twice');

    // The pruned outbox row lives on in the timeline's history, its secrets taken out.
    const [moved] = (await db.pool.query<{ aggregate_id: string; type: string; correlation_id: string; causation_id: string; data: string }>('SELECT aggregate_id, type, correlation_id, causation_id, data FROM event_history')).rows;
    assert.deepEqual({ ...moved, data: JSON.parse(moved!.data) as unknown }, { aggregate_id: 'published-long-ago', type: 'test.v1', correlation_id: 'c-1', causation_id: 'e-0', data: { amountMinor: 700 } });
  });

  it('when history is older than its retention, then it goes too', async () => {
    await db.pool.query(`INSERT INTO event_history (event_id, aggregate_id, type, time, correlation_id, data) VALUES ($1, 'ancient', 'test.v1', now() - interval '500 days', 'c', '{}'), ($2, 'recent', 'test.v1', now() - interval '5 days', 'c', '{}')`, [randomUUID(), randomUUID()]);
    const pruned = await pruneMessaging(sql, { outboxHours: 720, inboxHours: 168, historyDays: 400 });
    assert.equal(pruned.history, 1);
    const left = (await db.pool.query<{ aggregate_id: string }>("SELECT aggregate_id FROM event_history WHERE aggregate_id IN ('ancient', 'recent')")).rows.map((row) => row.aggregate_id);
    assert.deepEqual(left, ['recent']);
  });
});
