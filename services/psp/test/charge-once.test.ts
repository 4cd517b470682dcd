import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { E2E_TEMPLATE_PREFIX, PG_URL } from '../../../scripts/databases.ts';
import { connectPspDatabase, pspStore, type PspDatabase } from '../src/data-access/psp-store.ts';
import { createCharge } from '../src/domain/create-charge.ts';
import type { ChargeRequest } from '../src/domain/ports.ts';

// The simulator keeps one charge per idempotency key as a processor does; its insert is one
// statement (ON CONFLICT on the key), so racing retries of one charge must still make one.
describe('the gateway simulator charges once per idempotency key', () => {
  const name = `psp_charge_${randomUUID().slice(0, 8)}`;
  let database: PspDatabase;
  const request = (key: string, amountMinor = 1_500n): ChargeRequest => ({
    idempotencyKey: key,
    amountMinor,
    currency: 'EUR',
    method: { type: 'card', card: { number: '4242424242424242', expMonth: 12, expYear: 2040 } },
    reference: 'order-1',
  });
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(sql).finally(() => client.end());
  };

  before(async () => {
    await admin(`CREATE DATABASE "${name}" TEMPLATE "${E2E_TEMPLATE_PREFIX}_psp"`);
    const url = new URL(PG_URL);
    url.pathname = `/${name}`;
    database = connectPspDatabase(url.toString(), 20);
  });
  after(async () => {
    await database.close();
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });

  it('when 20 requests with one key race, then one charge exists and every answer is that charge', async () => {
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 20 }, () => createCharge(pspStore(database), request(key), { asyncDelayMs: 1_000, now: new Date() })));
    assert.equal(new Set(answers.map((answer) => answer.charge.id)).size, 1);
    assert.equal(answers.filter((answer) => !answer.replayed).length, 1, 'one made it, the others got it back');
    const rows = await database.sql.$queryRawUnsafe<Array<{ n: bigint }>>('SELECT count(*) AS n FROM charge WHERE idempotency_key = $1', key);
    assert.equal(rows[0]!.n, 1n);
    assert.equal(answers[0]!.charge.amountMinor, 1_500n);
    assert.equal(answers[0]!.charge.status, 'succeeded');
  });

  it('when the key comes back with another amount, then it is refused', async () => {
    const key = randomUUID();
    await createCharge(pspStore(database), request(key), { asyncDelayMs: 1_000, now: new Date() });
    await assert.rejects(createCharge(pspStore(database), request(key, 2_000n), { asyncDelayMs: 1_000, now: new Date() }), /idempotency_error/);
  });
});
