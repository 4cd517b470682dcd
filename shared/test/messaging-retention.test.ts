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
  const outboxRow = (publishedHoursAgo: number | null, label: string) =>
    db.pool.query(
      `INSERT INTO outbox (event_id, aggregate_id, partition_key, exchange, routing_key, envelope, created_at, published_at)
       VALUES ($1, $2, 0, 'events', 'test.v1', '{}', now() - interval '40 days', CASE WHEN $3::int IS NULL THEN NULL ELSE now() - make_interval(hours => $3::int) END)`,
      [randomUUID(), label, publishedHoursAgo],
    );
  const inboxRow = (hoursAgo: number, label: string) => db.pool.query(`INSERT INTO inbox (consumer, message_id, event_type, processed_at) VALUES ('test', $1, 'test.v1', now() - make_interval(hours => $2::int))`, [label, hoursAgo]);

  it('when rows are past their retention, then published outbox rows and old inbox rows go, and unpublished or recent ones stay', async () => {
    await outboxRow(800, 'published-long-ago');
    await outboxRow(2, 'published-recently');
    await outboxRow(null, 'never-published');
    await inboxRow(200, 'handled-long-ago');
    await inboxRow(1, 'handled-recently');

    assert.deepEqual(await pruneMessaging(sql, { outboxHours: 720, inboxHours: 168 }), { outbox: 1, inbox: 1 });
    const outbox = (await db.pool.query<{ aggregate_id: string }>('SELECT aggregate_id FROM outbox ORDER BY aggregate_id')).rows.map((row) => row.aggregate_id);
    const inbox = (await db.pool.query<{ message_id: string }>('SELECT message_id FROM inbox')).rows.map((row) => row.message_id);
    assert.deepEqual(outbox, ['never-published', 'published-recently']);
    assert.deepEqual(inbox, ['handled-recently']);
    assert.deepEqual(await pruneMessaging(sql, { outboxHours: 720, inboxHours: 168 }), { outbox: 0, inbox: 0 }, 'nothing twice');
  });
});
