/**
 * Reads every service's books straight from its database (never through the services' code):
 * what an auditor with read access would see. Sums come back as numbers (minor units stay far
 * below 2^53). The whole history is read: the audit is for a quiescent platform or a test run.
 */
import pg from 'pg';
import { verifyLedger, type LedgerProblem } from '../../services/ledger/src/data-access/verify-ledger.ts';
import { databaseUrlFor } from '../databases.ts';
import type { Books } from './check-books.ts';

async function withDatabase<T>(service: string, prefix: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrlFor(service, prefix) });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const rows = async <T>(client: pg.Client, sql: string) => (await client.query(sql)).rows as T[];

export async function readBooks(prefix: string, overrides: { ledgerUrl?: string } = {}): Promise<{ books: Books; ledgerProblems: LedgerProblem[] }> {
  const orders = await withDatabase('order', prefix, (c) => rows<Books['orders'][number]>(c, 'SELECT id, status, amount_minor::float8 AS "amountMinor", currency FROM orders'));
  const { products, reservations } = await withDatabase('inventory', prefix, async (c) => ({
    products: await rows<Books['products'][number]>(c, 'SELECT id, available, reserved, sold, stock_received AS received FROM product'),
    reservations: await rows<Books['reservations'][number]>(c, 'SELECT order_id AS "orderId", product_id AS "productId", quantity, status FROM reservation'),
  }));
  const { payments, refunds } = await withDatabase('payment', prefix, async (c) => ({
    payments: await rows<Books['payments'][number]>(c, 'SELECT id, order_id AS "orderId", kind, method, status, amount_minor::float8 AS "amountMinor", refunded_minor::float8 AS "refundedMinor", currency, charge_id AS "chargeId" FROM payment'),
    refunds: await rows<Books['refunds'][number]>(c, 'SELECT id, payment_id AS "paymentId", status, amount_minor::float8 AS "amountMinor" FROM payment_refund'),
  }));
  const { gatewayCharges, gatewayRefunds } = await withDatabase('psp', prefix, async (c) => ({
    gatewayCharges: await rows<Books['gatewayCharges'][number]>(c, 'SELECT id, idempotency_key AS "idempotencyKey", status, amount_minor::float8 AS "amountMinor", amount_refunded::float8 AS "refundedMinor", currency FROM charge'),
    gatewayRefunds: await rows<Books['gatewayRefunds'][number]>(c, 'SELECT id, charge_id AS "chargeId", amount_minor::float8 AS "amountMinor" FROM refund'),
  }));
  const ledgerClient = new pg.Client({ connectionString: overrides.ledgerUrl ?? databaseUrlFor('ledger', prefix) });
  await ledgerClient.connect();
  try {
    const transfers = await rows<{ id: string; moved: number }>(ledgerClient, 'SELECT transfer_id AS id, sum(debit_minor)::float8 AS moved FROM ledger_posting WHERE NOT pending GROUP BY transfer_id');
    const sql = { $queryRawUnsafe: async <R>(text: string, ...values: unknown[]) => (await ledgerClient.query(text, values)).rows as R, $executeRawUnsafe: async (text: string, ...values: unknown[]) => (await ledgerClient.query(text, values)).rowCount ?? 0 };
    const ledgerProblems = await verifyLedger(sql);
    return { books: { orders, products, reservations, payments, refunds, gatewayCharges, gatewayRefunds, ledger: new Map(transfers.map((t) => [t.id, t.moved])) }, ledgerProblems };
  } finally {
    await ledgerClient.end();
  }
}
