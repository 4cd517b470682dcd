import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { recordCharge } from '../src/domain/record-charge.ts';
import { recordRefund } from '../src/domain/record-refund.ts';
import { reverseTransfer } from '../src/domain/reverse-transfer.ts';
import { credit, debit } from '../src/domain/transfers.ts';
import { createLedgerDatabase } from './support/ledger-db.ts';
import { verifyLedger } from '../src/data-access/verify-ledger.ts';

type LedgerDatabase = Awaited<ReturnType<typeof createLedgerDatabase>>;

const count = async (ledger: LedgerDatabase, sql: string, ...values: unknown[]) => Number((await ledger.raw.query<{ n: string }>(sql, values)).rows[0]!.n);

describe('transfers against the real PostgreSQL', () => {
  let ledger: LedgerDatabase;
  before(async () => {
    ledger = await createLedgerDatabase();
  });
  after(async () => ledger.drop());

  const charge = (paymentId = randomUUID(), amountMinor = 10_000) => ({ paymentId, orderId: randomUUID(), customerId: randomUUID(), merchantId: randomUUID(), amountMinor, currency: 'EUR' });

  it('when postings do not sum to zero (in one currency or per currency), then the transfer is refused and nothing is written', async () => {
    const before = await count(ledger, 'SELECT count(*) AS n FROM transfer');
    for (const postings of [
      (a: string, b: string) => [debit(a, 'EUR', 100n), credit(b, 'EUR', 99n)],
      (a: string, b: string) => [debit(a, 'EUR', 100n), credit(b, 'USD', 100n)],
    ]) {
      await assert.rejects(
        ledger.inTransaction(async (context) => {
          const a = await context.store.openAccount({ type: 'suspense', ownerKey: '', currency: 'EUR' });
          const b = await context.store.openAccount({ type: 'psp_clearing', ownerKey: '', currency: 'EUR' });
          return context.store.recordTransfer({ id: randomUUID(), kind: 'charge', reversesId: null, orderId: null, customerId: null, merchantId: null, eventId: null, correlationId: null, postings: postings(a.id, b.id) }, new Map([[a.id, a], [b.id, b]]));
        }),
        /does not balance/,
      );
    }
    assert.equal(await count(ledger, 'SELECT count(*) AS n FROM transfer'), before);
    assert.equal(await count(ledger, "SELECT count(*) AS n FROM account WHERE type = 'suspense'"), 0, 'not even the accounts it opened');
  });

  it('when a posting or a transfer is updated or deleted by raw SQL, even by the table owner, then the database refuses', async () => {
    await ledger.inTransaction((context) => recordCharge(context, charge()));
    const changes = ['UPDATE ledger_posting SET credit_minor = credit_minor + 1', 'DELETE FROM ledger_posting', 'UPDATE transfer SET kind = kind', 'DELETE FROM transfer', 'TRUNCATE ledger_posting', 'TRUNCATE transfer CASCADE'];
    for (const sql of changes) await assert.rejects(ledger.raw.query(sql), /immutable/, `${sql} as the table owner`);
    // The service's own role has no such privilege in the first place.
    const client = await ledger.raw.connect();
    try {
      for (const sql of changes) {
        await client.query('BEGIN; SET LOCAL ROLE ledger_service');
        await assert.rejects(client.query(sql), /permission denied/, `${sql} as ledger_service`);
        await client.query('ROLLBACK');
      }
      await client.query('BEGIN; SET LOCAL ROLE ledger_service');
      assert.ok((await client.query('SELECT count(*) FROM transfer')).rowCount === 1, 'it may still read');
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });

  it('when the same payment is recorded 20 times at once, then there is one transfer, one set of postings and balances moved once', async () => {
    const command = charge(randomUUID(), 5_000);
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => ledger.inTransaction((context) => recordCharge(context, command))));
    assert.equal(outcomes.filter(Boolean).length, 1);
    assert.equal(await count(ledger, 'SELECT count(*) AS n FROM transfer WHERE id = $1', `charge:${command.paymentId}`), 1);
    assert.equal(await count(ledger, 'SELECT count(*) AS n FROM ledger_posting WHERE transfer_id = $1', `charge:${command.paymentId}`), 3);
    const payable = await count(ledger, "SELECT sum(b.credits_posted - b.debits_posted) AS n FROM account a JOIN account_balance b ON b.account_id = a.id WHERE a.type = 'merchant_payable' AND a.owner_key = $1", command.merchantId);
    assert.equal(payable, 5_000 - 175, '2.9 % of 5000 is 145, plus 30');
  });

  it('when a charge is refunded in parts, then each reverses its share and the whole charge and fee come back, never more', async () => {
    const command = charge(randomUUID(), 999);
    await ledger.inTransaction((context) => recordCharge(context, command));
    for (const [refundId, amount] of [['r1', 333], ['r2', 333], ['r3', 333]] as const) {
      assert.equal(await ledger.inTransaction((context) => recordRefund(context, { ...command, refundId: `${command.paymentId}:${refundId}`, amountMinor: amount })), true);
    }
    await assert.rejects(ledger.inTransaction((context) => recordRefund(context, { ...command, refundId: `${command.paymentId}:r4`, amountMinor: 1 })), /exceed the charge/);
    const net = await ledger.raw.query<{ type: string; net: string }>(
      `SELECT a.type, sum(p.debit_minor - p.credit_minor) AS net FROM ledger_posting p JOIN account a ON a.id = p.account_id
       WHERE p.transfer_id = $1 OR p.transfer_id IN (SELECT id FROM transfer WHERE reverses_id = $1) GROUP BY a.type`,
      [`charge:${command.paymentId}`],
    );
    assert.deepEqual(Object.fromEntries(net.rows.map((row) => [row.type, Number(row.net)])), { fee_revenue: 0, merchant_payable: 0, psp_clearing: 0 });
  });

  it('when 200 payments all touch the one fee-revenue account at once, then all are recorded without a deadlock or serialization error, and its slots sum to the fees', async () => {
    const commands = Array.from({ length: 200 }, () => charge(randomUUID(), 1_000));
    const before = await count(ledger, "SELECT COALESCE(sum(b.credits_posted - b.debits_posted), 0) AS n FROM account a JOIN account_balance b ON b.account_id = a.id WHERE a.type = 'fee_revenue'");
    const outcomes = await Promise.all(commands.map((command) => ledger.inTransaction((context) => recordCharge(context, command))));
    assert.equal(outcomes.filter(Boolean).length, 200);
    const after = await count(ledger, "SELECT sum(b.credits_posted - b.debits_posted) AS n FROM account a JOIN account_balance b ON b.account_id = a.id WHERE a.type = 'fee_revenue'");
    assert.equal(after - before, 200 * 59, 'each 1000 pays 29 + 30');
    const fromPostings = await count(ledger, "SELECT sum(p.credit_minor - p.debit_minor) AS n FROM ledger_posting p JOIN account a ON a.id = p.account_id WHERE a.type = 'fee_revenue'");
    assert.equal(fromPostings, after, 'balance rows equal the sum of postings');
    assert.ok((await count(ledger, "SELECT count(DISTINCT b.slot) AS n FROM account a JOIN account_balance b ON b.account_id = a.id WHERE a.type = 'fee_revenue'")) > 1, 'spread over several slots');
  });

  it('when a transfer is reversed, then every posting is turned around once, naming what it reverses, and the accounts net to zero', async () => {
    const command = charge(randomUUID(), 4_321);
    await ledger.inTransaction((context) => recordCharge(context, command));
    const id = `charge:${command.paymentId}`;
    assert.equal(await ledger.inTransaction((context) => reverseTransfer(context, id)), true);
    assert.equal(await ledger.inTransaction((context) => reverseTransfer(context, id)), false, 'once');
    await assert.rejects(ledger.inTransaction((context) => reverseTransfer(context, `reversal:${id}`)), /cannot be reversed/);
    const { rows } = await ledger.raw.query<{ reverses_id: string; net: string }>(
      `SELECT t.reverses_id, sum(p.debit_minor - p.credit_minor) FILTER (WHERE a.type = 'merchant_payable') AS net
       FROM transfer t JOIN ledger_posting p ON p.transfer_id IN (t.id, t.reverses_id) JOIN account a ON a.id = p.account_id WHERE t.id = $1 GROUP BY t.reverses_id`,
      [`reversal:${id}`],
    );
    assert.deepEqual(rows.map((row) => [row.reverses_id, Number(row.net)]), [[id, 0]]);
  });

  it('when the books are audited, then everything above verifies; when a balance row is tampered with, then the audit names the account', async () => {
    assert.deepEqual(await verifyLedger(ledger.db), []);
    const { rows } = await ledger.raw.query<{ account_id: string; slot: number }>("SELECT b.account_id, b.slot FROM account_balance b JOIN account a ON a.id = b.account_id WHERE a.type = 'merchant_payable' LIMIT 1");
    const { account_id: accountId, slot } = rows[0]!;
    await ledger.raw.query('UPDATE account_balance SET credits_posted = credits_posted + 1 WHERE account_id = $1 AND slot = $2', [accountId, slot]);
    try {
      const problems = await verifyLedger(ledger.db);
      assert.deepEqual(problems.map((problem) => [problem.check, problem.ids]), [['balance rows equal postings', [accountId]]]);
    } finally {
      await ledger.raw.query('UPDATE account_balance SET credits_posted = credits_posted - 1 WHERE account_id = $1 AND slot = $2', [accountId, slot]);
    }
  });
});
