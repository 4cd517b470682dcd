import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import amqp from 'amqplib';
import { waitFor } from '../../shared/test/support/wait.ts';
import { E2E_AMQP_URL, platformForSuite } from './support/test-platform.ts';
import { refundsFor } from './support/psp-books.ts';
import pg from 'pg';
import { databaseUrlFor, PG_URL } from '../../scripts/databases.ts';
import { BROKER_SERVICES } from '../../shared/src/amqp/broker-users.ts';

interface Report {
  reportId: string;
  day: string;
  mismatches: Array<{ kind: string; ids: Record<string, string>; repair: string | null; outcome: string; detail: string }>;
  actionsTaken: number;
  needsAPerson: number;
}

const today = () => new Date().toISOString().slice(0, 10);

describe('three-way reconciliation against the real services', () => {
  // Judge everything at once (no settle window), and no scheduled run in the way of the test's own.
  const suite = platformForSuite({ payment: { RECONCILE_SETTLE_MS: '1', RECONCILE_INTERVAL_MS: '3600000' } });
  const run = (as: 'admin' | 'customer' = 'admin') => suite.api.request<Report>('POST', '/admin/reconciliation/runs', { date: today() }, {}, as);

  /** A charge made at the gateway by someone else with the platform's key: no order, no payment. */
  async function chargeDirectlyAtTheGateway(amount: number): Promise<string> {
    const response = await fetch(`${suite.platform.url('psp')}/v1/charges`, {
      method: 'POST',
      headers: { authorization: `Bearer ${suite.platform.secrets.pspApiKey}`, 'content-type': 'application/json', 'idempotency-key': `direct-${randomUUID()}` },
      body: JSON.stringify({ amount, currency: 'EUR', reference: 'typed into the gateway dashboard', payment_method: { type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: 2031 } } }),
    });
    const charge = (await response.json()) as { id: string; status: string };
    assert.equal(charge.status, 'succeeded');
    return charge.id;
  }

  /**
   * The ledger restored from a copy that lacks one transfer: the ledger and the relay stop (a
   * template copy needs the source idle), the copy is made, the transfer is taken out of the copy
   * with its postings and their effect on balances (the copy's immutability trigger set aside for
   * that, as a restore from an older backup would), and the relay comes back reading the copy.
   * The ledger itself stays down until the caller starts it on the copy.
   */
  async function ledgerCopyWithout(transferId: string): Promise<string> {
    await suite.platform.stop('ledger');
    await suite.platform.stop('relay');
    const source = databaseUrlFor('ledger', 'e2e');
    const copy = new URL(source);
    copy.pathname = `${copy.pathname}_restored`;
    await sql(PG_URL, `DROP DATABASE IF EXISTS "${copy.pathname.slice(1)}" WITH (FORCE)`);
    await sql(PG_URL, `CREATE DATABASE "${copy.pathname.slice(1)}" TEMPLATE "${new URL(source).pathname.slice(1)}"`);
    await sql(copy.toString(), `BEGIN;
      SET LOCAL session_replication_role = replica;
      CREATE TEMP TABLE moved ON COMMIT DROP AS SELECT account_id, sum(debit_minor) AS debits, sum(credit_minor) AS credits FROM ledger_posting WHERE transfer_id = '${transferId}' GROUP BY account_id;
      UPDATE account_balance b SET debits_posted = b.debits_posted - m.debits, credits_posted = b.credits_posted - m.credits
        FROM moved m WHERE b.account_id = m.account_id
          AND b.slot = (SELECT min(slot) FROM account_balance x WHERE x.account_id = m.account_id AND x.debits_posted >= m.debits AND x.credits_posted >= m.credits);
      DELETE FROM ledger_posting WHERE transfer_id = '${transferId}';
      DELETE FROM transfer WHERE id = '${transferId}';
      COMMIT;`);
    suite.platform.start('relay', { RELAY_DATABASE_URLS: BROKER_SERVICES.map((service) => (service === 'ledger' ? copy.toString() : databaseUrlFor(service, 'e2e'))).join(',') });
    return copy.toString();
  }

  async function sql(url: string, text: string): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  }

  /** Takes one order's payment.succeeded out of the (stopped) ledger's queue: lost on its way. */
  async function dropFromLedgerQueue(orderId: string): Promise<void> {
    const connection = await amqp.connect(E2E_AMQP_URL);
    try {
      // The queue has a single active consumer and no basic.get: with the ledger stopped, this
      // consumer is the active one. Everything else stays unacked, and goes back when it closes.
      const channel = await connection.createChannel();
      await channel.prefetch(1_000);
      let dropped = 0;
      const found = new Promise<void>((resolve) => {
        void channel.consume('ledger', (message) => {
          if (!message) return;
          const envelope = JSON.parse(message.content.toString()) as { type: string; subject: string };
          if (envelope.type !== 'payment.succeeded.v1' || envelope.subject !== orderId) return;
          channel.ack(message);
          dropped += 1;
          resolve();
        });
      });
      await Promise.race([found, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      await channel.close();
      assert.equal(dropped, 1, 'the captured event was waiting in the ledger queue');
    } finally {
      await connection.close();
    }
  }

  async function runScript(script: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, ...args], { env: { ...process.env, ...env } });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  }

  const chargeTransfers = async (orderId: string) => {
    const entries = await suite.api.ledgerEntries(orderId);
    return Array.isArray(entries) ? entries.filter((entry) => entry.kind === 'charge') : []; // a 404 while nothing is journaled
  };

  it('when a stray gateway charge, a lost ledger transfer and a dropped capture event are injected, then each is found and repaired through events, and a second run repairs nothing', async () => {
    assert.equal((await run('customer')).status, 403, 'reconciliation is for admins');
    const productId = await suite.api.createProduct({ stock: 10, priceMinor: 2500 });

    const restored = await suite.api.placeOrder(productId, { quantity: 1 });
    assert.equal((await suite.api.finalOrder(restored)).status, 'COMPLETED');
    const restoredPayment = (await suite.api.payment(restored)).body;
    await waitFor('the charge journaled', async () => ((await chargeTransfers(restored)).length === 1 ? true : undefined));
    const ledgerCopy = await ledgerCopyWithout(`charge:${restoredPayment.paymentId}`);

    // With the ledger down, a card order still completes; its capture event is then lost on the way.
    const dropped = await suite.api.placeOrder(productId, { quantity: 2 });
    assert.equal((await suite.api.finalOrder(dropped)).status, 'COMPLETED');
    await dropFromLedgerQueue(dropped);
    suite.platform.start('ledger', { DATABASE_URL: ledgerCopy });
    await suite.platform.waitUntilReady();
    const droppedPayment = (await suite.api.payment(dropped)).body;

    const stray = await chargeDirectlyAtTheGateway(700);

    const first = await run();
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const found = first.body.mismatches.map((mismatch) => [mismatch.kind, mismatch.ids.chargeId ?? mismatch.ids.paymentId, mismatch.outcome]).sort();
    assert.deepEqual(
      found,
      [
        ['captured-without-ledger-transfer', droppedPayment.paymentId, 'requested'],
        ['captured-without-ledger-transfer', restoredPayment.paymentId, 'requested'],
        ['gateway-charge-without-payment', stray, 'repaired'],
      ].sort(),
    );
    assert.deepEqual([first.body.actionsTaken, first.body.needsAPerson], [3, 0]);

    // The repairs land through the normal flow: the ledger journals each charge once, the gateway refunds the stray.
    for (const orderId of [restored, dropped]) await waitFor(`charge of ${orderId} journaled again`, async () => ((await chargeTransfers(orderId)).length === 1 ? true : undefined));
    assert.deepEqual((await refundsFor(stray)).map((refund) => refund.amount), [700]);

    // The second run from a terminal, as an operator would: nothing to repair, exit 0.
    const cli = await runScript('scripts/reconcile.ts', ['--date', today()], { GATEWAY_URL: suite.platform.url('gateway'), ADMIN_EMAIL: suite.platform.secrets.adminEmail, ADMIN_PASSWORD: suite.platform.secrets.adminPassword });
    assert.equal(cli.code, 0, cli.stdout + cli.stderr);
    assert.match(cli.stdout, /^0 mismatch\(es\), 0 action\(s\) taken, 0 for a person$/m, 'a second run finds nothing to repair');
    const latest = await suite.api.request<Report>('GET', '/admin/reconciliation/reports/latest', undefined, {}, 'admin');
    assert.deepEqual([latest.body.mismatches, latest.body.actionsTaken], [[], 0]);
    assert.match(cli.stdout, new RegExp(`report ${latest.body.reportId}`));

    // The money audit passes after it: every book read straight from its database agrees.
    const audit = await runScript('scripts/audit-money.ts', ['--prefix', 'e2e', '--ledger-url', ledgerCopy]);
    assert.equal(audit.code, 0, audit.stdout + audit.stderr);
    assert.match(audit.stdout, /money audit passed: 2 orders, 2 payments, 3 gateway charges/);
  });
});
